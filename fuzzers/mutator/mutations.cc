// The mutations: each Mutation edits a Draft of the program (mutator.h).
#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "fuzzers/mutator/draft.h"
#include "fuzzers/mutator/mutator.h"
#include "oracle/program/sizes.h"

namespace zsfuzz {
namespace {

using zs_sched::Schedule;
using zs_sched::Strategy;

constexpr const char* kMutationNames[kNumMutations] = {
    "insert_op",
    "delete_op",
    "duplicate_op",
    "move_op",
    "retarget_op",
    "replace_op",
    "change_size",
    "change_slot",
    "change_page",
    "change_value",
    "add_thread",
    "remove_thread",
    "change_chain",
    "change_strategy",
    "change_seed",
    "change_schedule_param",
    "change_schedule_data",
    "insert_bulk",
    "resize_bulk",
};
// How likely a new op is of each ops.def row: mallocs most, then ops on a
// handle, then migration; new rows get their kind's weight.
int OpWeight(OpArgs args) {
  switch (args) {
    case OpArgs::kSize:
      return 12;
    case OpArgs::kSlot:
      return 5;
    case OpArgs::kSlotPage:
      return 4;
    case OpArgs::kNone:
    case OpArgs::kValue:
      return 2;
  }
  return 1;
}

OpCode RandomOpCode(Prng* rng) {
  static const auto weights = [] {
    std::array<int, kNumOpCodes> w{};
    for (int i = 0; i < kNumOpCodes; i++) w[i] = OpWeight(ArgsOf(static_cast<OpCode>(i)));
    return w;
  }();
  uint64_t total = 0;
  for (int w : weights) total += w;
  uint64_t r = rng->Below(total);
  for (int i = 0; i < kNumOpCodes; i++) {
    if (r < static_cast<uint64_t>(weights[i])) return static_cast<OpCode>(i);
    r -= weights[i];
  }
  return OpCode::kMalloc;
}
template <typename T>
const T& PickFrom(const std::vector<T>& v, Prng* rng) {
  return v[rng->Below(v.size())];
}
// A size worth trying: an edge, a class edge, near huge_class_size, or any.
uint32_t RandomSize(unsigned int chain, Prng* rng) {
  const uint64_t r = rng->Below(100);
  if (r < 35) return PickFrom(EdgeSizes(chain), rng);
  if (r < 60) {
    static constexpr int kEdge[] = {0, 1, -1, -8};
    return static_cast<uint32_t>(static_cast<int>(ClassSize(rng->Below(kNumSizeClasses))) +
                                 kEdge[rng->Below(4)]);
  }
  if (r < 75) return HugeClassSize(chain) + static_cast<uint32_t>(rng->Range(0, 6)) - 3;
  if (r < 90) return static_cast<uint32_t>(rng->Range(1, kPageSize));
  return static_cast<uint32_t>(rng->Range(0, kMaxMallocSize));
}

// A size one step from `old`: the class above or below, the class edge,
// huge_class_size's edge, a byte either way, or somewhere new.
uint32_t NearSize(uint32_t old, unsigned int chain, Prng* rng) {
  const uint32_t huge = HugeClassSize(chain);
  const uint32_t cls = old == 0 ? 0 : ClassIndexOf(std::min(old, kPageSize));
  switch (rng->Below(8)) {
    case 0:  // just into the next class
      return cls + 1 < kNumSizeClasses ? ClassSize(cls + 1) - kClassDelta + 1 : kPageSize + 1;
    case 1:  // the last size of the class below
      return cls > 0 ? ClassSize(cls - 1) : 0;
    case 2:  // the top of this class: objects packed the tightest
      return ClassSize(cls);
    case 3:
      return huge + static_cast<uint32_t>(rng->Range(0, 2)) - 1;
    case 4:
      return old < kMaxMallocSize ? old + 1 : old - 1;
    case 5:
      return old > 0 ? old - 1 : 1;
    default:
      return RandomSize(chain, rng);
  }
}

uint32_t RandomValue(OpCode code, Prng* rng) {
  switch (code) {
    case OpCode::kFailPages:
    case OpCode::kFailSlab:  // 0 stops failing; a few failures hit one path each
      return static_cast<uint32_t>(rng->Percent(80) ? rng->Range(0, 4) : rng->Range(0, kMaxOpValue));
    case OpCode::kPressure:
      return static_cast<uint32_t>(rng->Percent(80) ? rng->Range(0, 16) : rng->Range(0, 256));
    default: {
      static constexpr uint32_t kCommon[] = {0, 1, 2, 16, 64, 128, kMaxOpValue};
      return rng->Percent(60) ? kCommon[rng->Below(std::size(kCommon))]
                              : static_cast<uint32_t>(rng->Range(0, kMaxOpValue));
    }
  }
}

uint32_t RandomPage(Prng* rng) {
  return static_cast<uint32_t>(rng->Percent(70) ? rng->Below(4) : rng->Below(kMaxPage + 1));
}

uint32_t RandomDecision(size_t threads, Prng* rng) {
  return static_cast<uint32_t>(rng->Percent(90) ? rng->Below(threads + 1) : rng->Below(16));
}

class Mutator {
 public:
  Mutator(Draft* d, Prng* rng) : d_(*d), rng_(*rng) {}

  bool Apply(Mutation m) {
    switch (m) {
      case Mutation::kInsertOp:
        return InsertOp();
      case Mutation::kDeleteOp:
        return DeleteOp();
      case Mutation::kDuplicateOp:
        return DuplicateOp();
      case Mutation::kMoveOp:
        return MoveOp();
      case Mutation::kRetargetOp:
        return RetargetOp();
      case Mutation::kReplaceOp:
        return ReplaceOp();
      case Mutation::kChangeSize:
        return ChangeSize();
      case Mutation::kChangeSlot:
        return ChangeSlot();
      case Mutation::kChangePage:
        return ChangePage();
      case Mutation::kChangeValue:
        return ChangeValue();
      case Mutation::kAddThread:
        return AddThread();
      case Mutation::kRemoveThread:
        return RemoveThread();
      case Mutation::kChangeChain:
        return ChangeChain();
      case Mutation::kChangeStrategy:
        return ChangeStrategy();
      case Mutation::kChangeSeed:
        return ChangeSeed();
      case Mutation::kChangeScheduleParam:
        return ChangeScheduleParam();
      case Mutation::kChangeScheduleData:
        return ChangeScheduleData();
      case Mutation::kInsertBulk:
        return InsertBulk();
      case Mutation::kResizeBulk:
        return ResizeBulk();
    }
    return false;
  }

 private:
  struct Pos {
    size_t thread;
    size_t index;
  };

  std::vector<DraftOp>& T(size_t t) { return d_.threads[t]; }
  DraftOp& At(Pos p) { return d_.threads[p.thread][p.index]; }

  // Labels of the mallocs thread t runs before index `before`.
  std::vector<uint32_t> OwnLabels(size_t t, size_t before) const {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < before && i < d_.threads[t].size(); i++)
      if (d_.threads[t][i].op.code == OpCode::kMalloc) out.push_back(d_.threads[t][i].label);
    return out;
  }

  std::vector<uint32_t> AllLabels() const {
    std::vector<uint32_t> out;
    for (const auto& ops : d_.threads)
      for (const DraftOp& op : ops)
        if (op.op.code == OpCode::kMalloc) out.push_back(op.label);
    return out;
  }

  // A random op among those `want` accepts, or nullopt if none does.
  template <typename Pred>
  std::optional<Pos> PickOp(Pred want) {
    std::vector<Pos> all;
    for (size_t t = 0; t < d_.threads.size(); t++)
      for (size_t i = 0; i < d_.threads[t].size(); i++)
        if (want(d_.threads[t][i].op)) all.push_back({t, i});
    if (all.empty()) return std::nullopt;
    return PickFrom(all, &rng_);
  }
  std::optional<Pos> PickAnyOp() {
    return PickOp([](const Op&) { return true; });
  }
  std::optional<Pos> PickOpOfKind(OpArgs args) {
    return PickOp([args](const Op& op) { return ArgsOf(op.code) == args; });
  }

  // Arguments for `code` at thread t, index i; false if it needs a slot
  // there is none of.
  bool FillArgs(OpCode code, size_t t, size_t i, DraftOp* out) {
    out->op = Op{};
    out->op.code = code;
    out->label = 0;
    switch (ArgsOf(code)) {
      case OpArgs::kSize:
        out->op.size = RandomSize(d_.chain_size, &rng_);
        out->label = d_.NewLabel();
        return true;
      case OpArgs::kSlot: {
        const std::vector<uint32_t> own = OwnLabels(t, i);
        if (own.empty()) return false;
        // Mostly the latest: the handle a program just made.
        out->label = rng_.Percent(50) ? own.back() : PickFrom(own, &rng_);
        return true;
      }
      case OpArgs::kSlotPage: {
        const std::vector<uint32_t> all = AllLabels();
        if (all.empty()) return false;
        out->label = PickFrom(all, &rng_);
        out->op.page = RandomPage(&rng_);
        return true;
      }
      case OpArgs::kValue:
        out->op.value = RandomValue(code, &rng_);
        return true;
      case OpArgs::kNone:
        return true;
    }
    return false;
  }

  // A new op valid at (t, i): a random one, or a malloc if it needs a slot
  // there is none of.
  DraftOp NewOp(size_t t, size_t i) {
    DraftOp op{};
    if (!FillArgs(RandomOpCode(&rng_), t, i, &op)) FillArgs(OpCode::kMalloc, t, i, &op);
    return op;
  }

  bool InsertOp() {
    const size_t t = rng_.Below(d_.threads.size());
    const size_t i = rng_.Below(T(t).size() + 1);
    const DraftOp op = NewOp(t, i);
    T(t).insert(T(t).begin() + static_cast<ptrdiff_t>(i), op);
    return true;
  }

  bool DeleteOp() {
    std::optional<Pos> p = PickAnyOp();
    if (!p) return false;
    T(p->thread).erase(T(p->thread).begin() + static_cast<ptrdiff_t>(p->index));
    return true;
  }

  bool DuplicateOp() {
    std::optional<Pos> p = PickAnyOp();
    if (!p) return false;
    DraftOp copy = At(*p);
    if (copy.op.code == OpCode::kMalloc) copy.label = d_.NewLabel();
    auto& ops = T(p->thread);
    // Mostly after the original, where a copied free or read still has its slot.
    const size_t to = rng_.Percent(70) ? rng_.Range(p->index + 1, ops.size()) : rng_.Below(ops.size() + 1);
    ops.insert(ops.begin() + static_cast<ptrdiff_t>(to), copy);
    return true;
  }

  bool MoveOp() {
    std::vector<Pos> movable;  // ops of threads with two or more
    for (size_t t = 0; t < d_.threads.size(); t++)
      if (T(t).size() >= 2)
        for (size_t i = 0; i < T(t).size(); i++) movable.push_back({t, i});
    if (movable.empty()) return false;
    const Pos p = PickFrom(movable, &rng_);
    auto& ops = T(p.thread);
    const DraftOp op = ops[p.index];
    ops.erase(ops.begin() + static_cast<ptrdiff_t>(p.index));
    size_t to = rng_.Below(ops.size());
    if (to >= p.index) to++;  // somewhere else
    ops.insert(ops.begin() + static_cast<ptrdiff_t>(to), op);
    return true;
  }

  bool RetargetOp() {
    if (d_.threads.size() < 2) return false;
    std::optional<Pos> p = PickAnyOp();
    if (!p) return false;
    size_t to = rng_.Below(d_.threads.size() - 1);
    if (to >= p->thread) to++;
    DraftOp op = At(*p);
    size_t at = rng_.Below(T(to).size() + 1);
    if (ArgsOf(op.op.code) == OpArgs::kSlot) {
      // A handle op acts on a handle of its new thread: after one of its mallocs.
      std::vector<size_t> after_malloc;
      for (size_t i = 0; i < T(to).size(); i++)
        if (T(to)[i].op.code == OpCode::kMalloc) after_malloc.push_back(i + 1);
      if (after_malloc.empty()) return false;
      at = rng_.Range(PickFrom(after_malloc, &rng_), T(to).size());
      const std::vector<uint32_t> own = OwnLabels(to, at);
      op.label = PickFrom(own, &rng_);
    }
    T(p->thread).erase(T(p->thread).begin() + static_cast<ptrdiff_t>(p->index));
    T(to).insert(T(to).begin() + static_cast<ptrdiff_t>(at), op);
    return true;
  }

  bool ReplaceOp() {
    std::optional<Pos> p = PickAnyOp();
    if (!p) return false;
    DraftOp& op = At(*p);
    for (int attempt = 0; attempt < 8; attempt++) {
      const OpCode code = RandomOpCode(&rng_);
      if (code == op.op.code) continue;
      // A malloc's label may be in use: replacing it leaves its users to the repair.
      if (ArgsOf(code) == ArgsOf(op.op.code) && code != OpCode::kMalloc) {
        op.op.code = code;
        if (ArgsOf(code) == OpArgs::kValue) op.op.value = RandomValue(code, &rng_);
        return true;
      }
      DraftOp fresh{};
      if (FillArgs(code, p->thread, p->index, &fresh)) {
        op = fresh;
        return true;
      }
    }
    return false;
  }

  bool ChangeSize() {
    std::optional<Pos> p = PickOpOfKind(OpArgs::kSize);
    if (!p) return false;
    uint32_t& size = At(*p).op.size;
    size = rng_.Percent(60) ? NearSize(size, d_.chain_size, &rng_) : RandomSize(d_.chain_size, &rng_);
    return true;
  }

  bool ChangeSlot() {
    std::optional<Pos> p = PickOp([](const Op& op) {
      return ArgsOf(op.code) == OpArgs::kSlot || ArgsOf(op.code) == OpArgs::kSlotPage;
    });
    if (!p) return false;
    DraftOp& op = At(*p);
    const std::vector<uint32_t> choices =
        ArgsOf(op.op.code) == OpArgs::kSlot ? OwnLabels(p->thread, p->index) : AllLabels();
    if (choices.empty()) return false;
    op.label = PickFrom(choices, &rng_);
    return true;
  }

  bool ChangePage() {
    std::optional<Pos> p = PickOpOfKind(OpArgs::kSlotPage);
    if (!p) return false;
    uint32_t& page = At(*p).op.page;
    page = rng_.Percent(50) ? (page + 1) % (kMaxPage + 1) : RandomPage(&rng_);
    return true;
  }

  bool ChangeValue() {
    std::optional<Pos> p = PickOpOfKind(OpArgs::kValue);
    if (!p) return false;
    Op& op = At(*p).op;
    op.value = rng_.Percent(30) ? (op.value == 0 ? 1 : op.value - 1) : RandomValue(op.code, &rng_);
    return true;
  }

  // A bulk malloc of a class that fills in few members (the smallest ones
  // hold 128 objects a zspage), or a bulk free of this thread's slots in a
  // row; its later members carry the bulk mark (program.h, "Bulk ops").
  bool InsertBulk() {
    const size_t t = rng_.Below(d_.threads.size());
    const size_t at = rng_.Below(T(t).size() + 1);
    std::vector<DraftOp> ops;
    const std::vector<uint32_t> own = OwnLabels(t, at);
    if (own.size() >= 2 && rng_.Percent(40)) {
      const size_t first = rng_.Below(own.size() - 1);
      const size_t n = rng_.Range(2, std::min<size_t>(own.size() - first, kMaxBulk));
      for (size_t k = 0; k < n; k++) {
        DraftOp op{};
        op.op.code = OpCode::kFree;
        op.op.bulk = k > 0;
        op.label = own[first + k];
        ops.push_back(op);
      }
    } else {
      const uint32_t size = rng_.Percent(60) ? ClassSize(static_cast<uint32_t>(rng_.Below(16))) -
                                                   static_cast<uint32_t>(rng_.Below(8))
                                             : RandomSize(d_.chain_size, &rng_);
      static constexpr uint32_t kCounts[] = {2, 4, 16, 64, 127, 128, 129, 192, 255, kMaxBulk};
      const uint32_t n = rng_.Percent(70) ? kCounts[rng_.Below(std::size(kCounts))]
                                          : static_cast<uint32_t>(rng_.Range(2, kMaxBulk));
      for (uint32_t k = 0; k < n; k++) {
        DraftOp op{};
        op.op.code = OpCode::kMalloc;
        op.op.size = size;
        op.op.bulk = k > 0;
        op.label = d_.NewLabel();
        ops.push_back(op);
      }
    }
    T(t).insert(T(t).begin() + static_cast<ptrdiff_t>(at), ops.begin(), ops.end());
    return true;
  }

  // Grows or shrinks a bulk op at its end. A grown bulk free names the
  // labels after its last; FromDraft drops the marks that no longer fit.
  bool ResizeBulk() {
    std::optional<Pos> p = PickOp([](const Op& op) { return op.bulk; });
    if (!p) return false;
    auto& ops = T(p->thread);
    const auto [first, end] = BulkOpAt(ops, p->index, &DraftOp::op);
    const size_t n = end - first;
    size_t want = n;
    switch (rng_.Below(4)) {
      case 0:
        want = n * 2;
        break;
      case 1:
        want = n / 2;
        break;
      case 2:
        want = n + 1;
        break;
      default:
        want = n - 1;
        break;
    }
    want = std::clamp<size_t>(want, 1, kMaxBulk);
    if (want < n) {
      ops.erase(ops.begin() + static_cast<ptrdiff_t>(first + want),
                ops.begin() + static_cast<ptrdiff_t>(end));
      return true;
    }
    std::vector<DraftOp> more;
    const DraftOp& last = ops[end - 1];
    const std::vector<uint32_t> own = OwnLabels(p->thread, first);
    size_t next_own = std::find(own.begin(), own.end(), last.label) - own.begin() + 1;
    for (size_t k = n; k < want; k++) {
      DraftOp op = last;
      op.op.bulk = true;
      if (op.op.code == OpCode::kMalloc) {
        op.label = d_.NewLabel();
      } else if (next_own < own.size()) {
        op.label = own[next_own++];
      } else {
        break;  // no more slots of its own before it
      }
      more.push_back(op);
    }
    ops.insert(ops.begin() + static_cast<ptrdiff_t>(end), more.begin(), more.end());
    return true;
  }

  bool AddThread() {
    if (d_.threads.size() >= static_cast<size_t>(kMaxThreads)) return false;
    std::vector<DraftOp> ops;
    const size_t from = rng_.Below(d_.threads.size());
    if (rng_.Percent(60) && !T(from).empty()) {
      // A copy of part of another thread: the same work, racing it.
      const size_t begin = rng_.Below(T(from).size());
      const size_t end = rng_.Range(begin + 1, T(from).size());
      absl::flat_hash_map<uint32_t, uint32_t> fresh;
      for (size_t i = begin; i < end; i++) {
        DraftOp op = T(from)[i];
        if (op.op.code == OpCode::kMalloc) {
          op.label = fresh[op.label] = d_.NewLabel();
        } else if (auto it = fresh.find(op.label); it != fresh.end() && ArgsOf(op.op.code) == OpArgs::kSlot) {
          op.label = it->second;
        }
        ops.push_back(op);
      }
    } else {
      d_.threads.emplace_back();
      const size_t t = d_.threads.size() - 1;
      const size_t n = rng_.Range(1, 4);
      for (size_t i = 0; i < n; i++) T(t).push_back(NewOp(t, i));
      return true;
    }
    d_.threads.push_back(std::move(ops));
    return true;
  }

  bool RemoveThread() {
    if (d_.threads.size() < 2) return false;
    d_.threads.erase(d_.threads.begin() + static_cast<ptrdiff_t>(rng_.Below(d_.threads.size())));
    return true;
  }

  bool ChangeChain() {
    unsigned int chain;
    do {
      chain = rng_.Percent(30) ? kDefaultChainSize
                               : static_cast<unsigned int>(rng_.Range(kMinChainSize, kMaxChainSize));
    } while (chain == d_.chain_size);
    d_.chain_size = chain;
    return true;
  }

  bool ChangeStrategy() {
    Schedule& s = d_.schedule;
    static constexpr Strategy kAll[] = {Strategy::kRandom, Strategy::kPct, Strategy::kRoundRobin};
    Strategy next;
    do next = kAll[rng_.Below(3)];
    while (next == s.strategy);
    s.strategy = next;
    if (next == Strategy::kPct) {
      s.depth = static_cast<int>(rng_.Range(1, 5));
      s.steps = rng_.Percent(70) ? Schedule::kDefaultPctSteps : rng_.Range(1, 10000);
    } else if (next == Strategy::kRoundRobin) {
      s.quantum = static_cast<uint32_t>(rng_.Range(1, 4));
    }
    return true;
  }

  bool ChangeSeed() {
    uint64_t& seed = d_.schedule.seed;
    switch (rng_.Below(3)) {
      case 0:
        seed = rng_.Next();
        break;
      case 1:
        seed += rng_.Percent(50) ? 1 : std::numeric_limits<uint64_t>::max();  // +1 or -1
        break;
      default:
        seed = rng_.Below(256);
        break;
    }
    return true;
  }

  bool ChangeScheduleParam() {
    Schedule& s = d_.schedule;
    if (s.strategy == Strategy::kPct) {
      if (rng_.Percent(65)) {
        s.depth =
            static_cast<int>(rng_.Percent(85) ? rng_.Range(1, 8) : rng_.Range(1, Schedule::kMaxPctDepth));
      } else {
        s.steps = rng_.Percent(50) ? rng_.Range(1, 200) : rng_.Range(1, 100000);
      }
      return true;
    }
    if (s.strategy == Strategy::kRoundRobin) {
      s.quantum = static_cast<uint32_t>(rng_.Percent(80) ? rng_.Range(1, 8) : rng_.Range(1, 1000));
      return true;
    }
    return false;  // random has no parameters besides the seed
  }

  bool ChangeScheduleData() {
    std::vector<uint32_t>& data = d_.schedule.data;
    const size_t threads = d_.threads.size();
    if (data.empty()) {
      const size_t n = rng_.Range(1, 16);
      for (size_t i = 0; i < n; i++) data.push_back(RandomDecision(threads, &rng_));
      return true;
    }
    switch (rng_.Below(6)) {
      case 0:  // insert one
        data.insert(data.begin() + static_cast<ptrdiff_t>(rng_.Below(data.size() + 1)),
                    RandomDecision(threads, &rng_));
        break;
      case 1:  // delete one
        data.erase(data.begin() + static_cast<ptrdiff_t>(rng_.Below(data.size())));
        break;
      case 2: {  // change one, to something else
        uint32_t& d = data[rng_.Below(data.size())];
        const uint32_t old = d;
        do d = RandomDecision(threads, &rng_);
        while (d == old);
        break;
      }
      case 3:  // truncate: the strategy decides sooner
        data.resize(rng_.Below(data.size()));
        break;
      case 4: {  // a run of one thread: it gets far ahead
        const uint32_t who = RandomDecision(threads, &rng_);
        data.insert(data.begin() + static_cast<ptrdiff_t>(rng_.Below(data.size() + 1)), rng_.Range(2, 16),
                    who);
        break;
      }
      default:  // append more
        for (size_t n = rng_.Range(1, 8); n > 0; n--) data.push_back(RandomDecision(threads, &rng_));
        break;
    }
    return true;
  }

  Draft& d_;
  Prng& rng_;
};
}  // namespace

const char* MutationName(Mutation m) {
  const int i = static_cast<int>(m);
  return i >= 0 && i < kNumMutations ? kMutationNames[i] : "?";
}

bool ApplyMutation(Mutation m, Program* p, Prng* rng) {
  Draft d = ToDraft(*p);
  Mutator mutator(&d, rng);
  if (!mutator.Apply(m)) return false;
  *p = FromDraft(d);
  return true;
}
}  // namespace zsfuzz
