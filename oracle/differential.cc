// Levels 3 and 4: the differential comparisons (differential.h).
#include "oracle/differential.h"

#include <cstdint>
#include <map>
#include <type_traits>
#include "absl/strings/string_view.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "kernel/shrinker.h"
#include "oracle/model.h"

namespace zsfuzz::oracle {
namespace {

std::string ErrText(long err) { return err == 0 ? "0" : absl::StrFormat("-%d", -err); }

// What of an op's result must not depend on the variant.
std::string ResultClass(const Op& op, const OpResult& r) {
  if (r.status != OpStatus::kDone) return OpStatusName(r.status);
  switch (op.code) {
    case OpCode::kMalloc:
      return r.err == 0 ? "handle" : ErrText(r.err);
    case OpCode::kRead:
    case OpCode::kReadSg:
      if (!r.sg_problem.empty()) return "bad scatterlist";
      return r.generation == 0 ? "unwritten" : absl::StrFormat("content %#x", r.checksum);
    case OpCode::kCompact:
    case OpCode::kShrinkCount:
    case OpCode::kStatPages:
    case OpCode::kStatPool:
      return absl::StrFormat("%u", r.value);
    case OpCode::kShrinkScan:
      return r.value == kernel::SHRINK_STOP ? "SHRINK_STOP" : absl::StrFormat("%u", r.value);
    case OpCode::kIsolate:
    case OpCode::kMigrate:
      return ErrText(r.err);
    default:
      return "done";
  }
}

// Whether ResultClass gives `a` and `b` the same text, without making it:
// every field it prints, compared (its texts are one-to-one with them).
bool SameResultClass(const Op& op, const OpResult& a, const OpResult& b) {
  if (a.status != b.status) return false;
  if (a.status != OpStatus::kDone) return true;
  switch (op.code) {
    case OpCode::kMalloc:
    case OpCode::kIsolate:
    case OpCode::kMigrate:
      return a.err == b.err;
    case OpCode::kRead:
    case OpCode::kReadSg:
      if (a.sg_problem.empty() != b.sg_problem.empty()) return false;
      if (!a.sg_problem.empty()) return true;
      if ((a.generation == 0) != (b.generation == 0)) return false;
      return a.generation == 0 || a.checksum == b.checksum;
    case OpCode::kCompact:
    case OpCode::kShrinkCount:
    case OpCode::kStatPages:
    case OpCode::kStatPool:
    case OpCode::kShrinkScan:
      return a.value == b.value;
    default:
      return true;
  }
}

class Comparer {
 public:
  Comparer(const Program& p, const ExecResult& a, const ExecResult& b, bool sequential)
      : p_(p), a_(a), b_(b), an_(a.variant->name), bn_(b.variant->name), seq_(sequential) {}

  std::optional<Failure> Sequential() {
    const std::vector<Op>& ops = p_.threads[0];
    size_t last_compared = SIZE_MAX;  // the last snapshot both runs took
    for (size_t i = 0; i < ops.size() && !failure_; i++) {
      const OpResult& ra = a_.ops[0][i];
      const OpResult& rb = b_.ops[0][i];
      // A run that ended or stopped early is reported by the other checks.
      if (ra.status == OpStatus::kNotRun || rb.status == OpStatus::kNotRun) return failure_;
      WhereAfterOp(i);
      // Migration acts on recorded PFNs too: every run starts from a fresh
      // page allocator (kernel_reset), so a stale PFN names the same page in both.
      if (!SameResultClass(ops[i], ra, rb)) {
        const std::string ca = ResultClass(ops[i], ra), cb = ResultClass(ops[i], rb);
        if (ca != cb) {
          Fail(absl::StrCat(OpName(ops[i].code), ".result"),
               absl::StrFormat("%s result: %s=%s %s=%s", OpText(ops[i]), an_, ca, bn_, cb));
          break;
        }
      }
      if (ops[i].code == OpCode::kStatClasses) {
        Classes(ra.classes, rb.classes, "stat_classes ");
        Text(ra.class_table, rb.class_table, "stat_classes table");
      }
      // A bulk op's members but the last have no snapshot (program.h).
      if (i < a_.after_op.size() && i < b_.after_op.size() && a_.after_op[i].taken && b_.after_op[i].taken) {
        // The classes neither run changed since the last snapshot compared equal.
        const bool prev = last_compared < i && !failure_;
        Snapshots(a_.after_op[i], b_.after_op[i], prev ? &a_.after_op[last_compared].classes : nullptr,
                  prev ? &b_.after_op[last_compared].classes : nullptr);
        last_compared = i;
      }
    }
    if (failure_) return failure_;
    if (a_.stopped || b_.stopped) return failure_;
    Where("after the drain", kPosDrained, -1, -1);
    Snapshots(a_.drained, b_.drained);
    Where("after freeing every object", kPosEmptied, -1, -1);
    Snapshots(a_.emptied, b_.emptied);
    Teardown();
    return failure_;
  }

  std::optional<Failure> Concurrent() {
    bool armed = false;
    for (const auto& ops : p_.threads)
      for (const Op& op : ops)
        if ((op.code == OpCode::kFailPages || op.code == OpCode::kFailSlab) && op.value != 0) armed = true;
    if (!a_.drained.taken || !b_.drained.taken) return failure_;
    Where("after the drain", kPosCompared, -1, -1);
    Live(a_.drained.live, b_.drained.live, /*set_too=*/!armed);
    if (!armed && !failure_) {
      for (size_t k = 0; k < a_.drained.classes.size() && k < b_.drained.classes.size(); k++) {
        const zs_class_info& ca = a_.drained.classes[k];
        const zs_class_info& cb = b_.drained.classes[k];
        if (ca.stats[13] != cb.stats[13]) {
          Fail("class.obj_used", absl::StrFormat("class %u obj_used: %s=%u %s=%u", ca.index, an_,
                                                 ca.stats[13], bn_, cb.stats[13]));
          break;
        }
      }
    }
    if (failure_) return failure_;
    // Emptied, the pool is all zeros whatever the interleaving; pages_compacted
    // is the one count that depends on it.
    Where("after freeing every object", kPosEmptied, -1, -1);
    Snapshot ea = a_.emptied, eb = b_.emptied;
    ea.pages_compacted = eb.pages_compacted = 0;
    Snapshots(ea, eb);
    Teardown();
    return failure_;
  }

 private:
  void Where(std::string where, uint64_t position, int thread, long op) {
    where_ = std::move(where);
    where_after_op_ = false;
    position_ = position;
    thread_ = thread;
    op_ = op;
  }
  // "after <op i of the one thread>", made only if something fails there.
  void WhereAfterOp(size_t i) {
    where_after_op_ = true;
    position_ = i;
    thread_ = 0;
    op_ = static_cast<long>(i);
  }

  void Fail(const std::string& field, const std::string& headline) {
    if (failure_) return;
    Failure f;
    f.level = Level::kDiff;
    f.field = field;
    f.headline = headline;
    f.where = where_after_op_ ? "after " + DescribeOp(p_, 0, op_) : where_;
    f.variant = bn_;
    f.position = seq_ ? position_ : std::max(position_, kPosCompared);
    f.thread = thread_;
    f.op = op_;
    failure_ = f;
  }

  void Number(const char* field, const char* label, long a, long b) {
    if (a != b) Fail(field, absl::StrFormat("%s: %s=%d %s=%d", label, an_, a, bn_, b));
  }

  // `List` is a std::vector<zs_class_info> (a stat_classes op's) or a ClassList (a snapshot's).
  template <typename List>
  void Classes(const List& a, const List& b, const std::string& prefix, const ClassList* prev_a = nullptr,
               const ClassList* prev_b = nullptr) {
    if (a.size() != b.size()) {
      Fail("class.count", absl::StrFormat("%sclasses: %s=%u %s=%u", prefix, an_, a.size(), bn_, b.size()));
      return;
    }
    for (size_t k = 0; k < a.size() && !failure_; k++) {
      if constexpr (std::is_same_v<List, ClassList>) {
        if (prev_a != nullptr && prev_b != nullptr && prev_a->SharesEntry(a, k) && prev_b->SharesEntry(b, k))
          continue;
      }
      if (a[k].index != b[k].index || a[k].size != b[k].size ||
          a[k].objs_per_zspage != b[k].objs_per_zspage || a[k].pages_per_zspage != b[k].pages_per_zspage) {
        Fail("class.geometry",
             absl::StrFormat("%sclass %u geometry: %s=%d/%d/%d %s=%d/%d/%d (size/objs/pages)", prefix,
                             a[k].index, an_, a[k].size, a[k].objs_per_zspage, a[k].pages_per_zspage, bn_,
                             b[k].size, b[k].objs_per_zspage, b[k].pages_per_zspage));
        return;
      }
      for (int s : kClassStatOrder) {
        if (a[k].stats[s] != b[k].stats[s]) {
          Fail(absl::StrCat("class.", ClassStatName(s)),
               absl::StrFormat("%sclass %u %s: %s=%u %s=%u", prefix, a[k].index, ClassStatName(s), an_,
                               a[k].stats[s], bn_, b[k].stats[s]));
          return;
        }
      }
    }
  }

  // The same slots, in the same order, with the same fields: nothing to
  // report, which is what almost every snapshot shows (no maps built).
  static bool SameLive(const std::vector<SlotView>& a, const std::vector<SlotView>& b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); k++) {
      const SlotView &x = a[k], &y = b[k];
      if (x.slot != y.slot || x.size != y.size || x.generation != y.generation ||
          x.class_index != y.class_index || x.checksum != y.checksum)
        return false;
    }
    return true;
  }

  void Live(const std::vector<SlotView>& a, const std::vector<SlotView>& b, bool set_too) {
    if (SameLive(a, b)) return;
    std::map<uint32_t, const SlotView*> mb;
    for (const SlotView& s : b) mb[s.slot] = &s;
    std::map<uint32_t, const SlotView*> ma;
    for (const SlotView& s : a) ma[s.slot] = &s;
    if (set_too) {
      for (const SlotView& s : a)
        if (!mb.count(s.slot))
          return Fail("object.live", absl::StrFormat("slot %s: %s=live %s=free", SlotName(s.slot), an_, bn_));
      for (const SlotView& s : b)
        if (!ma.count(s.slot))
          return Fail("object.live", absl::StrFormat("slot %s: %s=free %s=live", SlotName(s.slot), an_, bn_));
    }
    for (const SlotView& sa : a) {
      auto it = mb.find(sa.slot);
      if (it == mb.end()) continue;
      const SlotView& sb = *it->second;
      if (sa.size != sb.size || sa.generation != sb.generation)
        return Fail("object.state",
                    absl::StrFormat("slot %s size/writes: %s=%u/%u %s=%u/%u", SlotName(sa.slot), an_, sa.size,
                                    sa.generation, bn_, sb.size, sb.generation));
      if (sa.class_index != sb.class_index)
        return Fail("object.class", absl::StrFormat("slot %s class: %s=%u %s=%u", SlotName(sa.slot), an_,
                                                    sa.class_index, bn_, sb.class_index));
      if (sa.checksum != sb.checksum)
        return Fail("object.content", absl::StrFormat("slot %s checksum: %s=%#x %s=%#x", SlotName(sa.slot),
                                                      an_, sa.checksum, bn_, sb.checksum));
    }
  }

  void Text(const kernel::seq_record& ra, const kernel::seq_record& rb, const char* what) {
    if (failure_ || ra.same_text(rb)) return;
    const std::string a = ra.text(), b = rb.text();
    std::vector<absl::string_view> la = absl::StrSplit(a, '\n'), lb = absl::StrSplit(b, '\n');
    size_t n = 0;
    while (n < la.size() && n < lb.size() && la[n] == lb[n]) n++;
    Fail("class_table", absl::StrFormat("%s line %u: %s='%s' %s='%s'", what, n + 1, an_,
                                        n < la.size() ? la[n] : "", bn_, n < lb.size() ? lb[n] : ""));
  }

  // prev_a/prev_b: the previous snapshots' classes, which compared equal.
  void Snapshots(const Snapshot& a, const Snapshot& b, const ClassList* prev_a = nullptr,
                 const ClassList* prev_b = nullptr) {
    if (failure_ || !a.taken || !b.taken) return;
    Classes(a.classes, b.classes, "", prev_a, prev_b);
    if (failure_) return;
    Number("pool.total_pages", "zs_get_total_pages", static_cast<long>(a.total_pages),
           static_cast<long>(b.total_pages));
    if (failure_) return;
    Number("pool.NR_ZSPAGES", "NR_ZSPAGES", a.nr_zspages, b.nr_zspages);
    if (failure_) return;
    Number("pool.pages_in_use", "pages in use", a.pages_in_use, b.pages_in_use);
    if (failure_) return;
    Number("pool.pages_compacted", "pool pages_compacted", a.pages_compacted, b.pages_compacted);
    if (failure_) return;
    Live(a.live, b.live, /*set_too=*/true);
    Text(a.class_table, b.class_table, "classes table");
  }

  void Teardown() {
    if (failure_ || !a_.teardown_done || !b_.teardown_done) return;
    Where("after zs_destroy_pool", kPosTeardown, -1, -1);
    Number("teardown.pages_in_use", "pages in use after zs_destroy_pool", a_.pages_in_use_end,
           b_.pages_in_use_end);
    if (!failure_)
      Number("teardown.NR_ZSPAGES", "NR_ZSPAGES after zs_destroy_pool", a_.nr_zspages_end, b_.nr_zspages_end);
  }

  const Program& p_;
  const ExecResult& a_;
  const ExecResult& b_;
  const std::string an_, bn_;
  const bool seq_;
  std::string where_;
  bool where_after_op_ = false;  // where_ is "after " + DescribeOp(op_)
  uint64_t position_ = 0;
  int thread_ = -1;
  long op_ = -1;
  std::optional<Failure> failure_;
};

}  // namespace

std::optional<Failure> CompareSequential(const Program& program, const ExecResult& a, const ExecResult& b) {
  return Comparer(program, a, b, /*sequential=*/true).Sequential();
}

std::optional<Failure> CompareConcurrent(const Program& program, const ExecResult& a, const ExecResult& b) {
  return Comparer(program, a, b, /*sequential=*/false).Concurrent();
}

}  // namespace zsfuzz::oracle
