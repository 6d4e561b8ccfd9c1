// Private to oracle/exec: the state of one Execute() run, shared by the run
// (executor.cc) and the ops (exec_ops.cc).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "allocator/kernel/sched/runner.h"
#include "kernel/lockdep.h"
#include "kernel/page.h"
#include "kernel/spinlock.h"
#include "oracle/exec/executor.h"
#include "oracle/exec/object_pattern.h"

namespace zsfuzz::exec_internal {

inline constexpr unsigned int kNumClassIndices = kNumSizeClasses;  // ZS_SIZE_CLASSES
static_assert(kPageSize == kernel::PAGE_SIZE, "the size model's page is the simulated kernel's");
inline constexpr unsigned int kMaxZspagePages = 16;  // the longest chain

struct Slot {
  // The owner's: no other thread reads or writes these while it runs (the
  // root reads them after joining it).
  int owner = -1;
  bool live = false;
  unsigned long handle = 0;
  uint32_t size = 0;
  uint64_t generation = 0;
  unsigned int class_index = 0;
  // PFNs of the zspage's pages when the owner last touched the slot (0: no
  // such page). Relaxed: other threads' migration ops read them, and reading
  // them must not order those threads after the owner.
  std::array<std::atomic<unsigned long>, kMaxZspagePages> pfn{};
};

// A page this thread isolated, under the (slot, page) it was named by.
struct Isolation {
  uint32_t slot;
  uint32_t page_index;
  kernel::page* page;
};

class RunState;

// The oracle's reads of the pool (snapshots, walks, the class table at
// creation): no scheduler steps while nothing else can run
// (zs_sched::OracleSection) and no lockdep tracking (they take one lock at a
// time and are not the program's, so they add nothing to its lock graph).
class OracleReads {
 public:
  OracleReads() { kernel::lockdep_off(); }
  ~OracleReads() { kernel::lockdep_on(); }
  OracleReads(const OracleReads&) = delete;
  OracleReads& operator=(const OracleReads&) = delete;

 private:
  zs_sched::OracleSection quiet_;
};

// A page of scratch bytes, not zeroed (zeroing three of them was about 2 %
// of a seed's instructions): every use writes the bytes it then reads.
using PageBuffer = std::unique_ptr<uint8_t[]>;
inline PageBuffer NewPageBuffer() { return std::make_unique_for_overwrite<uint8_t[]>(kernel::PAGE_SIZE); }

struct ThreadState {
  ThreadState(RunState* r, int i) : run(r), index(i) {}
  RunState* run;
  int index;
  // Its task and the op it is in, for the class->lock record (set by the
  // thread itself).
  std::atomic<const kernel::task_struct*> task{nullptr};
  uint32_t op = 0;
  // Its class->lock acquisitions, with their place in the run's order.
  std::vector<std::pair<uint64_t, ClassLockEntry>> class_locks;
  std::vector<Isolation> isolated;
  PageBuffer expect = NewPageBuffer();  // the pattern to write or compare
  PageBuffer buf = NewPageBuffer();     // obj_read_begin's local copy
};

struct ClassGeometry {
  unsigned int canonical = 0;
  int pages_per_zspage = 0;
};

// What a new pool of variant `v` at `chain_size` looks like: its class
// table, and the class_info of its canonical classes (in index order, empty).
// Read from `pool` (a new pool of that chain size) the first time and cached
// for the process.
struct PoolGeometry {
  std::array<ClassGeometry, kNumClassIndices> classes{};
  std::vector<unsigned int> canonical;  // the indices i with classes[i].canonical == i, in order
  // A run's first snapshot starts from these entries and reads every class:
  // the classes its first op left alone keep sharing them, so they cost no
  // allocation.
  ClassList empty_classes;
};
const PoolGeometry& GeometryOf(const zs_variant_ops* v, zs_pool* pool, unsigned int chain_size);

class RunState {
 public:
  RunState(const Program& program, const zs_variant_ops* v, const ExecOptions& options, ExecResult* result);

  // The pool of a run that ended before teardown (a BUG, the step budget, a
  // deadlock), or nullptr.
  zs_pool* abandoned_pool() const { return result_->teardown_done ? nullptr : pool_; }
  // The handles of the slots still live.
  std::vector<unsigned long> live_handles() const {
    std::vector<unsigned long> h;
    for (int s = 0; s < nr_slots_; s++)
      if (slots_[s].live) h.push_back(slots_[s].handle);
    return h;
  }

  void SetBases(long pages_in_use, long nr_zspages) {
    pages_base_ = pages_in_use;
    zspages_base_ = nr_zspages;
  }
  // The root virtual thread: pool, threads, drain, teardown.
  void Root();
  // Ends the class->lock record if it is on (the drain ends it; a run that
  // BUGged before the drain still must).
  void StopClassLockRecord();

 private:
  static void ThreadMain(void* arg);
  void RunThread(ThreadState* t, bool sequential);
  // isolated: the pages program threads hold isolated (walks count them as in use).
  bool Observe(QuiescentPoint point, int thread, uint32_t index, const Snapshot* snap,
               const std::vector<Isolation>* isolated);
  void FreeEverySlot();
  void TeardownRacingMigration(std::vector<Isolation> in_flight);
  static void ResetMain(void* arg);
  // The class->lock record (ExecOptions::record_class_locks): on from the
  // threads' start to the drain's snapshot, fed by the spinlock probe.
  void StartClassLockRecord(const std::vector<std::unique_ptr<ThreadState>>& threads);
  static void OnSpinAcquired(const kernel::spinlock_t* lock);
  void RecordClassLock(const kernel::spinlock_t* lock);
  // For the record: `t` is about to take the zspage lock of an object of
  // class `class_index` (read's begin, write), and has given it back (the
  // end returned). In between, its first acquisition of a zspage lock's
  // inner spinlock marks it as holding one.
  void MayTakeZspageLock(const ThreadState* t, unsigned int class_index);
  void ZspageLockReleased(const ThreadState* t);
  ThreadState* RecordedThread(const kernel::task_struct* task) const;
  // The program threads' entries into ExecResult::class_locks, once they are joined.
  void MergeClassLockRecord();
  static void MigrationMain(void* arg);
  // with_table: also the debugfs class table, whose formatting would cost
  // more than the rest of a per-op snapshot; class_info carries its numbers.
  // Classes not marked in dirty_ (and their objects' contents) are copied
  // from the previous snapshot instead of read again.
  void TakeSnapshot(Snapshot* s, bool with_table);
  // Marks what op `op` of a sequential run may have changed: its object's
  // class for malloc/free/write/read/read_sg with nobody else running, else
  // every class (MarkAllDirty).
  void MarkDirty(ThreadState* t, const Op& op);
  void MarkClass(unsigned int index);  // MarkDirty's one class
  void MarkAllDirty();
  unsigned long PagesPerZspage(uint32_t size) const;
  unsigned int ClassIndexOfSize(uint32_t size) const;

  // exec_ops.cc
  void RunOp(ThreadState* t, const Op& op, OpResult* r);
  void Malloc(ThreadState* t, const Op& op, OpResult* r);
  void Free(ThreadState* t, Slot* slot, OpResult* r);
  void Write(ThreadState* t, uint32_t n, Slot* slot, OpResult* r);
  void Read(ThreadState* t, uint32_t n, Slot* slot, OpResult* r);
  void ReadSg(ThreadState* t, uint32_t n, Slot* slot, OpResult* r);
  void Isolate(ThreadState* t, const Op& op, OpResult* r);
  void Migrate(ThreadState* t, const Op& op, OpResult* r);
  void Putback(ThreadState* t, const Op& op, OpResult* r);
  void StatPages(ThreadState* t, OpResult* r);
  void StatClasses(OpResult* r);
  void RecordPfns(Slot* slot);
  kernel::page* RecordedPage(const Op& op) const;

  const Program& program_;
  const zs_variant_ops* const v_;
  const ExecOptions& options_;
  ExecResult* const result_;
  zs_pool* pool_ = nullptr;
  long pages_base_ = 0;
  long zspages_base_ = 0;
  const PoolGeometry* geometry_ = nullptr;  // GeometryOf's, for the process
  std::unique_ptr<Slot[]> slots_;
  int nr_slots_ = 0;
  // Relaxed, like the PFNs: what each program thread is in the middle of
  // (pages_per_zspage of the object's class, 0 for nothing), for StatsProbe.
  std::unique_ptr<std::atomic<unsigned long>[]> in_free_;
  std::unique_ptr<std::atomic<unsigned long>[]> in_malloc_;
  // The incremental snapshot (ExecOptions::incremental): the last class_info
  // of every canonical class (in index order, as Snapshot::classes), the
  // position of each canonical index in it, the classes to read again, and
  // each live slot's last content checksum (valid while checksum_known_).
  ClassList class_cache_;
  std::array<int, kNumClassIndices> class_pos_{};
  std::array<uint8_t, kNumClassIndices> dirty_{};
  // MarkDirty marks one class at most: dirty_class_ (if one_dirty_), so that a
  // snapshot reads it without scanning dirty_.
  unsigned int dirty_class_ = 0;
  bool one_dirty_ = false;
  bool all_dirty_ = true;
  // The next snapshot reads every class but marks dirty_ only the classes
  // that changed or hold anything (an op that may touch any class).
  bool refine_ = false;
  // zs_sched::ThreadSwitches() when the last snapshot began its reads.
  uint64_t switches_mark_ = 0;
  size_t live_hint_ = 0;  // live slots at the last snapshot: the next one's reserve
  std::unique_ptr<uint64_t[]> slot_checksum_;
  std::unique_ptr<bool[]> checksum_known_;
  PageBuffer snapshot_buf_ = NewPageBuffer();  // obj_read_begin's copy
  // The class->lock record: lock addresses sorted, with canonical indices;
  // the program threads; each one's zspage lock state (executor.cc) and
  // the class of that zspage (relaxed: other virtual threads read them).
  std::vector<std::pair<const void*, unsigned int>> class_lock_index_;
  const char* class_lock_name_ = nullptr;  // their lockdep name (one static string)
  std::atomic<uint64_t> class_lock_seq_{0};
  std::atomic<int> foreign_class_lock_{-1};  // the class of a kworker's first acquisition, or -1
  std::vector<ThreadState*> recorded_threads_;
  std::unique_ptr<std::atomic<uint8_t>[]> zspage_lock_state_;
  std::unique_ptr<std::atomic<unsigned int>[]> zspage_lock_class_;
  std::atomic<bool> faults_armed_{false};
  std::atomic<bool> stop_{false};
  std::vector<Isolation> in_flight_;  // TeardownRacingMigration's pages
};

}  // namespace zsfuzz::exec_internal
