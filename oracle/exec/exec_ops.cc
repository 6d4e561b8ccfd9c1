// The ops of an op program, exactly as program.h defines them.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"
#include "allocator/kernel/sched/sanitizers.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "kernel/migrate.h"
#include "kernel/page_alloc.h"
#include "kernel/scatterlist.h"
#include "kernel/seq_file.h"
#include "kernel/shrinker.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "oracle/exec/exec_internal.h"

namespace zsfuzz::exec_internal {
namespace {

// Injected failures the injector handed out between two reads of its pending
// count (another thread re-arming it in between makes this a lower bound).
long FaultsUsed(long before, long after) { return before > after && after >= 0 ? before - after : 0; }

// Runs `call` (a compaction) and records in r->pages_released the pages of
// empty zspages this task released meanwhile (kernel/sched.h).
template <typename Call>
unsigned long ReleasingPages(OpResult* r, const Call& call) {
  const kernel::task_struct* task = kernel::get_current();
  const unsigned long before = task->pages_released;
  const unsigned long value = call();
  r->pages_released = task->pages_released - before;
  return value;
}

}  // namespace

void RunState::RunOp(ThreadState* t, const Op& op, OpResult* r) {
  // Every op starts at a yield point: another thread may run between any two
  // ops, and the oracle finds an op's steps in the trace by this site.
  kernel::yield_point(kOpStartSite, nullptr);
  Slot* slot = nullptr;
  if (op.code == OpCode::kFree || op.code == OpCode::kWrite || op.code == OpCode::kRead ||
      op.code == OpCode::kReadSg) {
    slot = op.slot < static_cast<uint32_t>(nr_slots_) ? &slots_[op.slot] : nullptr;
    if (slot == nullptr || !slot->live || slot->owner != t->index) {
      r->status = OpStatus::kNoSlot;
      return;
    }
  }
  switch (op.code) {
    case OpCode::kMalloc:
      Malloc(t, op, r);
      break;
    case OpCode::kFree:
      Free(t, slot, r);
      break;
    case OpCode::kWrite:
      Write(t, op.slot, slot, r);
      break;
    case OpCode::kRead:
      Read(t, op.slot, slot, r);
      break;
    case OpCode::kReadSg:
      ReadSg(t, op.slot, slot, r);
      break;
    case OpCode::kCompact:
      r->value = ReleasingPages(r, [&] { return v_->compact(pool_); });
      break;
    case OpCode::kShrinkCount:
      r->value = v_->shrinker_count(pool_);
      break;
    case OpCode::kShrinkScan:
      r->value = ReleasingPages(r, [&] { return v_->shrinker_scan(pool_, op.value); });
      break;
    case OpCode::kIsolate:
      Isolate(t, op, r);
      break;
    case OpCode::kMigrate:
      Migrate(t, op, r);
      break;
    case OpCode::kPutback:
      Putback(t, op, r);
      break;
    case OpCode::kFlush:
      v_->flush_deferred(pool_);
      break;
    case OpCode::kStatPages:
      StatPages(t, r);
      break;
    case OpCode::kStatPool: {
      zs_pool_stats stats{};
      v_->pool_stats(pool_, &stats);
      r->value = static_cast<unsigned long>(stats.pages_compacted);
      break;
    }
    case OpCode::kStatClasses:
      StatClasses(r);
      break;
    case OpCode::kFailPages:
      // Armed before the injector, so a failure it causes always sees the flag.
      if (op.value != 0) faults_armed_.store(true, std::memory_order_relaxed);
      kernel::fault_inject_page_alloc(op.value);
      break;
    case OpCode::kFailSlab:
      if (op.value != 0) faults_armed_.store(true, std::memory_order_relaxed);
      kernel::fault_inject_slab_alloc(op.value);
      break;
    case OpCode::kPressure:
      kernel::set_zone_pressure(op.value);
      break;
  }
  // Still kNotRun if the op returned normally; a BUG inside it leaves kNotRun.
  if (r->status == OpStatus::kNotRun) r->status = OpStatus::kDone;
}

void RunState::Malloc(ThreadState* t, const Op& op, OpResult* r) {
  Slot* slot = &slots_[op.slot];
  slot->owner = t->index;
  const long pages_before = kernel::fault_inject_page_alloc_pending();
  const long slab_before = kernel::fault_inject_slab_alloc_pending();
  in_malloc_[t->index].store(PagesPerZspage(op.size), std::memory_order_relaxed);
  const unsigned long h = v_->malloc(pool_, op.size, kernel::GFP_KERNEL, kernel::NUMA_NO_NODE);
  in_malloc_[t->index].store(0, std::memory_order_relaxed);
  r->page_faults_used = FaultsUsed(pages_before, kernel::fault_inject_page_alloc_pending());
  r->slab_faults_used = FaultsUsed(slab_before, kernel::fault_inject_slab_alloc_pending());
  r->faults_armed = faults_armed_.load(std::memory_order_relaxed);
  if (kernel::IS_ERR_VALUE(h)) {
    r->err = kernel::PTR_ERR(h);
    return;
  }
  r->value = h;
  // An impossible success (size 0, a handle of 0) is the model's to report;
  // the slot is not used as an object then.
  if (h == 0 || op.size == 0 || op.size > kernel::PAGE_SIZE) return;
  slot->live = true;
  slot->handle = h;
  slot->size = op.size;
  slot->generation = 0;
  slot->class_index = ClassIndexOfSize(op.size);
  RecordPfns(slot);
}

void RunState::Free(ThreadState* t, Slot* slot, OpResult* r) {
  // The PFNs stay: a later migrate of this slot acts on the pages it had.
  in_free_[t->index].store(PagesPerZspage(slot->size), std::memory_order_relaxed);
  v_->free(pool_, slot->handle);
  in_free_[t->index].store(0, std::memory_order_relaxed);
  slot->live = false;
  r->value = slot->handle;
}

void RunState::Write(ThreadState* t, uint32_t n, Slot* slot, OpResult* r) {
  slot->generation++;
  FillPattern(SlotPatternId(n), slot->generation, t->expect.get(), slot->size);
  MayTakeZspageLock(t, slot->class_index);
  v_->obj_write(pool_, slot->handle, t->expect.get(), slot->size);
  ZspageLockReleased(t);
  r->generation = slot->generation;
  r->checksum = ContentChecksum(t->expect.get(), slot->size);
  RecordPfns(slot);
}

void RunState::Read(ThreadState* t, uint32_t n, Slot* slot, OpResult* r) {
  const size_t size = slot->size;
  MayTakeZspageLock(t, slot->class_index);
  void* mem = v_->obj_read_begin(pool_, slot->handle, size, t->buf.get());
  const auto* got = static_cast<const uint8_t*>(mem);
  r->generation = slot->generation;
  r->checksum = ContentChecksum(got, size);
  if (slot->generation > 0) {
    FillPattern(SlotPatternId(n), slot->generation, t->expect.get(), size);
    const size_t off = FirstDifference(got, t->expect.get(), size);
    if (off < size) {
      r->first_diff = static_cast<long>(off);
      r->expected_byte = t->expect[off];
      r->actual_byte = got[off];
    }
  }
  v_->obj_read_end(pool_, slot->handle, size, mem);
  ZspageLockReleased(t);
  RecordPfns(slot);
}

void RunState::ReadSg(ThreadState* t, uint32_t n, Slot* slot, OpResult* r) {
  const size_t size = slot->size;
  kernel::scatterlist sg[2];
  kernel::sg_init_table(sg, 2);
  MayTakeZspageLock(t, slot->class_index);
  v_->obj_read_sg_begin(pool_, slot->handle, sg, size);
  // Gather what the entries point at, as a crypto or compression user would.
  size_t pos = 0;
  for (int i = 0; i < 2 && pos < size; i++) {
    if (sg[i].pg == nullptr || sg[i].length == 0 || sg[i].length > size - pos ||
        sg[i].offset + sg[i].length > kernel::PAGE_SIZE) {
      r->sg_problem = absl::StrFormat("sg[%d] has page %s, offset %u, length %u at object offset %u", i,
                                      sg[i].pg ? "set" : "null", sg[i].offset, sg[i].length, pos);
      break;
    }
    std::memcpy(t->buf.get() + pos, kernel::sg_virt(&sg[i]), sg[i].length);
    pos += sg[i].length;
    if (sg[i].end) break;
  }
  if (r->sg_problem.empty() && pos != size)
    r->sg_problem = absl::StrFormat("the scatterlist covers %u of %u bytes", pos, size);
  v_->obj_read_sg_end(pool_, slot->handle);
  ZspageLockReleased(t);
  r->generation = slot->generation;
  if (!r->sg_problem.empty()) return;
  r->checksum = ContentChecksum(t->buf.get(), size);
  if (slot->generation > 0) {
    FillPattern(SlotPatternId(n), slot->generation, t->expect.get(), size);
    const size_t off = FirstDifference(t->buf.get(), t->expect.get(), size);
    if (off < size) {
      r->first_diff = static_cast<long>(off);
      r->expected_byte = t->expect[off];
      r->actual_byte = t->buf[off];
    }
  }
  RecordPfns(slot);
}

// The page the slot's owner last saw at that index, or null.
kernel::page* RunState::RecordedPage(const Op& op) const {
  if (op.slot >= static_cast<uint32_t>(nr_slots_) || op.page >= kMaxZspagePages) return nullptr;
  const unsigned long pfn = slots_[op.slot].pfn[op.page].load(std::memory_order_relaxed);
  return pfn != 0 && kernel::pfn_valid(pfn) ? kernel::pfn_to_page(pfn) : nullptr;
}

void RunState::Isolate(ThreadState* t, const Op& op, OpResult* r) {
  kernel::page* page = RecordedPage(op);
  if (page == nullptr) {
    r->status = OpStatus::kNoPage;
    return;
  }
  r->value = kernel::page_to_pfn(page);
  if (!kernel::isolate_movable_ops_page(page, kernel::ISOLATE_MODE_NONE)) {
    r->err = -EBUSY;
    return;
  }
  t->isolated.push_back({op.slot, op.page, page});
}

void RunState::Migrate(ThreadState* t, const Op& op, OpResult* r) {
  const long pages_before = kernel::fault_inject_page_alloc_pending();
  for (size_t i = 0; i < t->isolated.size(); i++) {
    const Isolation iso = t->isolated[i];
    if (iso.slot != op.slot || iso.page_index != op.page) continue;
    // Step 2 on the page this thread isolated; on failure it stays isolated.
    r->value = kernel::page_to_pfn(iso.page);
    r->err = kernel::migrate_movable_ops_page(iso.page, kernel::MIGRATE_SYNC, nullptr);
    if (r->err == 0) t->isolated.erase(t->isolated.begin() + static_cast<long>(i));
    r->page_faults_used = FaultsUsed(pages_before, kernel::fault_inject_page_alloc_pending());
    r->faults_armed = faults_armed_.load(std::memory_order_relaxed);
    return;
  }
  kernel::page* page = RecordedPage(op);
  if (page == nullptr) {
    r->status = OpStatus::kNoPage;
    return;
  }
  r->value = kernel::page_to_pfn(page);
  r->err = kernel::migrate_one_page(page, kernel::MIGRATE_SYNC, nullptr);
  r->page_faults_used = FaultsUsed(pages_before, kernel::fault_inject_page_alloc_pending());
  r->faults_armed = faults_armed_.load(std::memory_order_relaxed);
}

void RunState::Putback(ThreadState* t, const Op& op, OpResult* r) {
  for (size_t i = 0; i < t->isolated.size(); i++) {
    const Isolation iso = t->isolated[i];
    if (iso.slot != op.slot || iso.page_index != op.page) continue;
    r->value = kernel::page_to_pfn(iso.page);
    kernel::putback_movable_ops_page(iso.page);
    t->isolated.erase(t->isolated.begin() + static_cast<long>(i));
    return;
  }
  r->status = OpStatus::kNotIsolated;
}

// One instant: zs_get_total_pages(), then every class's stats without their
// locks, NR_ZSPAGES and the other threads' markers, with no yield point in
// between, so no other virtual thread runs meanwhile.
void RunState::StatPages(ThreadState* t, OpResult* r) {
  StatsProbe& p = r->probe;
  p.total_pages = v_->get_total_pages(pool_);
  for (unsigned int i = 0; i < kNumClassIndices; i++) {
    if (geometry_->classes[i].canonical != i) continue;
    zs_class_info ci{};
    bool locked = false;
    v_->introspect->class_info_nolock(pool_, i, &ci, &locked);
    p.class_pages += ci.stats[12] / ci.objs_per_zspage * ci.pages_per_zspage;
    if (locked) p.locked_class_pages += ci.pages_per_zspage;
  }
  p.nr_zspages = static_cast<long>(kernel::zone_page_state(kernel::NR_ZSPAGES)) - zspages_base_;
  for (int i = 0; i < static_cast<int>(program_.threads.size()); i++) {
    if (i == t->index) continue;
    p.freeing_pages += in_free_[i].load(std::memory_order_relaxed);
    p.allocating_pages += in_malloc_[i].load(std::memory_order_relaxed);
  }
  r->value = p.total_pages;
}

void RunState::StatClasses(OpResult* r) {
  kernel::seq_file table;
  table.record = &r->class_table;  // compared as calls, made text only when read
  v_->classes_show(pool_, &table);
  for (unsigned int i = 0; i < kNumClassIndices; i++) {
    if (geometry_->classes[i].canonical != i) continue;
    zs_class_info ci{};
    v_->introspect->class_info(pool_, i, &ci);
    r->classes.push_back(ci);
  }
}

void RunState::RecordPfns(Slot* slot) {
  // Bookkeeping, not the program: no lock and no scheduler step, so neither
  // an interleaving point nor a happens-before edge the program lacks (an
  // acquire of pool->lock would order this thread after every migration that
  // wrote it, hiding from TSan the races the program has: RFC v2's lockless
  // handle read against record_obj, for one). The reads race the program's
  // writes by design; TSan is told to ignore them.
  zs_sched::TsanIgnoreSyncAndReads not_the_program;
  const unsigned int max = std::min<unsigned int>(program_.chain_size, kMaxZspagePages);
  std::array<kernel::page*, kMaxZspagePages> pages{};
  int nr = 0;
  if (options_.free_running) {
    // Real threads (zsfuzz stress): a migration may start while the walk is
    // on, which only a lock keeps out, so each page is looked up under
    // pool->lock. Under the scheduler no other thread runs until this one
    // yields, and the lock-free walk, which passes no yield point, is exact.
    while (nr < static_cast<int>(max)) {
      kernel::page* page = v_->introspect->zspage_page(pool_, slot->handle, nr);
      if (page == nullptr) break;
      pages[nr++] = page;
    }
  } else {
    // < 0: a migration or compaction is part way through; the PFNs are unknown (0).
    nr = v_->introspect->zspage_pages_nolock(pool_, slot->handle, pages.data(), max);
  }
  for (int n = 0; n < static_cast<int>(kMaxZspagePages); n++)
    slot->pfn[n].store(n < nr ? kernel::page_to_pfn(pages[n]) : 0, std::memory_order_relaxed);
}

}  // namespace zsfuzz::exec_internal
