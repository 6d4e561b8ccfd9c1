// File: linearization.h
//
// Level 5: linearization replay. A run of several threads records every
// class->lock acquisition (ExecOptions::record_class_locks, in the order the
// scheduler let them happen). zsmalloc changes a class only inside its
// class->lock, so the class's state after the run is a function of the order
// of those sections. When each op's sections in a class form one block,
// running the ops one after the other in an order that keeps every class's
// block order must leave every class as the concurrent run left it. Run on
// the other variant, that replay must then give what the recorded run gave
// (CompareReplay): each malloc's result, what each compact and shrink_scan
// returned, and after the drain every class's stats, zs_get_total_pages,
// NR_ZSPAGES, pages_compacted and the shrinker's count. Level 4 leaves these
// alone because they depend on the interleaving; here the interleaving is
// fixed.
//
// Linearize says why no such order exists ("not exact") when the run did
// what no sequence of whole ops can do, so that a correct variant never
// fails the replay:
//   - another op's section came between two of an op's sections in one
//     class (a compaction that dropped the lock for a waiter, a malloc that
//     found no zspage with room, allocated one with the lock dropped and
//     came back to a class that had room by then). A malloc that came back
//     to a class still without room is whole at its last section: its first
//     only looked (ClassLockEntry::class_full);
//   - a task other than the program's threads took a class->lock (the
//     deferred free of a zspage whose page lock a migration held);
//   - a compact or shrink_scan took no class lock (another compaction was in
//     progress, zs_compact returned 0) or took one while another thread may
//     have held one of the class's zspage locks (between a read's begin and
//     end, or inside a write), which stops compaction of the class;
//   - fail_pages or fail_slab armed an injector (which allocation meets the
//     failure depends on page and slab allocations outside the class locks);
//   - the classes' orders admit no common order (a cycle).
// Only malloc, free, compact and shrink_scan are replayed: the other ops
// change no class (reads, writes, stats, migration's isolate, migrate and
// putback, flush) or are refused above (fail_*).
//
// Example:
//   oracle::Linearization lin = oracle::Linearize(program, post_run);
//   if (lin.exact()) {
//     ExecResult replayed = Execute(lin.replay, zs_find_variant("pre"), {.snapshots = false});
//     if (auto f = oracle::CompareReplay(program, post_run, lin, replayed)) puts(f->headline.c_str());
//   }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "oracle/exec/executor.h"
#include "oracle/failure.h"
#include "oracle/program/program.h"

namespace zsfuzz::oracle {

struct Linearization {
  // Empty: `replay` is the run's order. Else one line saying why there is
  // none, e.g. "t1 op 2 (malloc 40 -> b): class 2's sections split by t0 op 1
  // (free a)".
  std::string not_exact;
  bool exact() const { return not_exact.empty(); }
  // One thread: the replayed ops in their order, slots numbered anew in it.
  Program replay;
  // Replay op k was op origin[k].second of program thread origin[k].first.
  std::vector<std::pair<int, uint32_t>> origin;
};

// The order of `run` (a run of `program` with ExecOptions::record_class_locks,
// finished and drained), or why there is none.
Linearization Linearize(const Program& program, const ExecResult& run);

// `replayed` (lin.replay run on another variant, ExecOptions::snapshots off)
// against `recorded`: the first difference, as a Level::kReplay failure
// ("class 17 obj_allocated: post=64 pre=60"), or none.
std::optional<Failure> CompareReplay(const Program& program, const ExecResult& recorded,
                                     const Linearization& lin, const ExecResult& replayed);

}  // namespace zsfuzz::oracle
