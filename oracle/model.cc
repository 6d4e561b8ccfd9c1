// Level 1: the reference model (model.h).
#include "oracle/model.h"

#include <cerrno>
#include <set>
#include <vector>

#include "absl/strings/str_format.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "kernel/shrinker.h"
#include "kernel/types.h"
#include "oracle/program/text.h"

namespace zsfuzz::oracle {
namespace {

std::string Errno(long err) {
  switch (err) {
    case 0:
      return "0";
    case -EINVAL:
      return "-EINVAL";
    case -ENOSPC:
      return "-ENOSPC";
    case -ENOMEM:
      return "-ENOMEM";
    case -EBUSY:
      return "-EBUSY";
    case -EAGAIN:
      return "-EAGAIN";
    default:
      return absl::StrFormat("%d", err);
  }
}

struct SlotModel {
  int owner = -1;
  bool live = false;
  uint32_t size = 0;
  uint64_t generation = 0;
  unsigned long handle = 0;
  // PatternChecksum(slot, generation, size), computed once per write: every
  // snapshot compares every live object against it.
  uint64_t expect = 0;
};

class Model {
 public:
  Model(const Program& p, const ExecResult& r, bool sequential) : p_(p), r_(r), seq_(sequential) {
    int slots = 0;
    for (const auto& ops : p.threads)
      for (const Op& op : ops)
        if (op.code == OpCode::kMalloc) slots = std::max<int>(slots, static_cast<int>(op.slot) + 1);
    slots_.resize(slots);
  }

  std::optional<Failure> Run() {
    for (int t = 0; t < static_cast<int>(p_.threads.size()) && !failure_; t++) RunThread(t);
    if (!failure_) CheckEnd();
    return failure_;
  }

 private:
  void Fail(int t, long i, const std::string& field, const std::string& what) {
    if (!failure_) failure_ = FailureInOp(Level::kModel, p_, r_, seq_, kPosOps, t, i, field, what);
  }
  void FailEnd(const std::string& field, const std::string& headline) {
    if (failure_) return;
    Failure f;
    f.level = Level::kModel;
    f.field = field;
    f.headline = headline;
    f.where = "after the drain";
    f.variant = r_.variant ? r_.variant->name : "";
    f.position = kPosDrained;
    failure_ = f;
  }

  void RunThread(int t) {
    const std::vector<Op>& ops = p_.threads[t];
    const std::vector<OpResult>& results = r_.ops[t];
    for (long i = 0; i < static_cast<long>(ops.size()) && !failure_; i++) {
      const OpResult& res = results[i];
      // The run ended (or was stopped) here: the kernel check speaks for it.
      if (res.status == OpStatus::kNotRun) return;
      Step(t, i, ops[i], res);
      // One thread: the snapshot after the op read every written object back.
      if (seq_ && !failure_ && HaveSnapshots(i) && r_.after_op[i].taken)
        Live(r_.after_op[i], [&] { return "after " + DescribeOp(p_, t, i); }, static_cast<uint64_t>(i), t, i);
    }
  }

  // Whether the slot is one this thread may act on now.
  bool OwnLive(int t, uint32_t slot) const {
    return slot < slots_.size() && slots_[slot].live && slots_[slot].owner == t;
  }

  void Step(int t, long i, const Op& op, const OpResult& res) {
    switch (op.code) {
      case OpCode::kMalloc:
        Malloc(t, i, op, res);
        return;
      case OpCode::kFree:
      case OpCode::kWrite:
      case OpCode::kRead:
      case OpCode::kReadSg:
        SlotOp(t, i, op, res);
        return;
      case OpCode::kCompact:
      case OpCode::kShrinkScan:
        Compaction(t, i, op, res);
        return;
      case OpCode::kShrinkCount:
        if (seq_ && HaveSnapshots(i)) {
          unsigned long expect = 0;
          if (i > 0)
            for (const zs_class_info& c : r_.after_op[i - 1].classes) expect += CanCompact(c);
          if (res.value != expect)
            Fail(t, i, "shrink_count.result",
                 absl::StrFormat("shrink_count result: got=%u model=%u (zs_can_compact() of every class)",
                                 res.value, expect));
        }
        return;
      case OpCode::kStatPool:
        if (seq_ && res.value != compacted_)
          Fail(t, i, "stat_pool.pages_compacted",
               absl::StrFormat("stat_pool pages_compacted: got=%u model=%u (what compactions returned)",
                               res.value, compacted_));
        return;
      case OpCode::kIsolate:
        if (res.status == OpStatus::kDone && res.err != 0 && res.err != -EBUSY)
          Fail(t, i, "isolate.result",
               absl::StrFormat("isolate %s page %u result: got=%s model=0 or -EBUSY",
                               SlotName(p_.threads[t][i].slot), p_.threads[t][i].page, Errno(res.err)));
        return;
      case OpCode::kMigrate:
        if (res.status == OpStatus::kDone) Migrate(t, i, res);
        return;
      default:
        return;
    }
  }

  bool Injected(const OpResult& res, bool pages_only) const {
    if (!seq_) return res.faults_armed;
    return res.page_faults_used > 0 || (!pages_only && res.slab_faults_used > 0);
  }

  void Malloc(int t, long i, const Op& op, const OpResult& res) {
    SlotModel& s = slots_[op.slot];
    s.owner = t;
    const long expect = op.size == 0 ? -EINVAL : op.size > kernel::PAGE_SIZE ? -ENOSPC : 0;
    if (expect != 0) {
      if (res.err != expect)
        Fail(t, i, "malloc.result",
             absl::StrFormat("malloc %u result: got=%s model=%s", op.size,
                             res.err ? Errno(res.err) : "handle", Errno(expect)));
      return;
    }
    if (res.err == -ENOMEM) {
      if (!Injected(res, false))
        Fail(t, i, "malloc.enomem",
             absl::StrFormat("malloc %u result: got=-ENOMEM model=handle (%s)", op.size,
                             seq_ ? "no injected allocation failure was handed out during the call"
                                  : "no fail_pages/fail_slab had armed an injector"));
      return;
    }
    if (res.err != 0) {
      Fail(t, i, "malloc.result",
           absl::StrFormat("malloc %u result: got=%s model=handle or -ENOMEM", op.size, Errno(res.err)));
      return;
    }
    if (seq_ && (res.page_faults_used > 0 || res.slab_faults_used > 0)) {
      Fail(
          t, i, "malloc.injected",
          absl::StrFormat("malloc %u result: got=handle model=-ENOMEM (%d page and %d slab injected failures "
                          "were handed out during the call)",
                          op.size, res.page_faults_used, res.slab_faults_used));
      return;
    }
    if (res.value == 0) {
      Fail(t, i, "malloc.handle", absl::StrFormat("malloc %u handle: got=0 model=non-zero", op.size));
      return;
    }
    if (seq_ && live_handles_.count(res.value)) {
      Fail(t, i, "malloc.handle",
           absl::StrFormat("malloc %u handle: got=%#x model=one no live object has", op.size, res.value));
      return;
    }
    s.live = true;
    s.size = op.size;
    s.generation = 0;
    s.handle = res.value;
    live_handles_.insert(res.value);
  }

  void SlotOp(int t, long i, const Op& op, const OpResult& res) {
    const bool live = OwnLive(t, op.slot);
    if (live != (res.status == OpStatus::kDone)) {
      Fail(t, i, "slot.state",
           absl::StrFormat("slot %s state: executor=%s model=%s", SlotName(op.slot), OpStatusName(res.status),
                           live ? "live in this thread" : "not live in this thread"));
      return;
    }
    if (!live) return;
    SlotModel& s = slots_[op.slot];
    switch (op.code) {
      case OpCode::kFree:
        s.live = false;
        live_handles_.erase(s.handle);
        return;
      case OpCode::kWrite:
        s.generation++;
        s.expect = PatternChecksum(op.slot, s.generation, s.size);
        if (res.generation != s.generation)
          Fail(t, i, "slot.generation",
               absl::StrFormat("slot %s generation: executor=%u model=%u", SlotName(op.slot), res.generation,
                               s.generation));
        return;
      default:
        Read(t, i, op, res, s);
        return;
    }
  }

  void Read(int t, long i, const Op& op, const OpResult& res, const SlotModel& s) {
    if (!res.sg_problem.empty()) {
      Fail(t, i, "read_sg.scatterlist",
           absl::StrFormat("slot %s scatterlist: %s", SlotName(op.slot), res.sg_problem));
      return;
    }
    if (s.generation == 0) return;  // never written: undefined bytes
    const uint64_t expect = s.expect;
    if (res.checksum == expect) return;
    if (res.first_diff >= 0) {
      Fail(t, i, "read.content",
           absl::StrFormat("slot %s byte %d: read=%#04x model=%#04x (write %u, %u bytes)", SlotName(op.slot),
                           res.first_diff, res.actual_byte, res.expected_byte, s.generation, s.size));
    } else {
      Fail(t, i, "read.content",
           absl::StrFormat("slot %s checksum: read=%#x model=%#x (write %u, %u bytes)", SlotName(op.slot),
                           res.checksum, expect, s.generation, s.size));
    }
  }

  void Compaction(int t, long i, const Op& op, const OpResult& res) {
    const unsigned long freed =
        op.code == OpCode::kShrinkScan && res.value == kernel::SHRINK_STOP ? 0 : res.value;
    compacted_ += freed;
    if (seq_ && HaveSnapshots(i)) {
      const unsigned long before = i > 0 ? r_.after_op[i - 1].total_pages : 0;
      const unsigned long after = r_.after_op[i].total_pages;
      if (before - after != freed)
        Fail(t, i, "compact.pages_freed",
             absl::StrFormat("%s pages freed: got=%u model=%u (zs_get_total_pages went from %u to %u)",
                             OpName(op.code), freed, before - after, before, after));
    }
    // Any number of threads: the allocator's probe counted what this thread released.
    if (freed != res.pages_released)
      Fail(t, i, "compact.pages_released",
           absl::StrFormat("%s pages freed: got=%u released=%u (pages of zspages this compaction freed or "
                           "left to the deferred free)",
                           OpName(op.code), freed, res.pages_released));
  }

  void Migrate(int t, long i, const OpResult& res) {
    if (res.err == 0 || res.err == -EBUSY || res.err == -EAGAIN) {
      if (seq_ && res.page_faults_used > 0)
        Fail(t, i, "migrate.injected",
             absl::StrFormat("migrate result: got=%s model=-ENOMEM (an injected page allocation failure was "
                             "handed out during the call)",
                             Errno(res.err)));
      return;
    }
    if (res.err == -ENOMEM) {
      if (!Injected(res, true))
        Fail(t, i, "migrate.enomem",
             "migrate result: got=-ENOMEM model=0 or -EBUSY (no injected page allocation failure was "
             "pending)");
      return;
    }
    Fail(t, i, "migrate.result",
         absl::StrFormat("migrate result: got=%s model=0, -EBUSY, -EAGAIN or -ENOMEM", Errno(res.err)));
  }

  bool HaveSnapshots(long i) const { return r_.after_op.size() > static_cast<size_t>(i); }

  // The live slots of a snapshot against the model's, with the last write's contents.
  // `where` is made for a failure only: most snapshots pass.
  template <typename WhereFn>
  void Live(const Snapshot& snap, const WhereFn& where_fn, uint64_t position, int t, long i) {
    seen_.assign(slots_.size(), nullptr);
    std::string field, headline, where;
    for (const SlotView& v : snap.live) {
      if (v.slot >= slots_.size() || !slots_[v.slot].live) {
        field = "object.live";
        where = where_fn();
        headline = absl::StrFormat("slot %s %s: got=live model=free", SlotName(v.slot), where);
        break;
      }
      seen_[v.slot] = &v;
    }
    for (uint32_t n = 0; n < slots_.size() && field.empty(); n++) {
      const SlotModel& s = slots_[n];
      if (!s.live) continue;
      const SlotView* v = seen_[n];
      if (v == nullptr) {
        field = "object.live";
        where = where_fn();
        headline = absl::StrFormat("slot %s %s: got=free model=live", SlotName(n), where);
      } else if (s.generation > 0 && v->checksum != s.expect) {
        field = "object.content";
        where = where_fn();
        headline = absl::StrFormat("slot %s checksum %s: got=%#x model=%#x (write %u, %u bytes)", SlotName(n),
                                   where, v->checksum, s.expect, s.generation, s.size);
      }
    }
    if (field.empty() || failure_) return;
    Failure f;
    f.level = Level::kModel;
    f.field = field;
    f.headline = headline;
    f.where = where;
    f.variant = r_.variant ? r_.variant->name : "";
    f.position = position;
    f.thread = t;
    f.op = i;
    failure_ = f;
  }

  void CheckEnd() {
    if (!r_.drained.taken) return;
    Live(r_.drained, [] { return std::string("after the drain"); }, kPosDrained, -1, -1);
    unsigned long compactable = 0;
    for (const zs_class_info& c : r_.drained.classes) compactable += CanCompact(c);
    if (!failure_ && r_.drained.shrinker_count != compactable)
      FailEnd(
          "drained.shrink_count",
          absl::StrFormat("shrinker count after the drain: got=%u model=%u (zs_can_compact() of every class)",
                          r_.drained.shrinker_count, compactable));
    if (!failure_ && static_cast<unsigned long>(r_.drained.pages_compacted) != compacted_)
      FailEnd(
          "stat_pool.pages_compacted",
          absl::StrFormat("pool pages_compacted after the drain: got=%d model=%u (what compactions returned)",
                          r_.drained.pages_compacted, compacted_));
  }

  const Program& p_;
  const ExecResult& r_;
  const bool seq_;
  std::vector<SlotModel> slots_;
  std::vector<const SlotView*> seen_;     // Live()'s scratch, kept to spare an allocation per snapshot
  std::set<unsigned long> live_handles_;  // sequential only
  unsigned long compacted_ = 0;
  std::optional<Failure> failure_;
};

}  // namespace

std::string OpText(const Op& op) { return PrintOp(op); }

std::string DescribeOp(const Program& program, int thread, long op) {
  if (thread < 0 || thread >= static_cast<int>(program.threads.size()) || op < 0 ||
      op >= static_cast<long>(program.threads[thread].size()))
    return absl::StrFormat("t%d op %d", thread, op);
  return absl::StrFormat("t%d op %d (%s)", thread, op, PrintOpAt(program, thread, static_cast<size_t>(op)));
}

Failure FailureInOp(Level level, const Program& program, const ExecResult& exec, bool sequential,
                    uint64_t concurrent_position, int thread, long op, const std::string& field,
                    const std::string& headline) {
  Failure f;
  f.level = level;
  f.field = field;
  f.headline = headline;
  f.where = "in " + DescribeOp(program, thread, op);
  f.variant = exec.variant ? exec.variant->name : "";
  f.position = sequential ? static_cast<uint64_t>(op) : concurrent_position;
  f.thread = thread;
  f.op = op;
  return f;
}

std::optional<Failure> CheckModel(const Program& program, const ExecResult& exec, bool sequential) {
  return Model(program, exec, sequential).Run();
}

unsigned long CanCompact(const zs_class_info& c) {
  const unsigned long allocated = c.stats[12], used = c.stats[13];
  if (allocated <= used || c.objs_per_zspage <= 0) return 0;
  return (allocated - used) / c.objs_per_zspage * c.pages_per_zspage;
}

}  // namespace zsfuzz::oracle
