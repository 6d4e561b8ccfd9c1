// File: invariants.h
//
// Level 2: invariants of the pool at quiescent points (after every op of a
// one-thread run, after the drain, after freeing everything), from a
// read-only walk of every zspage (zs_variant_ops::walk_zspages):
//   zspage   magic, class, huge flag; the list it is on is its fullness and
//            its fullness is the group its inuse calls for; inuse objects
//            carry OBJ_ALLOCATED_TAG in their headers; the free list is
//            objs_per_zspage - inuse long and passes no allocated slot
//   pages    pages_per_zspage of them, each pointing at the zspage, only the
//            first PG_private, all of zsmalloc's page type and movable, none
//            locked, first_obj_offset as init_zspage() set it
//   objects  the handles in the headers are exactly the live slots' handles,
//            each in its slot's class
//   class    each fullness stat, obj_allocated and obj_used equal a recount
//   pool     zs_get_total_pages(), NR_ZSPAGES and the page allocator's pages
//            in use equal the pages the zspages hold (plus isolated pages a
//            free already detached, for pages in use)
//   end      after freeing everything: no zspage left; after
//            zs_destroy_pool: every page and NR_ZSPAGES back
// WARNs and lockdep reports are caught at the same points.
//
// Example:
//   oracle::InvariantObserver obs("post");
//   ExecOptions opt; opt.observer = &obs;
//   ExecResult r = Execute(program, v, opt);
//   if (obs.failure()) puts(obs.failure()->headline.c_str());
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "allocator/zsmalloc/zs_introspect.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "oracle/exec/executor.h"
#include "oracle/failure.h"
#include "oracle/program/sizes.h"

namespace zsfuzz::oracle {

struct ZspageRecord {
  zs_zspage_info info{};  // info.handles is not valid here: see `handles`
  std::vector<unsigned long> handles;
};

struct ClassWalk {
  zs_class_info info{};  // the snapshot's stats of the class
  std::vector<ZspageRecord> zspages;
};

// What the walk saw, with the snapshot taken just before it.
struct PoolWalk {
  QuiescentPoint point = QuiescentPoint::kAfterOp;
  std::vector<ClassWalk> classes;  // canonical classes
  unsigned long total_pages = 0;
  long nr_zspages = 0;    // relative to the start of the run
  long pages_in_use = 0;  // relative to the start of the run
  std::vector<unsigned long> isolated_pfns;
  std::vector<SlotView> live;
};

// Walks the pool of `view` (which must carry its snapshot).
PoolWalk TakeWalk(const ExecView& view);

// The walk of the last quiescent point, brought up to date: only the classes
// the view marks dirty are walked again (all of them when it marks none, as
// at the drain). Equal to TakeWalk(view) whenever the classes not marked did
// not change (the executor's promise; a test checks it on random programs).
class WalkCache {
 public:
  const PoolWalk& Update(const ExecView& view);

 private:
  PoolWalk walk_;
};

// The first invariant the walk breaks, if any. `where` and `position` go into
// the failure as they are.
std::optional<Failure> CheckWalk(const PoolWalk& walk, const std::string& where, uint64_t position);

// The same with `where` made only for a failure, and the zspage, class and
// object checks limited to the classes marked in `dirty` (null: all), which
// are the only ones that may have changed since a walk that passed.
using DirtyClasses = std::array<uint8_t, kNumSizeClasses>;
using WhereFn = std::function<std::string()>;
std::optional<Failure> CheckWalk(const PoolWalk& walk, const WhereFn& where, uint64_t position,
                                 const DirtyClasses* dirty);

// After zs_destroy_pool: every page and NR_ZSPAGES back where they were.
std::optional<Failure> CheckTeardown(const ExecResult& exec);

// The run itself: it did not finish (BUG, deadlock, step budget: field
// "BUG: <condition>", "deadlock", "step-budget"), the pool could not be
// created, or a WARN or lockdep report came after the last quiescent point.
std::optional<Failure> CheckKernel(const ExecResult& exec, bool sequential);

// The first "BUG: <what> at <file>:<line>" line of a kernel report (a
// scheduler's, or a process's stderr), and <what> in *what; "" if none.
std::string BugLine(const std::string& report, std::string* what);

// The title of a lockdep report ("possible circular locking dependency detected").
std::string LockdepTitle(const char* report);

// Walks and checks at every quiescent point of a run; stops the run at the
// first failure (the drain and teardown still run).
class InvariantObserver : public ExecObserver {
 public:
  explicit InvariantObserver(std::string variant) : variant_(std::move(variant)) {}
  bool AtQuiescentPoint(const ExecView& view) override;
  const std::optional<Failure>& failure() const { return failure_; }

 private:
  const std::string variant_;
  WalkCache walks_;
  std::optional<Failure> failure_;
};

}  // namespace zsfuzz::oracle
