#include "fuzzers/stress/stress_worker.h"

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_format.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "fuzzers/stress/sanitizer_reports.h"
#include "kernel/bug.h"
#include "kernel/lockdep.h"
#include "kernel/migrate.h"
#include "kernel/scatterlist.h"
#include "kernel/shrinker.h"
#include "kernel/types.h"
#include "oracle/exec/object_pattern.h"

namespace zsfuzz {
namespace {

// Objects one worker keeps at most; with N workers and sizes up to a page
// this bounds the pool well inside the simulated arena.
constexpr size_t kMaxLive = 256;
// How often the live-set target moves. Big swings empty whole zspages, which
// is what reaches free_zspage, the deferred free and the compactor.
constexpr uint64_t kTargetPeriod = 2048;
// How often a worker looks for WARNs and lockdep reports, so a run stops
// near the op that caused one.
constexpr uint64_t kReportCheckPeriod = 256;

enum class Op {
  kAllocFree,
  kWrite,
  kRead,
  kReadSg,
  kMigrate,
  kCompact,
  kShrinkCount,
  kShrinkScan,
  kFlush,
  kStats
};

struct OpWeight {
  Op op;
  unsigned weight;  // per mille, before disabled ops are dropped
};

constexpr OpWeight kOpWeights[] = {
    {Op::kAllocFree, 520}, {Op::kWrite, 110}, {Op::kRead, 110},       {Op::kReadSg, 110},
    {Op::kMigrate, 60},    {Op::kCompact, 5}, {Op::kShrinkCount, 10}, {Op::kShrinkScan, 3},
    {Op::kFlush, 7},       {Op::kStats, 65},
};

bool OpEnabled(Op op, const StressOptions& opt) {
  if (op == Op::kMigrate) return opt.migrate;
  if (op == Op::kCompact || op == Op::kShrinkScan) return opt.compact;
  return true;
}

}  // namespace

void StressShared::NotePages(unsigned long pages) {
  unsigned long peak = pages_peak.load(std::memory_order_relaxed);
  while (pages > peak && !pages_peak.compare_exchange_weak(peak, pages, std::memory_order_relaxed)) {
  }
}

StressWorker::StressWorker(StressShared* shared, unsigned index)
    : shared_(shared),
      v_(shared->v),
      pool_(shared->pool),
      index_(index),
      rng_(Prng::StreamSeed(shared->opt->seed, index)),
      expect_(kernel::PAGE_SIZE),
      local_copy_(kernel::PAGE_SIZE) {
  live_.reserve(kMaxLive);
}

void StressWorker::ThreadMain(void* arg) { static_cast<StressWorker*>(arg)->Run(); }

void StressWorker::Run() {
  const uint64_t total = shared_->opt->ops_per_thread;
  for (op_ = 0; op_ < total; op_++) {
    if (shared_->abort.load(std::memory_order_relaxed)) break;
    if (op_ % kTargetPeriod == 0) live_target_ = rng_.Below(kMaxLive + 1);
    DoOne();
    ops_done_.store(op_ + 1, std::memory_order_relaxed);
    if ((op_ + 1) % kReportCheckPeriod == 0) CheckKernelReports();
  }
  if (!failed()) CheckKernelReports();
}

void StressWorker::DoOne() {
  const StressOptions& opt = *shared_->opt;
  unsigned total = 0;
  for (const OpWeight& w : kOpWeights) total += OpEnabled(w.op, opt) ? w.weight : 0;
  unsigned pick = static_cast<unsigned>(rng_.Below(total));
  Op op = Op::kAllocFree;
  for (const OpWeight& w : kOpWeights) {
    if (!OpEnabled(w.op, opt)) continue;
    if (pick < w.weight) {
      op = w.op;
      break;
    }
    pick -= w.weight;
  }
  // Ops on an object need one; with none live, allocate instead.
  if (live_.empty() && (op == Op::kWrite || op == Op::kRead || op == Op::kReadSg || op == Op::kMigrate)) {
    op = Op::kAllocFree;
  }
  Object* obj = live_.empty() ? nullptr : &live_[rng_.Below(live_.size())];

  switch (op) {
    case Op::kAllocFree: {
      const bool grow = live_.size() < live_target_;
      const bool do_malloc = live_.empty() || (live_.size() < kMaxLive && rng_.Percent(grow ? 75 : 25));
      if (do_malloc) {
        Malloc();
      } else {
        Free(rng_.Below(live_.size()));
      }
      break;
    }
    case Op::kWrite:
      Write(obj);
      break;
    case Op::kRead:
      counts_.reads++;
      Read(*obj);
      break;
    case Op::kReadSg:
      counts_.sg_reads++;
      ReadSg(*obj);
      break;
    case Op::kMigrate:
      Migrate(*obj);
      break;
    case Op::kCompact:
      counts_.compactions++;
      counts_.pages_compacted += v_->compact(pool_);
      break;
    case Op::kShrinkCount:
      counts_.shrinker_counts++;
      v_->shrinker_count(pool_);
      break;
    case Op::kShrinkScan: {
      counts_.shrinker_scans++;
      const unsigned long freed = v_->shrinker_scan(pool_, rng_.Range(1, 128));
      if (freed != kernel::SHRINK_STOP) counts_.pages_compacted += freed;
      break;
    }
    case Op::kFlush:
      counts_.flushes++;
      v_->flush_deferred(pool_);
      break;
    case Op::kStats:
      Stats();
      break;
  }
}

// Sizes across every class: the too-small and too-big errors, small, mid,
// page-spanning and huge objects up to ZS_MAX_ALLOC_SIZE (one page).
size_t StressWorker::PickSize() {
  const size_t max = kernel::PAGE_SIZE;
  const size_t huge = std::clamp<size_t>(shared_->huge_class_size, 2050, max);
  const uint64_t r = rng_.Below(100);
  if (r < 2) return 0;
  if (r < 4) return rng_.Range(max + 1, 2 * max);
  if (r < 40) return rng_.Range(1, 256);
  if (r < 70) return rng_.Range(257, 2048);
  if (r < 85) return rng_.Range(2049, huge - 1);
  return rng_.Range(huge, max);
}

void StressWorker::Malloc() {
  const size_t size = PickSize();
  const unsigned long h = v_->malloc(pool_, size, kernel::GFP_KERNEL, kernel::NUMA_NO_NODE);
  const int expect_err = size == 0 ? EINVAL : size > kernel::PAGE_SIZE ? ENOSPC : 0;
  if (kernel::IS_ERR_VALUE(h)) {
    const long err = -kernel::PTR_ERR(h);
    if (err == EINVAL && expect_err == EINVAL) {
      counts_.malloc_einval++;
    } else if (err == ENOSPC && expect_err == ENOSPC) {
      counts_.malloc_enospc++;
    } else if (err == ENOMEM && expect_err == 0) {
      counts_.malloc_enomem++;
    } else {
      Fail("malloc", "wrong zs_malloc result",
           absl::StrFormat("zs_malloc(%u) returned error %d, expected %s", size, -err,
                           expect_err == 0 ? "a handle or -ENOMEM" : absl::StrFormat("-%d", expect_err)));
    }
    return;
  }
  if (expect_err != 0 || h == 0) {
    Fail("malloc", "wrong zs_malloc result",
         absl::StrFormat("zs_malloc(%u) returned handle %#x, expected -%d", size, h, expect_err));
    return;
  }
  counts_.malloc_ok++;
  live_.push_back({h, static_cast<uint32_t>(size), (uint64_t{index_} + 1) << 40 | next_id_++, 0});
  // Every object is written before it is read: its bytes are defined only then.
  Write(&live_.back());
  shared_->NotePages(v_->get_total_pages(pool_));
}

void StressWorker::Free(size_t slot) {
  v_->free(pool_, live_[slot].handle);
  counts_.frees++;
  live_[slot] = live_.back();
  live_.pop_back();
}

void StressWorker::Write(Object* obj) {
  obj->gen++;
  FillPattern(obj->id, obj->gen, expect_.data(), obj->size);
  v_->obj_write(pool_, obj->handle, expect_.data(), obj->size);
  counts_.writes++;
}

bool StressWorker::Read(const Object& obj) {
  FillPattern(obj.id, obj.gen, expect_.data(), obj.size);
  void* mem = v_->obj_read_begin(pool_, obj.handle, obj.size, local_copy_.data());
  const auto* got = static_cast<const uint8_t*>(mem);
  const size_t off = FirstDifference(got, expect_.data(), obj.size);
  const uint8_t actual = off < obj.size ? got[off] : 0;
  v_->obj_read_end(pool_, obj.handle, obj.size, mem);
  if (off == obj.size) return true;
  Fail("read", "content mismatch",
       absl::StrFormat("%s: byte %u is %#04x, expected %#04x", Describe(obj), off, actual, expect_[off]));
  return false;
}

bool StressWorker::ReadSg(const Object& obj) {
  FillPattern(obj.id, obj.gen, expect_.data(), obj.size);
  kernel::scatterlist sg[2];
  kernel::sg_init_table(sg, 2);
  v_->obj_read_sg_begin(pool_, obj.handle, sg, obj.size);
  std::string problem;
  size_t pos = 0;
  for (int i = 0; i < 2 && pos < obj.size && problem.empty(); i++) {
    if (sg[i].pg == nullptr || sg[i].length == 0 || sg[i].length > obj.size - pos) {
      problem =
          absl::StrFormat("sg[%d] is page %p length %u at object offset %u", i, sg[i].pg, sg[i].length, pos);
      break;
    }
    const auto* got = static_cast<const uint8_t*>(kernel::sg_virt(&sg[i]));
    const size_t off = FirstDifference(got, expect_.data() + pos, sg[i].length);
    if (off < sg[i].length) {
      problem = absl::StrFormat("byte %u (sg[%d]) is %#04x, expected %#04x", pos + off, i, got[off],
                                expect_[pos + off]);
    }
    pos += sg[i].length;
    if (sg[i].end) break;
  }
  if (problem.empty() && pos != obj.size) problem = absl::StrFormat("scatterlist covers %u bytes", pos);
  v_->obj_read_sg_end(pool_, obj.handle);
  if (problem.empty()) return true;
  Fail("read_sg", "content mismatch", absl::StrFormat("%s: %s", Describe(obj), problem));
  return false;
}

// Migrates one page of the zspage holding obj. The page can be freed,
// compacted away or locked by anyone between the lookup and the migration:
// the migration core copes with that, exactly as in the kernel.
void StressWorker::Migrate(const Object& obj) {
  const unsigned n = static_cast<unsigned>(rng_.Below(shared_->opt->chain_size));
  kernel::page* p = v_->introspect->zspage_page(pool_, obj.handle, n);
  if (p == nullptr) {
    counts_.migrations_no_page++;
    return;
  }
  if (kernel::migrate_one_page(p, kernel::MIGRATE_SYNC, nullptr) == 0) {
    counts_.migrations_ok++;
  } else {
    counts_.migrations_failed++;
  }
}

void StressWorker::Stats() {
  counts_.stats_reads++;
  shared_->NotePages(v_->get_total_pages(pool_));
  zs_pool_stats stats{};
  v_->pool_stats(pool_, &stats);
  // pages_compacted only ever grows (an atomic add in zs_compact).
  if (stats.pages_compacted < last_pages_compacted_) {
    Fail("stats", "pool stats went backwards",
         absl::StrFormat("pool_stats pages_compacted went from %d to %d", last_pages_compacted_,
                         stats.pages_compacted));
  }
  last_pages_compacted_ = stats.pages_compacted;
}

void StressWorker::CheckKernelReports() {
  const unsigned long warns = kernel::kernel_warn_count() - shared_->warn_base;
  const unsigned long lockdep = kernel::lockdep_report_count() - shared_->lockdep_base;
  const unsigned long sanitizer = SanitizerReportCount() - shared_->sanitizer_base;
  if (warns == 0 && lockdep == 0 && sanitizer == 0) return;
  // Only the worker that notices first blames itself, and only approximately.
  if (shared_->abort.exchange(true)) return;
  Fail("check", "WARN, lockdep or sanitizer report",
       absl::StrFormat("%u WARN(s), %u lockdep and %u sanitizer report(s) by op %u of this thread "
                       "(any thread may have caused them; reports on stderr)",
                       warns, lockdep, sanitizer, op_));
}

void StressWorker::Fail(const char* op, const char* reason, const std::string& what) {
  if (failure_.empty()) {
    failure_reason_ = reason;
    const std::string when = final_pass_ ? "final check" : absl::StrFormat("op %u", op_);
    failure_ = absl::StrFormat("thread %u %s %s: %s", index_, when, op, what);
  }
  shared_->abort.store(true, std::memory_order_relaxed);
}

std::string StressWorker::Describe(const Object& obj) const {
  return absl::StrFormat("handle %#x size %u object %#x generation %u", obj.handle, obj.size, obj.id,
                         obj.gen);
}

bool StressWorker::VerifyAll() {
  final_pass_ = true;
  for (const Object& obj : live_) {
    if (!Read(obj) || !ReadSg(obj)) return false;
  }
  return true;
}

void StressWorker::FreeAll() {
  for (const Object& obj : live_) v_->free(pool_, obj.handle);
  live_.clear();
}

}  // namespace zsfuzz
