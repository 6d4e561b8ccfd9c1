// MakeStressProgram(): the random op streams of `zsfuzz stress`.
#include "fuzzers/stress/stress_program.h"

#include <algorithm>

#include "oracle/program/prng.h"
#include "oracle/program/sizes.h"

namespace zsfuzz {
namespace {

// Objects one thread keeps at most; with 64 threads and sizes up to a page
// this bounds the pool well inside the simulated arena (no -ENOMEM).
constexpr size_t kMaxLive = 256;
// How often the live-set target moves. Big swings empty whole zspages, which
// is what reaches free_zspage, the deferred free and the compactor.
constexpr uint64_t kTargetPeriod = 2048;

enum class Kind {
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

bool NeedsObject(Kind k) {
  return k == Kind::kWrite || k == Kind::kRead || k == Kind::kReadSg || k == Kind::kMigrate;
}

struct KindWeight {
  Kind kind;
  unsigned weight;  // per mille, before disabled kinds are dropped
};

constexpr KindWeight kWeights[] = {
    {Kind::kAllocFree, 520}, {Kind::kWrite, 110}, {Kind::kRead, 110},       {Kind::kReadSg, 110},
    {Kind::kMigrate, 60},    {Kind::kCompact, 5}, {Kind::kShrinkCount, 10}, {Kind::kShrinkScan, 3},
    {Kind::kFlush, 7},       {Kind::kStats, 65},
};

bool Enabled(Kind k, const StressOptions& opt) {
  if (k == Kind::kMigrate) return opt.migrate;
  if (k == Kind::kCompact || k == Kind::kShrinkScan) return opt.compact;
  return true;
}

Op MakeOp(OpCode code, uint32_t slot = 0, uint32_t size = 0, uint32_t page = 0, uint32_t value = 0) {
  Op op;
  op.code = code;
  op.slot = slot;
  op.size = size;
  op.page = page;
  op.value = value;
  return op;
}

class ThreadGenerator {
 public:
  ThreadGenerator(const StressOptions& opt, unsigned thread, uint32_t* next_slot)
      : opt_(opt),
        rng_(Prng::StreamSeed(opt.seed, thread)),
        next_slot_(next_slot),
        huge_(std::clamp<uint32_t>(HugeClassSize(opt.chain_size), kPageSize / 2 + 2, kPageSize)) {
    for (const KindWeight& w : kWeights) total_weight_ += Enabled(w.kind, opt) ? w.weight : 0;
  }

  // Appends the thread's ops to `ops`; returns the random part's bounds.
  void Generate(std::vector<Op>* ops, uint32_t* begin, uint32_t* end) {
    ops_ = ops;
    if (opt_.zone_pressure != 0) ops_->push_back(MakeOp(OpCode::kPressure, 0, 0, 0, opt_.zone_pressure));
    *begin = static_cast<uint32_t>(ops_->size());
    for (uint64_t i = 0; i < opt_.ops_per_thread; i++) {
      if (i % kTargetPeriod == 0) live_target_ = rng_.Below(kMaxLive + 1);
      One();
    }
    *end = static_cast<uint32_t>(ops_->size());
    for (const Live& obj : live_) {
      ops_->push_back(MakeOp(OpCode::kRead, obj.slot));
      ops_->push_back(MakeOp(OpCode::kReadSg, obj.slot));
    }
  }

 private:
  struct Live {
    uint32_t slot;
  };

  Kind Pick() {
    uint64_t pick = rng_.Below(total_weight_);
    for (const KindWeight& w : kWeights) {
      if (!Enabled(w.kind, opt_)) continue;
      if (pick < w.weight) return w.kind;
      pick -= w.weight;
    }
    return Kind::kAllocFree;
  }

  // Sizes across every class: the too-small and too-big errors, small (up to
  // a sixteenth of a page), mid (up to half), page-spanning and huge objects
  // up to ZS_MAX_ALLOC_SIZE (one page).
  uint32_t PickSize() {
    const uint64_t r = rng_.Below(100);
    if (r < 2) return 0;
    if (r < 4) return static_cast<uint32_t>(rng_.Range(kPageSize + 1, 2 * kPageSize));
    if (r < 40) return static_cast<uint32_t>(rng_.Range(1, kPageSize / 16));
    if (r < 70) return static_cast<uint32_t>(rng_.Range(kPageSize / 16 + 1, kPageSize / 2));
    if (r < 85) return static_cast<uint32_t>(rng_.Range(kPageSize / 2 + 1, huge_ - 1));
    return static_cast<uint32_t>(rng_.Range(huge_, kPageSize));
  }

  void One() {
    Kind kind = Pick();
    // Ops on an object need one; with none live, allocate instead.
    if (live_.empty() && NeedsObject(kind)) kind = Kind::kAllocFree;
    const uint32_t obj = live_.empty() ? 0 : live_[rng_.Below(live_.size())].slot;
    switch (kind) {
      case Kind::kAllocFree:
        AllocOrFree();
        return;
      case Kind::kWrite:
        ops_->push_back(MakeOp(OpCode::kWrite, obj));
        return;
      case Kind::kRead:
        ops_->push_back(MakeOp(OpCode::kRead, obj));
        return;
      case Kind::kReadSg:
        ops_->push_back(MakeOp(OpCode::kReadSg, obj));
        return;
      case Kind::kMigrate:
        ops_->push_back(MakeOp(OpCode::kMigrate, obj, 0, static_cast<uint32_t>(rng_.Below(opt_.chain_size))));
        return;
      case Kind::kCompact:
        ops_->push_back(MakeOp(OpCode::kCompact));
        return;
      case Kind::kShrinkCount:
        ops_->push_back(MakeOp(OpCode::kShrinkCount));
        return;
      case Kind::kShrinkScan:
        ops_->push_back(MakeOp(OpCode::kShrinkScan, 0, 0, 0, static_cast<uint32_t>(rng_.Range(1, 128))));
        return;
      case Kind::kFlush:
        ops_->push_back(MakeOp(OpCode::kFlush));
        return;
      case Kind::kStats: {
        // The debugfs table costs hundreds of times a counter read: rarely.
        const uint64_t r = rng_.Below(65);
        ops_->push_back(MakeOp(r < 45   ? OpCode::kStatPages
                               : r < 64 ? OpCode::kStatPool
                                        : OpCode::kStatClasses));
        return;
      }
    }
  }

  void AllocOrFree() {
    const bool grow = live_.size() < live_target_;
    const bool malloc = live_.empty() || (live_.size() < kMaxLive && rng_.Percent(grow ? 75 : 25));
    if (!malloc) {
      const size_t i = rng_.Below(live_.size());
      ops_->push_back(MakeOp(OpCode::kFree, live_[i].slot));
      live_[i] = live_.back();
      live_.pop_back();
      return;
    }
    const uint32_t size = PickSize();
    const uint32_t slot = (*next_slot_)++;
    ops_->push_back(MakeOp(OpCode::kMalloc, slot, size));
    if (size == 0 || size > kPageSize) return;  // -EINVAL, -ENOSPC: no object
    // Every object is written before it is read: its bytes are defined only then.
    ops_->push_back(MakeOp(OpCode::kWrite, slot));
    live_.push_back({slot});
  }

  const StressOptions& opt_;
  Prng rng_;
  uint32_t* next_slot_;
  const uint32_t huge_;
  uint64_t total_weight_ = 0;
  uint64_t live_target_ = 0;
  std::vector<Live> live_;
  std::vector<Op>* ops_ = nullptr;
};

}  // namespace

StressProgram MakeStressProgram(const StressOptions& opt, const zs_sched::Schedule& schedule) {
  StressProgram sp;
  sp.program.chain_size = opt.chain_size;
  sp.program.schedule = schedule;
  sp.program.threads.resize(opt.threads);
  sp.random_begin.resize(opt.threads);
  sp.random_end.resize(opt.threads);
  // Slots are numbered in thread order (program.h): thread 0's first.
  uint32_t next_slot = 0;
  for (unsigned t = 0; t < opt.threads; t++) {
    ThreadGenerator gen(opt, t, &next_slot);
    gen.Generate(&sp.program.threads[t], &sp.random_begin[t], &sp.random_end[t]);
  }
  return sp;
}

}  // namespace zsfuzz
