// Level 5: the order of a concurrent run's class->lock sections, and its
// replay compared (linearization.h).
#include "oracle/linearization.h"

#include <map>
#include <queue>

#include "absl/strings/str_format.h"
#include "kernel/shrinker.h"
#include "oracle/model.h"

namespace zsfuzz::oracle {
namespace {

// The ops whose class->lock sections change a class.
bool Replayed(OpCode code) {
  return code == OpCode::kMalloc || code == OpCode::kFree || code == OpCode::kCompact ||
         code == OpCode::kShrinkScan;
}

bool Compaction(OpCode code) { return code == OpCode::kCompact || code == OpCode::kShrinkScan; }

// One replayed op: a node of the order.
struct Node {
  int thread = 0;
  uint32_t op = 0;
  size_t first = 0;  // its first entry in the record: the tie-break, so the order is the run's where free
  std::vector<size_t> after;  // nodes that must come after it
  int before = 0;             // nodes that must come before it, not yet placed
};

class Linearizer {
 public:
  Linearizer(const Program& p, const ExecResult& run) : p_(p), run_(run) {}

  Linearization Run() {
    Linearization lin;
    lin.not_exact = Refusal();
    if (lin.not_exact.empty()) lin.not_exact = Nodes();
    if (lin.not_exact.empty()) lin.not_exact = Order(&lin);
    return lin;
  }

 private:
  std::string Describe(int thread, uint32_t op) const { return DescribeOp(p_, thread, op); }

  // What makes the whole run unfit, before its sections are looked at.
  std::string Refusal() const {
    if (!run_.class_locks_recorded) return "no class->lock record";
    for (size_t t = 0; t < p_.threads.size(); t++)
      for (const Op& op : p_.threads[t])
        if ((op.code == OpCode::kFailPages || op.code == OpCode::kFailSlab) && op.value != 0)
          return "fail_pages or fail_slab armed an injector";
    return "";
  }

  // The entries a sequence of whole ops need not reproduce: the sections of
  // a malloc before its last, when that last one found every allocated
  // object of the class in use. zs_malloc() then found no zspage with room
  // first, dropped the lock, allocated one and came back for it; whatever
  // ran in between, the malloc run whole at its last section finds no room
  // either and allocates a zspage too. Its earlier sections read only.
  std::vector<bool> Lookups() const {
    std::map<std::pair<int, uint32_t>, size_t> last;  // a malloc's last entry
    for (size_t k = 0; k < run_.class_locks.size(); k++) {
      const ClassLockEntry& e = run_.class_locks[k];
      if (e.thread >= 0 && p_.threads[e.thread][e.op].code == OpCode::kMalloc) last[{e.thread, e.op}] = k;
    }
    std::vector<bool> lookup(run_.class_locks.size(), false);
    for (size_t k = 0; k < run_.class_locks.size(); k++) {
      const ClassLockEntry& e = run_.class_locks[k];
      if (e.thread < 0 || p_.threads[e.thread][e.op].code != OpCode::kMalloc) continue;
      const size_t l = last.at({e.thread, e.op});
      lookup[k] = l != k && run_.class_locks[l].class_full;
    }
    return lookup;
  }

  // The nodes, and each class's order of them.
  std::string Nodes() {
    std::map<uint16_t, size_t> last_in_class;  // class -> node of its latest block
    std::map<std::pair<int, uint32_t>, size_t> node_of;
    std::map<std::pair<size_t, uint16_t>, bool> block_ended;  // (node, class) -> another op came after
    const std::vector<bool> lookup = Lookups();
    for (size_t k = 0; k < run_.class_locks.size(); k++) {
      const ClassLockEntry& e = run_.class_locks[k];
      if (e.thread < 0)
        return absl::StrFormat("a task outside the program took class %u's lock (a deferred free)",
                               e.class_index);
      const Op& op = p_.threads[e.thread][e.op];
      // A stat_classes or migration read changes no class, nor does a malloc's lookup.
      if (!Replayed(op.code) || lookup[k]) continue;
      if (Compaction(op.code) && e.zspage_lock_elsewhere)
        return absl::StrFormat(
            "%s took class %u's lock while another thread may have held one of its zspage locks",
            Describe(e.thread, e.op), e.class_index);
      auto [it, added] = node_of.try_emplace({e.thread, e.op}, nodes_.size());
      if (added) nodes_.push_back(Node{e.thread, e.op, k, {}, 0});
      const size_t n = it->second;
      auto last = last_in_class.find(e.class_index);
      if (last != last_in_class.end() && last->second == n) continue;  // the same block goes on
      if (block_ended.count({n, e.class_index}))
        return absl::StrFormat("%s: its sections in class %u are split by %s", Describe(e.thread, e.op),
                               e.class_index, Describe(nodes_[last->second].thread, nodes_[last->second].op));
      if (last != last_in_class.end()) {
        block_ended[{last->second, e.class_index}] = true;
        nodes_[last->second].after.push_back(n);
        nodes_[n].before++;
        last->second = n;
      } else {
        last_in_class.emplace(e.class_index, n);
      }
    }
    // Every compaction locks every class unless zs_compact() found another in progress.
    for (size_t t = 0; t < p_.threads.size(); t++) {
      for (uint32_t i = 0; i < p_.threads[t].size(); i++) {
        if (Compaction(p_.threads[t][i].code) && run_.ops[t][i].status == OpStatus::kDone &&
            !node_of.count({static_cast<int>(t), i}))
          return absl::StrFormat("%s took no class lock (another compaction was in progress)",
                                 Describe(static_cast<int>(t), i));
      }
    }
    return "";
  }

  // Kahn's algorithm; among the nodes free to go next, the one whose first
  // section came first in the run.
  std::string Order(Linearization* lin) {
    using Ready = std::pair<size_t, size_t>;  // (first entry, node)
    std::priority_queue<Ready, std::vector<Ready>, std::greater<>> ready;
    for (size_t n = 0; n < nodes_.size(); n++)
      if (nodes_[n].before == 0) ready.emplace(nodes_[n].first, n);
    lin->replay.version = p_.version;
    lin->replay.chain_size = p_.chain_size;
    lin->replay.threads.assign(1, {});
    std::map<uint32_t, uint32_t> slot_of;  // the run's slot -> the replay's
    while (!ready.empty()) {
      const size_t n = ready.top().second;
      ready.pop();
      const Node& node = nodes_[n];
      Op op = p_.threads[node.thread][node.op];
      op.bulk = false;  // members of a bulk op need not stay together
      if (op.code == OpCode::kMalloc) {
        op.slot = slot_of.emplace(op.slot, static_cast<uint32_t>(slot_of.size())).first->second;
      } else if (op.code == OpCode::kFree) {
        // A free that took its class lock freed a live slot: its malloc came first in the class.
        op.slot = slot_of.at(op.slot);
      }
      lin->replay.threads[0].push_back(op);
      lin->origin.emplace_back(node.thread, node.op);
      for (size_t m : node.after)
        if (--nodes_[m].before == 0) ready.emplace(nodes_[m].first, m);
    }
    if (lin->origin.size() != nodes_.size()) return "the classes' orders admit no common order";
    return "";
  }

  const Program& p_;
  const ExecResult& run_;
  std::vector<Node> nodes_;
};

class ReplayComparer {
 public:
  ReplayComparer(const Program& p, const ExecResult& recorded, const Linearization& lin,
                 const ExecResult& replayed)
      : p_(p),
        rec_(recorded),
        lin_(lin),
        rep_(replayed),
        rn_(recorded.variant->name),
        pn_(replayed.variant->name) {}

  std::optional<Failure> Compare() {
    if (rep_.run.status != zs_sched::RunStatus::kFinished || !rep_.drained.taken) {
      Fail("replay.run", absl::StrFormat("%s's replay of %s's order did not finish: %s", pn_, rn_,
                                         zs_sched::RunStatusName(rep_.run.status)));
      return failure_;
    }
    for (size_t k = 0; k < lin_.origin.size() && !failure_; k++) Result(k);
    if (!failure_) Drained();
    return failure_;
  }

 private:
  void Fail(const std::string& field, const std::string& headline, int thread = -1, long op = -1) {
    if (failure_) return;
    Failure f;
    f.level = Level::kReplay;
    f.field = field;
    f.headline = headline;
    f.where = thread >= 0 ? absl::StrFormat("in %s, op %u of %s's order replayed on %s",
                                            DescribeOp(p_, thread, op), op_in_replay_, rn_, pn_)
                          : absl::StrFormat("after the drain, %s's order of %u ops replayed on %s", rn_,
                                            lin_.origin.size(), pn_);
    f.variant = rn_;
    f.position = kPosCompared;
    f.thread = thread;
    f.op = op;
    failure_ = f;
  }

  void Result(size_t k) {
    const auto [t, i] = lin_.origin[k];
    const Op& op = p_.threads[t][i];
    const OpResult& a = rec_.ops[t][i];
    const OpResult& b = rep_.ops[0][k];
    op_in_replay_ = k;
    if (a.status != b.status) {
      Fail("replay.status",
           absl::StrFormat("%s: %s=%s %s=%s", OpText(op), rn_, OpStatusName(a.status), pn_,
                           OpStatusName(b.status)),
           t, i);
    } else if (op.code == OpCode::kMalloc && a.err != b.err) {
      Fail("replay.malloc", absl::StrFormat("%s returned: %s=%d %s=%d", OpText(op), rn_, a.err, pn_, b.err),
           t, i);
    } else if (Compaction(op.code) && a.value != b.value) {
      auto text = [&](unsigned long v) {
        return op.code == OpCode::kShrinkScan && v == kernel::SHRINK_STOP ? std::string("SHRINK_STOP")
                                                                          : absl::StrFormat("%u", v);
      };
      Fail(absl::StrFormat("replay.%s", OpName(op.code)),
           absl::StrFormat("%s returned: %s=%s %s=%s", OpText(op), rn_, text(a.value), pn_, text(b.value)), t,
           i);
    }
  }

  void Number(const char* field, const char* label, long a, long b) {
    if (a != b) Fail(field, absl::StrFormat("%s: %s=%d %s=%d", label, rn_, a, pn_, b));
  }

  void Drained() {
    const Snapshot& a = rec_.drained;
    const Snapshot& b = rep_.drained;
    if (a.classes.size() != b.classes.size()) {
      Number("replay.class.count", "classes", static_cast<long>(a.classes.size()),
             static_cast<long>(b.classes.size()));
      return;
    }
    for (size_t k = 0; k < a.classes.size() && !failure_; k++) {
      for (int s : kClassStatOrder) {
        if (a.classes[k].stats[s] == b.classes[k].stats[s]) continue;
        Fail(absl::StrFormat("replay.class.%s", ClassStatName(s)),
             absl::StrFormat("class %u %s: %s=%u %s=%u", a.classes[k].index, ClassStatName(s), rn_,
                             a.classes[k].stats[s], pn_, b.classes[k].stats[s]));
        break;
      }
    }
    Number("replay.pool.total_pages", "zs_get_total_pages", static_cast<long>(a.total_pages),
           static_cast<long>(b.total_pages));
    Number("replay.pool.NR_ZSPAGES", "NR_ZSPAGES", a.nr_zspages, b.nr_zspages);
    Number("replay.pool.pages_compacted", "pool pages_compacted", a.pages_compacted, b.pages_compacted);
    Number("replay.shrinker_count", "shrinker count", static_cast<long>(a.shrinker_count),
           static_cast<long>(b.shrinker_count));
  }

  const Program& p_;
  const ExecResult& rec_;
  const Linearization& lin_;
  const ExecResult& rep_;
  const std::string rn_, pn_;
  size_t op_in_replay_ = 0;
  std::optional<Failure> failure_;
};

}  // namespace

Linearization Linearize(const Program& program, const ExecResult& run) {
  return Linearizer(program, run).Run();
}

std::optional<Failure> CompareReplay(const Program& program, const ExecResult& recorded,
                                     const Linearization& lin, const ExecResult& replayed) {
  return ReplayComparer(program, recorded, lin, replayed).Compare();
}

}  // namespace zsfuzz::oracle
