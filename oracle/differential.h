// File: differential.h
//
// Levels 3 and 4: two variants' runs of one program compared.
//   sequential (one thread)  after every op: the op's result class (handle or
//            -errno, contents read, values returned; never handle values or
//            PFNs), then the snapshot: every class stat, zs_get_total_pages,
//            NR_ZSPAGES, pages in use, pages_compacted, the live slots and
//            their contents (the debugfs class table's text at stat_classes
//            ops); then the drained snapshot with the class table, the
//            emptied one, and the page counts after zs_destroy_pool. Tables
//            are compared as their seq_printf calls, and as text when the
//            calls differ (kernel::seq_record::same_text)
//   concurrent  after the drain: the live slots, their sizes and contents,
//            each class's obj_used (the first and the last only when no
//            fail_pages/fail_slab armed an injector: which malloc meets an
//            injected failure depends on the interleaving); after emptying
//            and after zs_destroy_pool: every count
// The first difference is the failure: "class 17 obj_allocated: pre=60 post=64".
#pragma once

#include <optional>

#include "oracle/exec/executor.h"
#include "oracle/failure.h"
#include "oracle/program/program.h"

namespace zsfuzz::oracle {

std::optional<Failure> CompareSequential(const Program& program, const ExecResult& a, const ExecResult& b);
std::optional<Failure> CompareConcurrent(const Program& program, const ExecResult& a, const ExecResult& b);

}  // namespace zsfuzz::oracle
