// File: inflight.h
//
// Level 4, second half: stats read while other threads run (stat_pages,
// stat_classes, stat_pool) stay inside what each variant's code allows
// (zsmalloc-reference.md section 6). With one thread the bounds close to
// equalities. D is the page count the class stats imply (sum of
// obj_allocated / objs_per_zspage * pages_per_zspage), L the pages_per_zspage
// of the classes whose lock was held, F and M those of the zspages other
// threads were freeing and allocating (StatsProbe):
//   zs_get_total_pages  D <= total <= D + L (+ F if the variant frees pages
//                       after dropping class->lock). Every variant adds to
//                       pages_allocated before obj_allocated and subtracts
//                       after it, and between the two steps either holds
//                       class->lock or, after patch 3, is inside zs_free.
//   NR_ZSPAGES          D - L <= NR_ZSPAGES <= D + M (+ F): pages count from
//                       alloc_zspage() on, before the class stats see them,
//                       and a free under class->lock drops them first.
//   stat_classes        each class (read under its lock): the fullness
//                       counts times objs_per_zspage are obj_allocated, and
//                       obj_used lies between what those fullness groups allow.
//   stat_pool           pages_compacted never goes down.
#pragma once

#include <optional>

#include "oracle/check.h"
#include "oracle/exec/executor.h"
#include "oracle/failure.h"
#include "oracle/program/program.h"

namespace zsfuzz::oracle {

std::optional<Failure> CheckInflight(const Program& program, const ExecResult& exec,
                                     const VariantTraits& traits, bool sequential);

}  // namespace zsfuzz::oracle
