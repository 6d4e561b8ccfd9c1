// The program executor: the run around the ops (executor.h). The ops
// themselves are in exec_ops.cc.
#include "oracle/exec/executor.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "allocator/kernel/sched/runner.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "kernel/bug.h"
#include "kernel/lockdep.h"
#include "kernel/migrate.h"
#include "kernel/page_alloc.h"
#include "kernel/reset.h"
#include "kernel/sched.h"
#include "kernel/seq_file.h"
#include "kernel/workqueue.h"
#include "oracle/exec/exec_internal.h"

namespace zsfuzz {

uint64_t ContentChecksum(const void* data, size_t len) {
  // FNV-1a over 64-bit words in four lanes (word i goes to lane i % 4), so
  // that four multiplies are in flight instead of one chain; then the lanes
  // and the tail bytes into one. Each step is a bijection of the lane it
  // changes, and each lane's combine step too, so one changed byte always
  // changes the result.
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t lane[4] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL, 0x9ce484222325cbf2ULL,
                      0x2325cbf29ce48422ULL};
  size_t i = 0;
  for (; i + 32 <= len; i += 32) {
    uint64_t w[4];
    std::memcpy(w, p + i, 32);
    for (int j = 0; j < 4; j++) lane[j] = (lane[j] ^ w[j]) * kPrime;
  }
  uint64_t h = lane[0];
  for (int j = 1; j < 4; j++) h = (h ^ lane[j]) * kPrime;
  for (; i + 8 <= len; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    h = (h ^ word) * kPrime;
  }
  for (; i < len; i++) h = (h ^ p[i]) * kPrime;
  return h;
}

uint64_t PatternChecksum(uint32_t slot, uint64_t generation, size_t size) {
  uint8_t buf[kernel::PAGE_SIZE];  // an object is at most a page
  size = std::min<size_t>(size, sizeof buf);
  FillPattern(SlotPatternId(slot), generation, buf, size);
  return ContentChecksum(buf, size);
}

const char* OpStatusName(OpStatus s) {
  switch (s) {
    case OpStatus::kNotRun:
      return "not-run";
    case OpStatus::kDone:
      return "done";
    case OpStatus::kNoSlot:
      return "no-slot";
    case OpStatus::kNoPage:
      return "no-page";
    case OpStatus::kNotIsolated:
      return "not-isolated";
  }
  return "?";
}

const char* QuiescentPointName(QuiescentPoint p) {
  switch (p) {
    case QuiescentPoint::kAfterOp:
      return "after op";
    case QuiescentPoint::kDrained:
      return "after the drain";
    case QuiescentPoint::kEmptied:
      return "after freeing every object";
  }
  return "?";
}

namespace {

// A run that ends early leaves its pool allocated, as a kernel does after a
// BUG, with the objects its threads still held. Both stay reachable here (a
// handle is the address of its slab object, and only the run's slot table
// and the arena's object headers hold it) so that LeakSanitizer reports what
// an allocator loses, never what an abandoned run left (a finding already).
void KeepAbandonedPool(zs_pool* pool, std::vector<unsigned long> live_handles) {
  if (pool == nullptr) return;
  static auto* abandoned = new std::vector<zs_pool*>;
  static auto* handles = new std::vector<unsigned long>;
  abandoned->push_back(pool);
  handles->insert(handles->end(), live_handles.begin(), live_handles.end());
}

}  // namespace

namespace exec_internal {

namespace {
// The run whose class->lock acquisitions are being recorded (one Execute at
// a time per process), for the spinlock probe, which takes no context.
RunState* class_lock_recorder = nullptr;

// A program thread's zspage lock, as far as the record knows.
constexpr uint8_t kNoZspageLock = 0;
constexpr uint8_t kMayTakeZspageLock = 1;  // inside a read's begin or a write, before the lock
constexpr uint8_t kHoldsZspageLock = 2;    // took it; until the end call returns
// The lockdep name of struct zspage_lock's spinlock (spin_lock_init(&zsl->lock) in zsmalloc.cc).
constexpr char kZspageLockName[] = "&zsl->lock";
}  // namespace

const PoolGeometry& GeometryOf(const zs_variant_ops* v, zs_pool* pool, unsigned int chain_size) {
  // The table depends on the variant and the chain size only: read once per
  // pair in a process (a class_info call per class index, each under a class lock).
  static auto* cache = new std::map<std::pair<const zs_variant_ops*, unsigned int>, PoolGeometry>;
  auto [it, added] = cache->try_emplace({v, chain_size});
  if (added) {
    for (unsigned int i = 0; i < kNumClassIndices; i++) {
      zs_class_info ci{};
      v->introspect->class_info(pool, i, &ci);
      it->second.classes[i] = {ci.index, ci.pages_per_zspage};
      if (ci.index != i) continue;
      it->second.canonical.push_back(i);
      it->second.empty_classes.push_back(ci);
    }
  }
  return it->second;
}

RunState::RunState(const Program& program, const zs_variant_ops* v, const ExecOptions& options,
                   ExecResult* result)
    : program_(program), v_(v), options_(options), result_(result) {
  int slots = 0;
  for (const auto& ops : program.threads) {
    for (const Op& op : ops) {
      if (op.code == OpCode::kMalloc) slots = std::max<int>(slots, static_cast<int>(op.slot) + 1);
    }
  }
  slots_ = std::make_unique<Slot[]>(slots);
  nr_slots_ = slots;
  result_->ops.resize(program.threads.size());
  for (size_t t = 0; t < program.threads.size(); t++) result_->ops[t].resize(program.threads[t].size());
  const size_t threads = program.threads.size();
  in_free_ = std::make_unique<std::atomic<unsigned long>[]>(threads);
  in_malloc_ = std::make_unique<std::atomic<unsigned long>[]>(threads);
  for (size_t t = 0; t < threads; t++) {
    in_free_[t].store(0, std::memory_order_relaxed);
    in_malloc_[t].store(0, std::memory_order_relaxed);
  }
}

void RunState::Root() {
  pool_ = v_->create_pool("zsfuzz-exec", program_.chain_size);
  if (pool_ == nullptr) return;
  result_->pool_created = true;
  {
    OracleReads not_the_program;
    geometry_ = &GeometryOf(v_, pool_, program_.chain_size);
    for (unsigned int i = 0; i < kNumClassIndices; i++) {
      // Merged indices share their canonical class's lock: one name, the canonical index.
      if (geometry_->classes[i].canonical == i)
        result_->locks.class_locks.emplace_back(v_->introspect->class_lock(pool_, i), i);
    }
    result_->locks.pool_lock = v_->introspect->pool_lock(pool_);
  }

  std::vector<std::unique_ptr<ThreadState>> threads;
  threads.reserve(program_.threads.size());
  for (size_t t = 0; t < program_.threads.size(); t++)
    threads.push_back(std::make_unique<ThreadState>(this, static_cast<int>(t)));
  if (threads.size() == 1) {
    RunThread(threads[0].get(), /*sequential=*/true);
  } else {
    if (options_.record_class_locks && !options_.free_running) StartClassLockRecord(threads);
    std::vector<kernel::task_struct*> tasks;
    for (auto& t : threads) {
      const std::string name = absl::StrFormat("t%d", t->index);
      tasks.push_back(kernel::kthread_run(&RunState::ThreadMain, t.get(), name.c_str()));
    }
    for (kernel::task_struct* task : tasks) kernel::kthread_stop(task);
    if (class_lock_recorder == this) MergeClassLockRecord();
  }

  // Pages program threads left isolated: migrations still in flight, which
  // the teardown finishes (several threads only; one thread puts them back).
  std::vector<Isolation> in_flight;
  for (const auto& t : threads) in_flight.insert(in_flight.end(), t->isolated.begin(), t->isolated.end());

  // The drain: nothing may fail or dawdle on purpose any more.
  kernel::fault_inject_page_alloc(0);
  kernel::fault_inject_slab_alloc(0);
  kernel::set_zone_pressure(0);
  v_->flush_deferred(pool_);
  StopClassLockRecord();
  MarkAllDirty();
  TakeSnapshot(&result_->drained, /*with_table=*/!options_.counts_only);
  {
    // What the shrinker would be told now; the model holds it to the classes.
    OracleReads not_the_program;
    result_->drained.shrinker_count = v_->shrinker_count(pool_);
  }
  Observe(QuiescentPoint::kDrained, 0, 0, &result_->drained, &in_flight);

  if (in_flight.empty()) {
    FreeEverySlot();
    v_->flush_deferred(pool_);
    MarkAllDirty();
    // The table once per run, at the drain, where it has objects to show;
    // emptied, its numbers are all in the class_info compared anyway.
    if (!options_.counts_only) {
      TakeSnapshot(&result_->emptied, /*with_table=*/false);
      Observe(QuiescentPoint::kEmptied, 0, 0, &result_->emptied, nullptr);
    }
    v_->destroy_pool(pool_);
  } else {
    TeardownRacingMigration(std::move(in_flight));
  }
  pool_ = nullptr;
  {
    // A write to a page after its free, which no later allocation of the
    // page saw, is this run's finding, not a later input's.
    OracleReads not_the_program;
    kernel::check_free_pages_poison();
  }
  result_->pages_in_use_end = static_cast<long>(kernel::nr_pages_in_use()) - pages_base_;
  result_->nr_zspages_end = static_cast<long>(kernel::zone_page_state(kernel::NR_ZSPAGES)) - zspages_base_;
  result_->teardown_done = true;
}

void RunState::ThreadMain(void* arg) {
  auto* t = static_cast<ThreadState*>(arg);
  t->task.store(kernel::get_current(), std::memory_order_relaxed);
  t->run->RunThread(t, /*sequential=*/false);
}

void RunState::StartClassLockRecord(const std::vector<std::unique_ptr<ThreadState>>& threads) {
  class_lock_index_ = result_->locks.class_locks;
  std::sort(class_lock_index_.begin(), class_lock_index_.end());
  // The pool is live here: its first class lock's name is read once.
  class_lock_name_ = static_cast<const kernel::spinlock_t*>(class_lock_index_.front().first)->dep_map.name;
  for (const auto& t : threads) recorded_threads_.push_back(t.get());
  zspage_lock_state_ = std::make_unique<std::atomic<uint8_t>[]>(threads.size());
  zspage_lock_class_ = std::make_unique<std::atomic<unsigned int>[]>(threads.size());
  for (size_t t = 0; t < threads.size(); t++) {
    zspage_lock_state_[t].store(kNoZspageLock, std::memory_order_relaxed);
    zspage_lock_class_[t].store(0, std::memory_order_relaxed);
  }
  result_->class_locks_recorded = true;
  class_lock_recorder = this;
  kernel::set_spin_acquired_probe(&RunState::OnSpinAcquired);
}

void RunState::MergeClassLockRecord() {
  // The threads are joined; their entries, by the order they were taken in.
  std::vector<std::pair<uint64_t, ClassLockEntry>> all;
  for (ThreadState* t : recorded_threads_) {
    all.insert(all.end(), t->class_locks.begin(), t->class_locks.end());
    t->class_locks.clear();
  }
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  result_->class_locks.reserve(all.size() + 1);
  for (const auto& [seq, e] : all) result_->class_locks.push_back(e);
}

void RunState::StopClassLockRecord() {
  if (class_lock_recorder != this) return;
  kernel::set_spin_acquired_probe(nullptr);
  class_lock_recorder = nullptr;
  const int foreign = foreign_class_lock_.load(std::memory_order_relaxed);
  if (foreign >= 0) {
    ClassLockEntry e;
    e.class_index = static_cast<uint16_t>(foreign);
    result_->class_locks.push_back(e);  // thread -1: the record is not an order of the program's
  }
}

void RunState::OnSpinAcquired(const kernel::spinlock_t* lock) {
  if (class_lock_recorder != nullptr) class_lock_recorder->RecordClassLock(lock);
}

void RunState::MayTakeZspageLock(const ThreadState* t, unsigned int class_index) {
  if (zspage_lock_state_ == nullptr) return;
  zspage_lock_class_[t->index].store(class_index, std::memory_order_relaxed);
  zspage_lock_state_[t->index].store(kMayTakeZspageLock, std::memory_order_relaxed);
}

void RunState::ZspageLockReleased(const ThreadState* t) {
  if (zspage_lock_state_ != nullptr)
    zspage_lock_state_[t->index].store(kNoZspageLock, std::memory_order_relaxed);
}

ThreadState* RunState::RecordedThread(const kernel::task_struct* task) const {
  for (ThreadState* t : recorded_threads_)
    if (t->task.load(std::memory_order_relaxed) == task) return t;
  return nullptr;
}

// Runs on the task that took the lock. Each program thread keeps its own
// entries and a kworker only a flag: the virtual threads share no written
// memory here, so the record orders nothing for TSan; one relaxed counter
// gives the entries their order.
void RunState::RecordClassLock(const kernel::spinlock_t* lock) {
  ThreadState* t = RecordedThread(kernel::get_current());
  // Every class lock has the one lockdep name of spin_lock_init(&class_->lock).
  if (lock->dep_map.name != class_lock_name_) {
    // zspage_read_lock() takes the zspage lock's inner spinlock, known by
    // its lockdep name; other spinlocks (slab caches, the zone) say nothing.
    if (t != nullptr && zspage_lock_state_[t->index].load(std::memory_order_relaxed) == kMayTakeZspageLock &&
        lock->dep_map.name != nullptr && std::strcmp(lock->dep_map.name, kZspageLockName) == 0)
      zspage_lock_state_[t->index].store(kHoldsZspageLock, std::memory_order_relaxed);
    return;
  }
  const auto it = std::lower_bound(class_lock_index_.begin(), class_lock_index_.end(),
                                   std::pair<const void*, unsigned int>{lock, 0});
  if (it == class_lock_index_.end() || it->first != lock) return;  // another pool's
  if (t == nullptr) {
    int none = -1;  // the first such lock is the one to name
    foreign_class_lock_.compare_exchange_strong(none, static_cast<int>(it->second),
                                                std::memory_order_relaxed);
    return;
  }
  ClassLockEntry e;
  e.class_index = static_cast<uint16_t>(it->second);
  e.thread = static_cast<int16_t>(t->index);
  e.op = t->op;
  if (program_.threads[t->index][t->op].code == OpCode::kMalloc) {
    // This task holds the lock: the stats are stable.
    zs_class_info info{};
    bool locked = false;
    v_->introspect->class_info_nolock(pool_, it->second, &info, &locked);
    e.class_full = info.stats[13] == info.stats[12];
  }
  // Compaction of this class would trylock only this class's zspages.
  for (const ThreadState* other : recorded_threads_) {
    if (other != t && zspage_lock_state_[other->index].load(std::memory_order_relaxed) == kHoldsZspageLock &&
        zspage_lock_class_[other->index].load(std::memory_order_relaxed) == it->second)
      e.zspage_lock_elsewhere = true;
  }
  t->class_locks.emplace_back(class_lock_seq_.fetch_add(1, std::memory_order_relaxed), e);
}

void RunState::FreeEverySlot() {
  for (int s = 0; s < nr_slots_; s++) {
    if (slots_[s].live) {
      v_->free(pool_, slots_[s].handle);
      slots_[s].live = false;
    }
  }
}

// zram's reset against kcompactd: one kthread frees every object and
// destroys the pool (no flush of ours: zs_destroy_pool must wait for the
// deferred free itself), another finishes the migrations in flight, the
// program's schedule interleaving the two. A free that meets a page the
// migration holds locked leaves its zspage to the deferred free; a migration
// that comes after the free finds the page detached (zs_page_migrate's
// zspage == NULL case). No emptied snapshot: the pool is gone when both end.
void RunState::TeardownRacingMigration(std::vector<Isolation> in_flight) {
  in_flight_ = std::move(in_flight);
  kernel::task_struct* reset = kernel::kthread_run(&RunState::ResetMain, this, "zram-reset");
  kernel::task_struct* migration = kernel::kthread_run(&RunState::MigrationMain, this, "kcompactd0");
  kernel::kthread_stop(reset);
  kernel::kthread_stop(migration);
}

void RunState::ResetMain(void* arg) {
  auto* run = static_cast<RunState*>(arg);
  run->FreeEverySlot();
  run->v_->destroy_pool(run->pool_);
}

void RunState::MigrationMain(void* arg) {
  // mm/migrate.c: a page that did not move goes back to its owner.
  for (const Isolation& iso : static_cast<RunState*>(arg)->in_flight_) {
    if (kernel::migrate_movable_ops_page(iso.page, kernel::MIGRATE_SYNC, nullptr) != 0)
      kernel::putback_movable_ops_page(iso.page);
  }
}

void RunState::RunThread(ThreadState* t, bool sequential) {
  const std::vector<Op>& ops = program_.threads[t->index];
  std::vector<OpResult>& results = result_->ops[t->index];
  for (uint32_t i = 0; i < ops.size(); i++) {
    if (stop_.load(std::memory_order_relaxed)) break;
    if (sequential) MarkDirty(t, ops[i]);
    t->op = i;
    RunOp(t, ops[i], &results[i]);
    if (options_.ops_done != nullptr) options_.ops_done->fetch_add(1, std::memory_order_relaxed);
    if (!sequential || !options_.snapshots) continue;
    result_->after_op.emplace_back();
    // A bulk op gets one snapshot, after its last member (program.h).
    if (i + 1 < ops.size() && ops[i + 1].bulk) continue;
    Snapshot* snap = &result_->after_op.back();
    TakeSnapshot(snap, /*with_table=*/false);
    if (!Observe(QuiescentPoint::kAfterOp, t->index, i, snap, &t->isolated)) {
      result_->stopped = true;
      stop_.store(true, std::memory_order_relaxed);
    }
  }
  // One thread gives back the pages it still holds isolated; with several,
  // they are migrations in flight that the teardown races (Root).
  if (!sequential) return;
  for (const Isolation& iso : t->isolated) kernel::putback_movable_ops_page(iso.page);
  t->isolated.clear();
}

bool RunState::Observe(QuiescentPoint point, int thread, uint32_t index, const Snapshot* snap,
                       const std::vector<Isolation>* isolated) {
  if (options_.observer == nullptr) return true;
  OracleReads not_the_program;
  ExecView view;
  view.program = &program_;
  view.variant = v_;
  view.pool = pool_;
  view.point = point;
  view.thread = thread;
  view.index = index;
  view.snapshot = snap;
  if (point == QuiescentPoint::kAfterOp && options_.incremental && !all_dirty_) view.dirty = &dirty_;
  if (isolated != nullptr) {
    for (const Isolation& iso : *isolated) view.isolated_pfns.push_back(kernel::page_to_pfn(iso.page));
  }
  return options_.observer->AtQuiescentPoint(view);
}

void RunState::MarkAllDirty() {
  all_dirty_ = true;
  refine_ = false;
}

void RunState::MarkClass(unsigned int index) {
  if (one_dirty_ && dirty_class_ != index) {
    // A bulk free over slots of two classes: every class is read again.
    refine_ = !all_dirty_ || refine_;
    all_dirty_ = true;
    return;
  }
  dirty_[index] = 1;
  dirty_class_ = index;
  one_dirty_ = true;
}

void RunState::MarkDirty(ThreadState* t, const Op& op) {
  // A bulk op's members since its first add up to one snapshot's worth.
  if (!op.bulk) {
    dirty_.fill(0);
    one_dirty_ = false;
    refine_ = false;
    all_dirty_ = !options_.incremental;
  }
  switch (op.code) {
    case OpCode::kMalloc:
      // Sizes 0 and above a page fail before touching a class.
      if (op.size != 0 && op.size <= kernel::PAGE_SIZE) MarkClass(ClassIndexOfSize(op.size));
      return;
    case OpCode::kFree:
    case OpCode::kWrite:
    case OpCode::kRead:
    case OpCode::kReadSg: {
      const bool own = op.slot < static_cast<uint32_t>(nr_slots_) && slots_[op.slot].live &&
                       slots_[op.slot].owner == t->index;
      if (own) MarkClass(slots_[op.slot].class_index);  // else the op does nothing
      return;
    }
    case OpCode::kFailPages:
    case OpCode::kFailSlab:
    case OpCode::kPressure:
    case OpCode::kStatPages:
    case OpCode::kStatPool:
    case OpCode::kStatClasses:
    case OpCode::kShrinkCount:
      // No call into the pool (fail_*, pressure), or reads: no class changes
      // in a variant that keeps the API's contract; one that breaks it is
      // seen at the next snapshot of that class, or at the drain, which
      // reads everything.
      return;
    default:
      break;
  }
  // compact, shrink_scan, flush, isolate, migrate, putback: every class is
  // read again, and the classes empty before and after, with the same
  // numbers, count as untouched (TakeSnapshot).
  refine_ = !all_dirty_;
  all_dirty_ = true;
}

void RunState::TakeSnapshot(Snapshot* s, bool with_table) {
  kernel::yield_point(kSnapshotSite, nullptr);
  OracleReads not_the_program;
  s->taken = true;
  // Another virtual thread (a kworker running a deferred free) ran since the
  // last snapshot began its reads, in the op or in the oracle's reads after
  // it: it may have changed any class, so every class is read again, and
  // those that changed or hold anything are marked.
  const uint64_t switches = zs_sched::ThreadSwitches();
  if (switches != switches_mark_ && !all_dirty_) {
    refine_ = true;
    all_dirty_ = true;
  }
  switches_mark_ = switches;
  if (with_table) {
    kernel::seq_file table;
    table.record = &s->class_table;  // compared as calls, made text only when read
    static thread_local size_t calls_hint = 0, args_hint = 0;
    s->class_table.reserve(calls_hint, args_hint);
    v_->classes_show(pool_, &table);
    calls_hint = s->class_table.nr_calls();
    args_hint = s->class_table.nr_args();
  }
  if (class_cache_.empty()) {
    int pos = 0;
    for (unsigned int i = 0; i < kNumClassIndices; i++)
      if (geometry_->classes[i].canonical == i) class_pos_[i] = pos++;
    class_cache_ = geometry_->empty_classes;
    slot_checksum_ = std::make_unique<uint64_t[]>(nr_slots_);
    checksum_known_ = std::make_unique<bool[]>(nr_slots_);
    all_dirty_ = true;
    refine_ = false;
  }
  // Every canonical class, or the one an op on one object marked.
  std::span<const unsigned int> to_read = geometry_->canonical;
  if (!all_dirty_) to_read = one_dirty_ ? std::span<const unsigned int>(&dirty_class_, 1) : to_read.first(0);
  for (const unsigned int i : to_read) {
    zs_class_info fresh{};
    v_->introspect->class_info(pool_, i, &fresh);
    const ClassList& cache = class_cache_;
    const zs_class_info& old = cache[class_pos_[i]];
    const bool same = SameClassInfo(fresh, old);
    if (refine_) dirty_[i] = !same || !EmptyClass(old) || !EmptyClass(fresh);
    // A class that did not change stays shared with the previous snapshots.
    if (!same) class_cache_[class_pos_[i]] = fresh;
  }
  if (refine_) all_dirty_ = false;
  s->classes = class_cache_;
  s->total_pages = v_->get_total_pages(pool_);
  zs_pool_stats stats{};
  v_->pool_stats(pool_, &stats);
  s->pages_compacted = stats.pages_compacted;
  s->nr_zspages = static_cast<long>(kernel::zone_page_state(kernel::NR_ZSPAGES)) - zspages_base_;
  s->pages_in_use = static_cast<long>(kernel::nr_pages_in_use()) - pages_base_;
  s->live.reserve(live_hint_);
  for (int n = 0; n < nr_slots_; n++) {
    const Slot& slot = slots_[n];
    if (!slot.live) {
      checksum_known_[n] = false;
      continue;
    }
    SlotView sv;
    sv.slot = static_cast<uint32_t>(n);
    sv.thread = slot.owner;
    sv.handle = slot.handle;
    sv.size = slot.size;
    sv.generation = slot.generation;
    sv.class_index = slot.class_index;
    if (slot.generation > 0) {
      if (all_dirty_ || dirty_[slot.class_index] || !checksum_known_[n]) {
        void* mem = v_->obj_read_begin(pool_, slot.handle, slot.size, snapshot_buf_.get());
        slot_checksum_[n] = ContentChecksum(mem, slot.size);
        v_->obj_read_end(pool_, slot.handle, slot.size, mem);
        checksum_known_[n] = true;
      }
      sv.checksum = slot_checksum_[n];
    }
    s->live.push_back(sv);
  }
  live_hint_ = s->live.size() + 1;
}

unsigned long RunState::PagesPerZspage(uint32_t size) const {
  if (size == 0 || size > kernel::PAGE_SIZE) return 0;
  return static_cast<unsigned long>(geometry_->classes[ClassIndexOfSize(size)].pages_per_zspage);
}

unsigned int RunState::ClassIndexOfSize(uint32_t size) const {
  // zs_malloc's lookup: the object's size plus its header (ZS_HANDLE_SIZE).
  return geometry_->classes[v_->lookup_class_index(pool_, size + sizeof(unsigned long))].canonical;
}

}  // namespace exec_internal

ExecResult Execute(const Program& program, const zs_variant_ops* v, const ExecOptions& options) {
  ExecResult result;
  result.variant = v;

  // The kernel of a fresh process, whatever earlier runs did or abandoned:
  // the same program meets the same state every time, first in a process or not.
  kernel::kernel_reset();

  exec_internal::RunState state(program, v, options, &result);
  state.SetBases(static_cast<long>(kernel::nr_pages_in_use()),
                 static_cast<long>(kernel::zone_page_state(kernel::NR_ZSPAGES)));

  uint64_t nr_ops = 0;
  for (const auto& ops : program.threads) nr_ops += ops.size();
  zs_sched::RunOptions ro;
  ro.record_trace = options.record_trace;
  ro.on_bug = zs_sched::BugAction::kReturn;
  // Reports during the run (a BUG's trace tail) name the pool's locks too.
  const zs_sched::ObjectNamer& extra = options.namer;
  ro.namer = [&result, &extra](const void* obj) {
    std::string name = result.locks.Name(obj);
    if (name.empty() && extra) name = extra(obj);
    return name;
  };
  // Far above what any op takes (pressure 1024 on a 16-page zspage is about
  // 40000 steps), yet a livelock still ends.
  ro.max_steps = options.max_steps != 0 ? options.max_steps : 1'000'000 + 200'000 * nr_ops;
  if (options.free_running) {
    state.Root();
    result.run.status = zs_sched::RunStatus::kFinished;
  } else {
    result.run = zs_sched::RunDeterministic(program.schedule, ro, [&state] { state.Root(); });
  }
  state.StopClassLockRecord();
  KeepAbandonedPool(state.abandoned_pool(), state.live_handles());

  kernel::fault_inject_page_alloc(0);
  kernel::fault_inject_slab_alloc(0);
  kernel::set_zone_pressure(0);
  result.warns = kernel::kernel_warn_count();
  result.lockdep_reports = kernel::lockdep_report_count();
  if (result.lockdep_reports != 0 && kernel::lockdep_first_report() != nullptr)
    result.lockdep_first = kernel::lockdep_first_report();
  return result;
}

std::string LockTable::Name(const void* obj) const {
  if (obj == nullptr) return "";
  if (obj == pool_lock) return "zs_pool";
  for (const auto& [lock, index] : class_locks)
    if (lock == obj) return absl::StrFormat("class[%u]", index);
  return "";
}

zs_sched::ObjectNamer LockNamer(const ExecResult& r) {
  return [locks = r.locks](const void* obj) { return locks.Name(obj); };
}

}  // namespace zsfuzz
