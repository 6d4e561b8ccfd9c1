// An op program: the fuzz input of zsfuzz, in memory.
//
// A program is 1 to 8 threads, each a list of ops, plus the schedule that
// interleaves them (DESIGN.md "Op programs"). Text form:
//
//   # zsfuzz program v1
//   threads 3
//   t0: malloc 1200 -> a ; write a ; read a ; free a
//   t1: malloc 40 -> b ; compact ; free b
//   t2: migrate b page 0 ; flush
//   schedule pct depth=2 seed=17
//
// Slots. Every malloc defines a new slot (its result handle), named a, b, ...,
// z, aa, ab, ... in order of definition (thread 0's ops first, then thread 1's).
// free/write/read/read_sg may name only a slot defined earlier in the same
// thread: a handle belongs to the thread that allocated it (the zsmalloc API
// contract: nobody else frees or maps it). isolate/migrate/putback may name
// any slot of any thread: they act on the PFN that slot's zspage page had
// when its owner last touched it, which may since have moved or been freed;
// the migration core copes with any page, as the kernel's PFN scanner does.
// At run time an op on a slot whose malloc failed, or that was already freed,
// does nothing and says so in the run's record.
//
// Semantics of each op (executor.h runs them):
//   malloc N -> s     zs_malloc(N); N may be 0 or above a page (error results)
//   free s            zs_free
//   write s           zs_obj_write of a pattern (slot, generation)
//   read s / read_sg s  zs_obj_read_begin/end or _sg_begin/end, checked
//   compact           zs_compact
//   shrink_count      the shrinker's count_objects
//   shrink_scan N     the shrinker's scan_objects with nr_to_scan N
//   isolate s page P  migration core step 1 on page P of s's zspage
//   migrate s page P  step 2 if this thread isolated that page, else all of
//                     isolate, migrate and (on failure) putback
//   putback s page P  step 3, if this thread isolated that page
//   flush             flush_work of the deferred-free work
//   stat_pages / stat_pool / stat_classes  zs_get_total_pages, zs_pool_stats,
//                     the debugfs classes table, recorded for the oracle
//   fail_pages N / fail_slab N  fail the next N page / slab allocations (0: stop)
//   pressure N        N extra yield points per zone-lock hold (0: none)
//
// Bulk ops. `malloc N x K -> s` is K mallocs of N bytes defining K slots in a
// row (s, then s+1 .. s+(K-1) in the text), and `free s x K` frees K slots
// in a row, each its thread's own. They exist to reach deep states (a full
// class, compactable zspages of the smallest class) in a few input bytes. In
// memory a bulk op is its K plain ops: the first unmarked, the other K-1 with
// Op::bulk set, so everything that runs or judges a program sees plain
// mallocs and frees; the executor takes one snapshot per bulk op, after its
// last member. A mark is valid on a malloc right after a malloc of the same
// size in its thread, and on a free right after a free of the slot below in
// its thread; a bulk op has at most kMaxBulk members and a program at most
// kMaxBulkMarks marks.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/kernel/sched/schedule.h"
#include "oracle/program/sizes.h"

namespace zsfuzz {

enum class OpArgs { kNone, kSize, kSlot, kSlotPage, kValue };

enum class OpCode : uint8_t {
#define ZS_OP(name, text, args) k##name,
#include "oracle/program/ops.def"
#undef ZS_OP
};

inline constexpr int kNumOpCodes = 0
#define ZS_OP(name, text, args) +1
#include "oracle/program/ops.def"
#undef ZS_OP
    ;

inline constexpr int kMaxThreads = 8;
inline constexpr int kProgramVersion = 1;

struct Op {
  OpCode code = OpCode::kCompact;
  uint32_t size = 0;   // kSize: the malloc size (0 .. kMaxMallocSize)
  uint32_t slot = 0;   // kSize: the slot it defines; kSlot/kSlotPage: the slot named
  uint32_t page = 0;   // kSlotPage: page index within the zspage (0 .. 15)
  uint32_t value = 0;  // kValue
  // malloc, free: this op continues the bulk op of the thread's previous op
  // (see "Bulk ops" above).
  bool bulk = false;
  bool operator==(const Op&) const = default;
};

struct Program {
  int version = kProgramVersion;
  unsigned int chain_size = 8;           // CONFIG_ZSMALLOC_CHAIN_SIZE of the pools, 4..16
  std::vector<std::vector<Op>> threads;  // 1 .. kMaxThreads
  zs_sched::Schedule schedule;
  bool operator==(const Program&) const = default;

  int NumSlots() const;  // slots defined by malloc ops
};

// Sizes above PAGE_SIZE (ZS_MAX_ALLOC_SIZE) exercise -ENOSPC: 8192 on 4 KiB pages.
inline constexpr uint32_t kMaxMallocSize = 2 * kPageSize;
inline constexpr uint32_t kMaxPage = 15;  // page index: a zspage has at most 16 pages
// kValue ops (shrink_scan, fail_pages, fail_slab, pressure) take 0..kMaxOpValue:
// enough to fail every allocation of a program, small enough that pressure
// cannot turn one zone-lock hold into a timeout.
inline constexpr uint32_t kMaxOpValue = 1024;
// A bulk op's members (kMaxBulk: two zspages of the smallest class), and
// the marks of a program: what a 2 KiB input can expand to stays bounded.
inline constexpr uint32_t kMaxBulk = 256;
inline constexpr uint32_t kMaxBulkMarks = 4096;
inline constexpr unsigned int kMinChainSize = 4;
inline constexpr unsigned int kMaxChainSize = 16;
inline constexpr unsigned int kDefaultChainSize = 8;

// The bulk op that ops[i] is a member of, as [first, end); a plain op is a
// bulk op of one. `op_of` projects an element to its Op (the mutator's drafts).
template <typename Seq, typename Proj = std::identity>
std::pair<size_t, size_t> BulkOpAt(const Seq& ops, size_t i, Proj op_of = {}) {
  size_t first = i, end = i + 1;
  while (first > 0 && std::invoke(op_of, ops[first]).bulk) first--;
  while (end < ops.size() && std::invoke(op_of, ops[end]).bulk) end++;
  return {first, end};
}

// "a", "b", ..., "z", "aa", "ab", ...
std::string SlotName(uint32_t slot);

// The op's text name ("read_sg") and argument kind, from ops.def.
const char* OpName(OpCode code);
OpArgs ArgsOf(OpCode code);
// The op named `name`, or nullopt.
std::optional<OpCode> OpCodeFromName(std::string_view name);

// Empty if `p` is a valid, normalized program; else one line saying what is
// wrong and where ("t1 op 3 (free): slot 'c' belongs to t0"). Valid means:
// version kProgramVersion; chain 4..16; 1..kMaxThreads threads; each malloc
// defines the next slot (0, 1, ... in thread order) with size <= kMaxMallocSize;
// free/write/read/read_sg name a slot defined earlier in the same thread;
// isolate/migrate/putback name any slot (< NumSlots()) and page <= kMaxPage;
// kValue ops value <= kMaxOpValue; the schedule's parameters in their ranges
// (pct depth 1..64, steps >= 1; rr quantum >= 1); bulk marks where "Bulk ops"
// allows them. Normalized means every Op field its kind does not use is 0, so
// the binary and text forms hold all of it.
std::string Validate(const Program& p);

// Clears the Op fields each op's kind does not use, numbers the malloc slots
// 0, 1, ... in thread order (renaming references to match; a reference to no
// malloc is left for Validate to report) and resets the schedule parameters
// its strategy does not use to their defaults, and clears the bulk marks
// "Bulk ops" does not allow (an edit that split a bulk op leaves plain ops,
// or two bulk ops, behind). Valid programs come out equal
// (operator==) to what they went in as, and Validate accepts them.
void Normalize(Program* p);

}  // namespace zsfuzz
