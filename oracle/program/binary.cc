// The binary program form: decoder and encoder (layout in binary.h).
#include "oracle/program/binary.h"

#include <algorithm>
#include <limits>

#include "oracle/program/sizes.h"

namespace zsfuzz {
namespace {

using zs_sched::Schedule;
using zs_sched::Strategy;

constexpr int kNumChains = kMaxChainSize - kMinChainSize + 1;  // 13
constexpr uint64_t kMaxQuantum = std::numeric_limits<uint32_t>::max();
static_assert(kNumOpCodes <= kBulkFreeRow, "rows 30 and 31 of the op byte are the bulk ops");
static_assert(kMaxThreads <= 8, "the header and op bytes hold a thread in 3 bits");

// Reads bytes and varints; past the end every byte is 0.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool AtEnd() const { return pos_ >= size_; }
  size_t Left() const { return pos_ < size_ ? size_ - pos_ : 0; }

  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }

  uint32_t SizeCodeBytes() {
    uint32_t x = 0;
    for (int i = 0; i < kSizeCodeBytes; i++) x |= uint32_t{Byte()} << (8 * i);
    return x;
  }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int i = 0; i < 10; i++) {
      const uint8_t b = Byte();
      v |= uint64_t{b & 0x7fu} << (7 * i);  // the 10th byte's bits past 64 fall off
      if ((b & 0x80) == 0) break;
    }
    return v;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

void PutSizeCode(std::vector<uint8_t>* out, uint32_t x) {
  for (int i = 0; i < kSizeCodeBytes; i++) out->push_back(static_cast<uint8_t>(x >> (8 * i)));
}

void PutVarint(std::vector<uint8_t>* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

uint64_t StepsFromCode(uint64_t v) {
  if (v == 0) return Schedule::kDefaultPctSteps;
  if (v < Schedule::kDefaultPctSteps) return v;
  return v == std::numeric_limits<uint64_t>::max() ? v : v + 1;
}

uint64_t StepsCode(uint64_t steps) {
  if (steps == Schedule::kDefaultPctSteps) return 0;
  return steps < Schedule::kDefaultPctSteps ? steps : steps - 1;
}

Schedule DecodeSchedule(int strategy_bits, Reader* in) {
  Schedule s;
  s.strategy = strategy_bits == 1   ? Strategy::kPct
               : strategy_bits == 2 ? Strategy::kRoundRobin
                                    : Strategy::kRandom;
  s.seed = in->Varint();
  if (s.strategy == Strategy::kPct) {
    s.depth = 1 + (in->Byte() + Schedule::kDefaultPctDepth - 1) % Schedule::kMaxPctDepth;
    s.steps = StepsFromCode(in->Varint());
  } else if (s.strategy == Strategy::kRoundRobin) {
    s.quantum = static_cast<uint32_t>(1 + in->Varint() % kMaxQuantum);
  }
  // Every decision takes at least one byte, so the count cannot exceed what is left.
  const uint64_t n = std::min<uint64_t>(in->Varint(), in->Left());
  s.data.reserve(n);
  for (uint64_t i = 0; i < n; i++) s.data.push_back(static_cast<uint32_t>(in->Varint()));
  return s;
}

void EncodeSchedule(const Schedule& s, std::vector<uint8_t>* out) {
  PutVarint(out, s.seed);
  if (s.strategy == Strategy::kPct) {
    out->push_back(static_cast<uint8_t>((s.depth - Schedule::kDefaultPctDepth + Schedule::kMaxPctDepth) %
                                        Schedule::kMaxPctDepth));
    PutVarint(out, StepsCode(s.steps));
  } else if (s.strategy == Strategy::kRoundRobin) {
    PutVarint(out, s.quantum - 1);
  }
  PutVarint(out, s.data.size());
  for (uint32_t d : s.data) PutVarint(out, d);
}

int StrategyBits(Strategy s) {
  switch (s) {
    case Strategy::kRandom:
      return 0;
    case Strategy::kPct:
      return 1;
    case Strategy::kRoundRobin:
      return 2;
  }
  return 0;
}

// A decoded op before slots are numbered: ref is the thread-local index
// (kSlot) or the global reference (kSlotPage), resolved when all threads are read.
struct RawOp {
  Op op;
  uint64_t ref = 0;
};

void AppendOp(const Op& op, int thread, uint32_t ref, std::vector<uint8_t>* out) {
  out->push_back(static_cast<uint8_t>(static_cast<int>(op.code) | (thread << 5)));
  switch (ArgsOf(op.code)) {
    case OpArgs::kSize:
      PutSizeCode(out, SizeCode(op.size));
      break;
    case OpArgs::kSlot:
      PutVarint(out, ref);
      break;
    case OpArgs::kSlotPage:
      PutVarint(out, (uint64_t{ref} << 4) | op.page);
      break;
    case OpArgs::kValue:
      PutVarint(out, op.value);
      break;
    case OpArgs::kNone:
      break;
  }
}

// A bulk op's members from its count varint: 2..kMaxBulk, and no more than
// the marks the program has left allow.
uint32_t BulkMembers(uint64_t v, uint32_t marks) {
  const auto n = static_cast<uint32_t>(2 + v % (kMaxBulk - 1));
  return std::min(n, 1 + kMaxBulkMarks - marks);
}

// A bulk op of `members` (2..kMaxBulk) whose first member is `first`, with
// its slot reference `ref` in the encoded form.
void AppendBulkOp(const Op& first, int thread, uint32_t ref, uint32_t members, std::vector<uint8_t>* out) {
  const bool malloc = first.code == OpCode::kMalloc;
  out->push_back(static_cast<uint8_t>((malloc ? kBulkMallocRow : kBulkFreeRow) | (thread << 5)));
  if (malloc) {
    PutSizeCode(out, SizeCode(first.size));
  } else {
    PutVarint(out, ref);
  }
  PutVarint(out, members - 2);
}

}  // namespace

uint32_t SizeFromCode(uint32_t x, unsigned int chain) {
  static constexpr int kEdge[4] = {0, 1, -1, -8};
  const uint32_t low = x % kSizeCodeForm;
  switch (x / kSizeCodeForm) {
    case 0:
      return x % (kMaxMallocSize + 1);
    case 1: {
      const int size = static_cast<int>(ClassSize((low >> 2) % kNumSizeClasses)) + kEdge[x & 3];
      return static_cast<uint32_t>(size);  // class sizes are 32 and up: never below 0
    }
    case 2: {
      const std::vector<uint32_t>& edges = EdgeSizes(chain);
      return edges[low % edges.size()];
    }
    default:
      return HugeClassSize(chain) - kHugeWindow / 2 + low % kHugeWindow;
  }
}

Program DecodeProgram(const uint8_t* data, size_t size) {
  Reader in(data, size);
  Program p;
  const uint8_t header = in.Byte();
  const int threads = 1 + (header & 7);
  p.chain_size = kMinChainSize + (in.Byte() + kDefaultChainSize - kMinChainSize) % kNumChains;
  p.schedule = DecodeSchedule((header >> 3) & 3, &in);

  std::vector<std::vector<RawOp>> raw(threads);
  std::vector<uint32_t> own_slots(threads, 0);  // mallocs read so far, per thread
  uint32_t marks = 0;
  while (!in.AtEnd()) {
    const uint8_t b = in.Byte();
    const int t = (b >> 5) % threads;
    RawOp r;
    if ((b & 31) == kBulkMallocRow) {
      r.op.code = OpCode::kMalloc;
      r.op.size = SizeFromCode(in.SizeCodeBytes(), p.chain_size);
      const uint32_t n = BulkMembers(in.Varint(), marks);
      for (uint32_t k = 0; k < n; k++, r.op.bulk = true) raw[t].push_back(r);
      own_slots[t] += n;
      marks += n - 1;
      continue;
    }
    if ((b & 31) == kBulkFreeRow) {
      const uint64_t v = in.Varint();
      const uint64_t c = in.Varint();
      if (own_slots[t] == 0) continue;  // no slot of its own yet: dropped
      r.op.code = OpCode::kFree;
      r.ref = v % own_slots[t];
      const uint32_t n =
          std::min<uint32_t>(BulkMembers(c, marks), own_slots[t] - static_cast<uint32_t>(r.ref));
      for (uint32_t k = 0; k < n; k++, r.op.bulk = true, r.ref++) raw[t].push_back(r);
      marks += n - 1;
      continue;
    }
    r.op.code = static_cast<OpCode>((b & 31) % kNumOpCodes);
    switch (ArgsOf(r.op.code)) {
      case OpArgs::kSize:
        r.op.size = SizeFromCode(in.SizeCodeBytes(), p.chain_size);
        own_slots[t]++;
        break;
      case OpArgs::kSlot: {
        const uint64_t v = in.Varint();
        if (own_slots[t] == 0) continue;  // no slot of its own yet: dropped
        r.ref = v % own_slots[t];
        break;
      }
      case OpArgs::kSlotPage: {
        const uint64_t v = in.Varint();
        r.op.page = static_cast<uint32_t>(v & 15);
        r.ref = v >> 4;
        break;
      }
      case OpArgs::kValue:
        r.op.value = static_cast<uint32_t>(in.Varint() % (kMaxOpValue + 1));
        break;
      case OpArgs::kNone:
        break;
    }
    raw[t].push_back(r);
  }

  // Slots count up through thread 0's mallocs, then thread 1's, ...
  std::vector<uint32_t> first_slot(threads, 0);
  uint32_t total = 0;
  for (int t = 0; t < threads; t++) {
    first_slot[t] = total;
    total += own_slots[t];
  }
  p.threads.resize(threads);
  for (int t = 0; t < threads; t++) {
    uint32_t next = first_slot[t];
    p.threads[t].reserve(raw[t].size());
    for (RawOp& r : raw[t]) {
      switch (ArgsOf(r.op.code)) {
        case OpArgs::kSize:
          r.op.slot = next++;
          break;
        case OpArgs::kSlot:
          r.op.slot = first_slot[t] + static_cast<uint32_t>(r.ref);
          break;
        case OpArgs::kSlotPage:
          if (total == 0) continue;  // no slot anywhere: dropped
          r.op.slot = static_cast<uint32_t>(r.ref % total);
          break;
        default:
          break;
      }
      p.threads[t].push_back(r.op);
    }
  }
  return p;
}

std::vector<uint8_t> EncodeOpBytes(const Op& op, int thread, uint32_t ref) {
  std::vector<uint8_t> out;
  AppendOp(op, thread, ref, &out);
  return out;
}

std::vector<uint8_t> EncodeBulkOpBytes(const Op& first, int thread, uint32_t ref, uint32_t members) {
  std::vector<uint8_t> out;
  AppendBulkOp(first, thread, ref, members, &out);
  return out;
}

std::vector<uint8_t> EncodeProgram(const Program& p) {
  std::vector<uint8_t> out;
  const int threads = static_cast<int>(p.threads.size());
  out.push_back(static_cast<uint8_t>((threads - 1) | (StrategyBits(p.schedule.strategy) << 3)));
  out.push_back(static_cast<uint8_t>((p.chain_size - kDefaultChainSize + kNumChains) % kNumChains));
  EncodeSchedule(p.schedule, &out);

  uint32_t first_slot = 0;
  for (int t = 0; t < threads; t++) {
    const std::vector<Op>& ops = p.threads[t];
    for (size_t i = 0; i < ops.size(); i++) {
      const Op& op = ops[i];
      // kSlot refs are thread-local: the slot's index among this thread's.
      const uint32_t ref = ArgsOf(op.code) == OpArgs::kSlot ? op.slot - first_slot : op.slot;
      const size_t end = BulkOpAt(ops, i).second;
      if (end - i > 1) {
        AppendBulkOp(op, t, ref, static_cast<uint32_t>(end - i), &out);
        i = end - 1;
        continue;
      }
      AppendOp(op, t, ref, &out);
    }
    for (const Op& op : p.threads[t]) first_slot += op.code == OpCode::kMalloc;
  }
  return out;
}

}  // namespace zsfuzz
