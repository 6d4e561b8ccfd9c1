// Level 4: the in-flight stats bounds (inflight.h).
#include "oracle/inflight.h"

#include <array>
#include <climits>
#include <vector>

#include "absl/strings/str_format.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "oracle/exec/class_list.h"
#include "oracle/model.h"

namespace zsfuzz::oracle {
namespace {

class Bounds {
 public:
  Bounds(const Program& p, const ExecResult& r, const VariantTraits& traits, bool sequential)
      : p_(p), r_(r), traits_(traits), seq_(sequential) {}

  std::optional<Failure> Run() {
    for (int t = 0; t < static_cast<int>(p_.threads.size()) && !failure_; t++) {
      long last_compacted = -1;
      for (long i = 0; i < static_cast<long>(p_.threads[t].size()) && !failure_; i++) {
        const OpResult& res = r_.ops[t][i];
        if (res.status != OpStatus::kDone) continue;
        switch (p_.threads[t][i].code) {
          case OpCode::kStatPages:
            Pages(t, i, res.probe);
            break;
          case OpCode::kStatClasses:
            for (const zs_class_info& c : res.classes) Classes(t, i, c);
            break;
          case OpCode::kStatPool:
            if (static_cast<long>(res.value) < last_compacted)
              Fail(t, i, "stat_pool.pages_compacted",
                   absl::StrFormat("stat_pool pages_compacted: got=%u earlier=%d (it went down)", res.value,
                                   last_compacted));
            last_compacted = static_cast<long>(res.value);
            break;
          default:
            break;
        }
      }
    }
    return failure_;
  }

 private:
  void Fail(int t, long i, const std::string& field, const std::string& headline) {
    if (!failure_)
      failure_ = FailureInOp(Level::kInflight, p_, r_, seq_, kPosInflight, t, i, field, headline);
  }

  void Pages(int t, long i, const StatsProbe& p) {
    const unsigned long d = p.class_pages;
    const unsigned long lockless = traits_.frees_pages_outside_class_lock ? p.freeing_pages : 0;
    const unsigned long hi = d + p.locked_class_pages + lockless;
    // Made for a failure only.
    const auto slack = [&] {
      return absl::StrFormat(
          "classes locked %u, frees in flight %u%s, mallocs in flight %u", p.locked_class_pages,
          p.freeing_pages,
          traits_.frees_pages_outside_class_lock ? "" : " (not counted: frees under class->lock)",
          p.allocating_pages);
    };
    if (p.total_pages < d || p.total_pages > hi)
      return Fail(
          t, i, "stat_pages.pages_allocated",
          absl::StrFormat("stat_pages pages_allocated: got=%u allowed=%u..%u (class stats imply %u; %s)",
                          p.total_pages, d, hi, d, slack()));
    const long lo_n = static_cast<long>(d) - static_cast<long>(p.locked_class_pages);
    const long hi_n = static_cast<long>(d + p.allocating_pages + lockless);
    if (p.nr_zspages < lo_n || p.nr_zspages > hi_n)
      return Fail(t, i, "stat_pages.NR_ZSPAGES",
                  absl::StrFormat("stat_pages NR_ZSPAGES: got=%d allowed=%d..%d (class stats imply %u; %s)",
                                  p.nr_zspages, lo_n, hi_n, d, slack()));
  }

  void Classes(int t, long i, const zs_class_info& c) {
    // An empty class passes every bound below: most classes of a table.
    if (EmptyClass(c)) return;
    const unsigned long objs = static_cast<unsigned long>(c.objs_per_zspage);
    // The inuse range of each fullness group for this geometry.
    std::array<unsigned long, 12> lo, hi;
    lo.fill(ULONG_MAX);
    hi.fill(0);
    lo[0] = hi[0] = 0;
    lo[11] = hi[11] = objs;
    for (unsigned long n = 1; n < objs; n++) {
      const int g = FullnessGroup(static_cast<unsigned int>(n), static_cast<unsigned int>(objs));
      lo[g] = std::min(lo[g], n);
      hi[g] = std::max(hi[g], n);
    }
    unsigned long zspages = 0, min_used = 0, max_used = 0;
    for (int g = 0; g < 12; g++) {
      if (c.stats[g] == 0) continue;
      if (lo[g] == ULONG_MAX)
        return Fail(t, i, "stat_classes.fullness",
                    absl::StrFormat("stat_classes class %u %s: got=%u allowed=0 (no inuse of %u falls there)",
                                    c.index, ClassStatName(g), c.stats[g], objs));
      zspages += c.stats[g];
      min_used += c.stats[g] * lo[g];
      max_used += c.stats[g] * hi[g];
    }
    if (c.stats[12] != zspages * objs)
      return Fail(t, i, "stat_classes.obj_allocated",
                  absl::StrFormat("stat_classes class %u obj_allocated: got=%u fullness counts imply=%u",
                                  c.index, c.stats[12], zspages * objs));
    if (c.stats[13] < min_used || c.stats[13] > max_used)
      return Fail(t, i, "stat_classes.obj_used",
                  absl::StrFormat("stat_classes class %u obj_used: got=%u allowed=%u..%u", c.index,
                                  c.stats[13], min_used, max_used));
  }

  const Program& p_;
  const ExecResult& r_;
  const VariantTraits traits_;
  const bool seq_;
  std::optional<Failure> failure_;
};

}  // namespace

std::optional<Failure> CheckInflight(const Program& program, const ExecResult& exec,
                                     const VariantTraits& traits, bool sequential) {
  return Bounds(program, exec, traits, sequential).Run();
}

}  // namespace zsfuzz::oracle
