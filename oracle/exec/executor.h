// File: exec/executor.h
//
// The program executor: runs an op program (program/program.h) on one
// zsmalloc variant, from a clean simulated kernel, under the deterministic
// scheduler, and records what every op did plus snapshots of everything a
// user of the pool can observe. The oracle (oracle/) judges the record; the
// executor itself judges nothing.
//
// One run, in order, all inside zs_sched::RunDeterministic (BugAction::kReturn,
// so a BUG ends the run with a report instead of aborting) unless
// ExecOptions::free_running asks for real threads:
//   1. the kernel is reset to a fresh process's (kernel::kernel_reset(): every
//      page free, PFNs from the start, counters, caches, workqueue, lockdep,
//      WARN count, fault injection and pressure off), even after a run that
//      abandoned its pool, so a program gives the same PFNs, trace and trace
//      hash every time, wherever it comes in a process;
//   2. a pool of the program's chain size is created;
//   3. one thread: the root virtual thread runs thread 0's ops in order, with a
//      Snapshot after each (after a bulk op's last member only: the other
//      members' after_op entries stay not taken; every number; the debugfs text is taken by
//      stat_classes ops and at the drain); N threads: one kthread per program thread, the
//      program's schedule interleaving them;
//   4. drain: fault injection and pressure off, flush_deferred, snapshot
//      (`drained`); every live slot is freed, flush again, snapshot
//      (`emptied`); the pool is destroyed and the page counters read. If
//      threads of a run of several left pages isolated (migrations in
//      flight), the teardown is zram's reset racing kcompactd instead: one
//      kthread frees every slot and calls zs_destroy_pool (with no flush of
//      the harness's before it), another migrates each of those pages (or
//      puts it back), interleaved by the schedule; no `emptied` snapshot.
// An ExecObserver sees the pool at each quiescent point (after every op when
// sequential, after the drain and after emptying) to walk it.
//
// Slots (program.h) live in a table: the owner thread keeps the handle,
// size and write generation, touched by no other thread; the PFNs of the
// slot's zspage pages, recorded by the owner after each malloc/write/read,
// are relaxed atomics that other threads' isolate/migrate/putback read. No
// harness lock orders the virtual threads, so TSan still sees every race
// between them that the allocator has. Pages a thread isolated are its own;
// at its end the one thread of a sequential run puts back what it still
// holds, and several threads leave theirs to the teardown (4.).
//
// Example:
//   zsfuzz::ExecOptions opt;
//   zsfuzz::ExecResult r = zsfuzz::Execute(program, zs_find_variant("post"), opt);
//   if (r.run.status != zs_sched::RunStatus::kFinished) puts(r.run.report.c_str());
//
// NOTE: one Execute at a time per process (one simulated kernel).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "allocator/kernel/sched/runner.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "kernel/seq_file.h"
#include "oracle/exec/class_list.h"
#include "oracle/program/program.h"
#include "oracle/program/sizes.h"

namespace zsfuzz {

// The pattern `write s` stores: FillPattern(SlotPatternId(s), generation),
// generation 1 for the slot's first write (object_pattern.h).
inline uint64_t SlotPatternId(uint32_t slot) { return uint64_t{slot} + 1; }
// FNV-1a over `len` bytes, 8 at a time in four lanes: the content checksum in
// records and snapshots.
uint64_t ContentChecksum(const void* data, size_t len);
// The checksum of what `write` stores at `generation` (>= 1).
uint64_t PatternChecksum(uint32_t slot, uint64_t generation, size_t size);

// The trace site of the yield point each op starts with: in a recorded trace,
// a program thread's n-th step at this site begins its op n.
inline constexpr const char kOpStartSite[] = "zsfuzz_op";
// The same for the start of a snapshot.
inline constexpr const char kSnapshotSite[] = "zsfuzz_snapshot";

enum class OpStatus : uint8_t {
  kNotRun,       // not run, or not finished: the run ended (BUG, deadlock, step budget) or stopped
  kDone,         // the op called into the allocator; err/value say how it went
  kNoSlot,       // free/write/read/read_sg of a slot not live in this thread: nothing done
  kNoPage,       // isolate/migrate/putback: the slot's owner never recorded that page
  kNotIsolated,  // putback of a page this thread does not hold isolated
};
const char* OpStatusName(OpStatus s);

// One instant of the pool's counters, read by a stat_pages op with no yield
// point in between (zs_variant_ops::class_info_nolock), and what other
// threads were in the middle of then. The inputs of the in-flight bounds.
struct StatsProbe {
  unsigned long total_pages = 0;  // zs_get_total_pages(): pages_allocated
  unsigned long class_pages = 0;  // sum of obj_allocated / objs_per_zspage * pages_per_zspage
  long nr_zspages = 0;            // NR_ZSPAGES minus its value at the start of the run
  // Sum of pages_per_zspage over the classes whose class->lock was held.
  unsigned long locked_class_pages = 0;
  // Sum of pages_per_zspage of the object's class over the other program
  // threads inside zs_free() / zs_malloc() at that instant.
  unsigned long freeing_pages = 0;
  unsigned long allocating_pages = 0;
};

// What one op did. Fields an op does not produce stay at their defaults.
struct OpResult {
  OpStatus status = OpStatus::kNotRun;
  // malloc: 0 or the -errno it returned; isolate: 0 or -EBUSY (refused);
  // migrate: what migrate_one_page / migrate_movable_ops_page returned.
  long err = 0;
  // malloc: the handle; compact, shrink_count, shrink_scan: the return value;
  // stat_pages: zs_get_total_pages(); stat_pool: pages_compacted;
  // isolate/migrate/putback: the PFN acted on.
  unsigned long value = 0;
  // read, read_sg: writes to the slot before the read (0: never written, the
  // bytes are undefined and not compared), the checksum of the bytes read,
  // and the first byte that differs from the pattern (-1: none).
  uint64_t generation = 0;
  uint64_t checksum = 0;
  long first_diff = -1;
  uint8_t expected_byte = 0;
  uint8_t actual_byte = 0;
  std::string sg_problem;  // read_sg: the scatterlist does not cover the object exactly
  // Injected failures handed out during the call (by any thread), from the
  // injectors' pending counts; and whether any fail_pages/fail_slab with a
  // non-zero count had run (any thread) by the time the call returned.
  long page_faults_used = 0;
  long slab_faults_used = 0;
  bool faults_armed = false;
  // compact, shrink_scan: pages of empty zspages this thread released during
  // the op, freed or handed to the deferred free (the allocator's probe,
  // kernel::task_struct::pages_released); not what the deferred worker frees.
  unsigned long pages_released = 0;
  // stat_pages: the instant it read.
  StatsProbe probe;
  // stat_classes: the debugfs table and class_info() of every canonical
  // class (each read under its own class->lock, one after the other).
  kernel::seq_record class_table;
  std::vector<zs_class_info> classes;
};

// A live slot at a snapshot.
struct SlotView {
  uint32_t slot = 0;
  int thread = 0;  // its owner
  unsigned long handle = 0;
  uint32_t size = 0;
  uint64_t generation = 0;       // 0: never written
  unsigned int class_index = 0;  // canonical class (zs_lookup_class_index(size + 8))
  uint64_t checksum = 0;         // of its bytes read back (0 when never written)
};

// Everything observable about the pool at one point.
struct Snapshot {
  bool taken = false;
  kernel::seq_record class_table;    // debugfs zsmalloc/<pool>/classes (drained only)
  ClassList classes;                 // canonical classes, by index (class_list.h)
  unsigned long total_pages = 0;     // zs_get_total_pages()
  long pages_compacted = 0;          // zs_pool_stats()
  long nr_zspages = 0;               // NR_ZSPAGES minus its value at the start of the run
  long pages_in_use = 0;             // nr_pages_in_use() minus its value at the start of the run
  unsigned long shrinker_count = 0;  // drained only: the shrinker's count_objects
  std::vector<SlotView> live;        // by slot number
};

enum class QuiescentPoint { kAfterOp, kDrained, kEmptied };
const char* QuiescentPointName(QuiescentPoint p);

// The pool at a quiescent point, for an observer. Valid during the call only.
struct ExecView {
  const Program* program = nullptr;
  const zs_variant_ops* variant = nullptr;
  zs_pool* pool = nullptr;
  QuiescentPoint point = QuiescentPoint::kAfterOp;
  int thread = 0;  // kAfterOp: the op just run
  uint32_t index = 0;
  const Snapshot* snapshot = nullptr;  // taken just before
  // kAfterOp of an incremental run: the classes (by canonical index) the
  // snapshot read again; the others are as at the previous quiescent point.
  // Null: every class may have changed.
  const std::array<uint8_t, kNumSizeClasses>* dirty = nullptr;
  // PFNs of the pages program threads hold isolated (kAfterOp: the thread's;
  // kDrained: every thread's, left for the teardown).
  std::vector<unsigned long> isolated_pfns;
};

// Called on the virtual thread that runs the program's root, with no other
// thread running, so it may use the pool's read-only introspection.
class ExecObserver {
 public:
  virtual ~ExecObserver() = default;
  // Return false to stop running ops (the drain and teardown still run).
  virtual bool AtQuiescentPoint(const ExecView& view) = 0;
};

struct ExecOptions {
  // Sequential runs: a Snapshot after every op (needed by the differential),
  // which the observer sees. Without it the observer sees only the drain and
  // the emptied pool, as in a run of several threads.
  bool snapshots = true;
  // The backend. Deterministic (the default): everything runs under
  // zs_sched::RunDeterministic with the program's schedule, as described
  // above. Free-running: the root runs on the calling OS thread and each
  // program thread is a real kthread, so the machine decides the
  // interleaving: no trace, no step budget, a BUG aborts the process, and a
  // stat_pages probe is not one instant (the in-flight bounds do not apply).
  // Programs of more than kMaxThreads threads run on either backend.
  bool free_running = false;
  // Sequential runs: a snapshot reads again only the class an op on one
  // object touched (and the contents of that class's objects), copying the
  // rest from the previous snapshot; ops that only read (stat_*,
  // shrink_count) or do not call the pool (fail_*, pressure) read no class
  // again; compact, shrink_scan, flush, isolate, migrate and putback read
  // every class's numbers and everything of the classes that changed or hold
  // anything (a class empty before and after is not walked), and so does a
  // snapshot after another virtual thread (a kworker) ran. ExecView::dirty tells
  // the observer the same. Off: every snapshot reads everything (the test
  // that both give the same snapshots and walks turns it off).
  bool incremental = true;
  // If set, incremented (relaxed) after every op any thread finishes: for a
  // progress line on another OS thread.
  std::atomic<uint64_t>* ops_done = nullptr;
  bool record_trace = false;  // RunResult::trace gets every step
  // Several threads, deterministic backend: ExecResult::class_locks gets
  // every class->lock acquisition from the first op to the drain's flush
  // (the order level 5 replays, oracle/linearization.h).
  bool record_class_locks = false;
  // Only the counts at the drain: no debugfs table there and no `emptied`
  // snapshot (level 5's replay reads the drained classes and counters).
  bool counts_only = false;
  uint64_t max_steps = 0;  // 0: a budget scaled to the program
  ExecObserver* observer = nullptr;
  zs_sched::ObjectNamer namer;  // names objects in traces and reports
};

// A pool's locks by address: "class[17]" (the lock of a canonical class) and
// "zs_pool". Names are made only when a trace or report is printed; the
// addresses are keys only, never read through, so they stay usable after the
// pool is gone.
struct LockTable {
  std::vector<std::pair<const void*, unsigned int>> class_locks;  // lock, canonical index
  const void* pool_lock = nullptr;
  // The name of `obj`, or "" if it is none of these locks.
  std::string Name(const void* obj) const;
};

// One class->lock acquisition (ExecOptions::record_class_locks), in the
// order the program threads acquired the locks. A kworker's acquisitions
// are not an order of the program's: the first one is kept, at the end,
// with thread -1.
struct ClassLockEntry {
  uint16_t class_index = 0;  // the canonical class
  int16_t thread = -1;       // the program thread; -1: another task (a kworker)
  uint32_t op = 0;           // the thread's op it happened in
  // Another program thread may have held the zspage lock of an object of
  // this class then, which compaction's trylock would meet: inside a read,
  // read_sg or write op of such an object, it had taken a zspage lock's
  // inner spinlock and its end call had not returned.
  bool zspage_lock_elsewhere = false;
  // A malloc's acquisition: every object the class had allocated was in
  // use (obj_used == obj_allocated), so no zspage of the class had room.
  bool class_full = false;
};

struct ExecResult {
  const zs_variant_ops* variant = nullptr;
  zs_sched::RunResult run;
  bool pool_created = false;
  bool stopped = false;                    // an observer asked to stop
  bool teardown_done = false;              // the pool was destroyed (the run got that far)
  std::vector<std::vector<OpResult>> ops;  // [thread][op]
  std::vector<Snapshot> after_op;          // sequential: after thread 0's op i (taken: see 3. above)
  Snapshot drained;
  Snapshot emptied;
  // After zs_destroy_pool, relative to the start of the run.
  long pages_in_use_end = 0;
  long nr_zspages_end = 0;
  // Kernel reports during the run.
  unsigned long warns = 0;
  unsigned long lockdep_reports = 0;
  std::string lockdep_first;  // the first report
  // The pool's locks, taken when the pool was created: names for this run's
  // trace steps.
  LockTable locks;
  bool class_locks_recorded = false;  // ExecOptions::record_class_locks was honoured
  std::vector<ClassLockEntry> class_locks;
};

// Runs `program` (valid, see program.h Validate) on variant `v`.
ExecResult Execute(const Program& program, const zs_variant_ops* v, const ExecOptions& options);

// Names trace objects of `r`'s run from r.locks (a copy: the namer may
// outlive `r`), so a step on a class lock reads "#4 &class_->lock class[17]".
zs_sched::ObjectNamer LockNamer(const ExecResult& r);

}  // namespace zsfuzz
