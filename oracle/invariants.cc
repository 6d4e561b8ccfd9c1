// Level 2: the pool walk and its invariants (invariants.h).
#include "oracle/invariants.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "kernel/bug.h"
#include "kernel/lockdep.h"
#include "oracle/model.h"

namespace zsfuzz::oracle {
namespace {

constexpr unsigned int kZspageMagic = 0x58;  // ZSPAGE_MAGIC

// Walks one class into `cw`, reusing the records (and their handle vectors)
// of its last walk: a class is walked again after every op that touched it.
struct ClassVisit {
  ClassWalk* cw;
  size_t n = 0;  // records filled so far
};

void Visit(const zs_zspage_info* info, void* arg) {
  auto* v = static_cast<ClassVisit*>(arg);
  if (v->n == v->cw->zspages.size()) v->cw->zspages.emplace_back();
  ZspageRecord& rec = v->cw->zspages[v->n++];
  rec.info = *info;
  rec.info.handles = nullptr;
  rec.handles.assign(info->handles, info->handles + info->nr_allocated);
}

void WalkClass(const ExecView& view, const zs_class_info& ci, ClassWalk* cw) {
  cw->info = ci;
  // The snapshot read the lists at this quiescent point: all empty, the walk
  // would find nothing (most classes of a pool, at every drain).
  if (ci.listed == 0) {
    cw->zspages.clear();
    return;
  }
  ClassVisit visit{cw};
  view.variant->introspect->walk_zspages(view.pool, ci.index, &Visit, &visit);
  cw->zspages.resize(visit.n);
}

// first_obj_offset of each page as init_zspage() computes it (at most 16
// pages: a zspage of more fails the page count check first).
using Offsets = std::array<unsigned int, 16>;
Offsets FirstObjOffsets(int size, int pages) {
  Offsets v{};
  unsigned long off = 0;
  for (int i = 0; i < pages && i < 16; i++) {
    v[i] = static_cast<unsigned int>(off);
    while ((off += size) < kPageSize) {
    }
    off %= kPageSize;
  }
  return v;
}

class Checker {
 public:
  // `dirty` (by class index; null: every class) limits the zspage, class
  // and object checks to the classes that may have changed since a walk
  // that passed them; the pool's sums always cover every class.
  Checker(const PoolWalk& w, const WhereFn& where, uint64_t position, const DirtyClasses* dirty)
      : w_(w), where_(where), position_(position), dirty_(dirty) {}

  std::optional<Failure> Run() {
    // One pass over the marks; the classes to check in walk order.
    std::array<const ClassWalk*, kNumSizeClasses> dirty;
    size_t nr_dirty = 0;
    for (const ClassWalk& c : w_.classes)
      if (Dirty(c) && nr_dirty < dirty.size()) dirty[nr_dirty++] = &c;
    for (size_t d = 0; d < nr_dirty; d++) {
      const ClassWalk& c = *dirty[d];
      const Offsets offsets =
          c.zspages.empty() ? Offsets{} : FirstObjOffsets(c.info.size, c.info.pages_per_zspage);
      for (const ZspageRecord& z : c.zspages) {
        Zspage(c.info, z, offsets);
        if (failure_) return failure_;
      }
      ClassStats(c);
      if (failure_) return failure_;
    }
    if (dirty_ == nullptr) {
      if (!SameObjects()) Objects();
    } else {
      for (size_t d = 0; d < nr_dirty; d++) {
        ClassObjects(*dirty[d]);
        if (failure_) return failure_;
      }
    }
    if (!failure_) Pool();
    return failure_;
  }

 private:
  bool Dirty(const ClassWalk& c) const { return dirty_ == nullptr || (*dirty_)[c.info.index]; }

  void Fail(const std::string& field, const std::string& headline) {
    if (failure_) return;
    Failure f;
    f.level = Level::kInvariant;
    f.field = field;
    f.headline = headline;
    f.where = where_();
    f.position = position_;
    failure_ = f;
  }

  static std::string Name(const zs_class_info& c, const ZspageRecord& z) {
    return absl::StrFormat("class %u zspage pfn %#x", c.index, z.info.pfn[0]);
  }

  void Zspage(const zs_class_info& c, const ZspageRecord& z, const Offsets& offsets) {
    const zs_zspage_info& i = z.info;
    // Most zspages pass: names are made for a failure only.
    const auto name = [&] { return Name(c, z); };
    const unsigned int objs = static_cast<unsigned int>(c.objs_per_zspage);
    const unsigned int pages = static_cast<unsigned int>(c.pages_per_zspage);
    if (i.magic != kZspageMagic)
      return Fail("zspage.magic",
                  absl::StrFormat("%s magic: got=%#x expected=%#x", name(), i.magic, kZspageMagic));
    if (i.class_idx != c.index)
      return Fail("zspage.class",
                  absl::StrFormat("%s class: got=%u expected=%u", name(), i.class_idx, c.index));
    const bool huge = objs == 1 && pages == 1;
    if (i.huge != huge)
      return Fail("zspage.huge", absl::StrFormat("%s huge: got=%d expected=%d", name(), i.huge, huge));
    if (i.chain_too_long || i.nr_pages != pages)
      return Fail("zspage.pages", absl::StrFormat("%s pages: got=%s%u expected=%u", name(),
                                                  i.chain_too_long ? "more than " : "", i.nr_pages, pages));
    for (unsigned int p = 0; p < pages; p++) {
      const auto page = [&] { return absl::StrFormat("%s page %u (pfn %#x)", name(), p, i.pfn[p]); };
      const unsigned int bit = 1U << p;
      if (i.foreign_mask & bit) return Fail("page.zspage", page() + " zspage: points at another zspage");
      if (((i.private_mask & bit) != 0) != (p == 0))
        return Fail("page.private", absl::StrFormat("%s PG_private: got=%d expected=%d", page(),
                                                    (i.private_mask & bit) != 0, p == 0));
      if (!(i.zsmalloc_mask & bit)) return Fail("page.type", page() + " page type: not PGTY_zsmalloc");
      if (!(i.movable_mask & bit)) return Fail("page.movable", page() + " movable ops: not zsmalloc's");
      if (i.locked_mask & bit) return Fail("page.locked", page() + " page lock: held at a quiescent point");
      if (i.first_obj_offset[p] != offsets[p])
        return Fail("page.first_obj_offset", absl::StrFormat("%s first_obj_offset: got=%u expected=%u",
                                                             page(), i.first_obj_offset[p], offsets[p]));
    }
    if (i.list != i.fullness)
      return Fail("zspage.list", absl::StrFormat("%s list: on=%s fullness=%s", name(), ClassStatName(i.list),
                                                 ClassStatName(i.fullness)));
    const int group = FullnessGroup(i.inuse, objs);
    if (i.inuse > objs || static_cast<int>(i.fullness) != group)
      return Fail("zspage.fullness",
                  absl::StrFormat("%s fullness: got=%s expected=%s (inuse %u of %u)", name(),
                                  ClassStatName(i.fullness), i.inuse > objs ? "none" : ClassStatName(group),
                                  i.inuse, objs));
    if (i.nr_allocated != i.inuse)
      return Fail("zspage.allocated",
                  absl::StrFormat("%s allocated headers: got=%u inuse=%u", name(), i.nr_allocated, i.inuse));
    if (i.free_list_bad)
      return Fail("zspage.freelist", name() + " free list: loops or passes an allocated slot");
    if (i.nr_free != objs - i.inuse)
      return Fail("zspage.freelist_length",
                  absl::StrFormat("%s free list length: got=%u expected=%u (%u of %u in use)", name(),
                                  i.nr_free, objs - i.inuse, i.inuse, objs));
  }

  void ClassStats(const ClassWalk& c) {
    // No zspage: every stat must be 0, which one compare of the whole array
    // says for most classes of a pool; a nonzero one is named below.
    static constexpr unsigned long kZeros[14] = {};
    static_assert(sizeof(kZeros) == sizeof(c.info.stats));
    if (c.zspages.empty() && std::memcmp(c.info.stats, kZeros, sizeof(kZeros)) == 0) return;
    unsigned long recount[14] = {};
    for (const ZspageRecord& z : c.zspages) {
      recount[z.info.list]++;
      recount[13] += z.info.inuse;
    }
    recount[12] = c.zspages.size() * static_cast<unsigned long>(c.info.objs_per_zspage);
    for (int s : kClassStatOrder) {
      if (c.info.stats[s] != recount[s])
        return Fail(absl::StrCat("class.", ClassStatName(s)),
                    absl::StrFormat("class %u %s: stat=%u recount=%u", c.info.index, ClassStatName(s),
                                    c.info.stats[s], recount[s]));
    }
  }

  // The handles in the headers against the live slots.
  // Whether the (handle, class) pairs in the headers are exactly the live
  // slots' (sorted vectors, no map): when they are, Objects() finds nothing;
  // when not, it names what is wrong.
  bool SameObjects() const {
    std::vector<std::pair<unsigned long, unsigned int>> found, live;
    for (const ClassWalk& c : w_.classes)
      for (const ZspageRecord& z : c.zspages)
        for (unsigned long h : z.handles) found.emplace_back(h, c.info.index);
    live.reserve(w_.live.size());
    for (const SlotView& s : w_.live) live.emplace_back(s.handle, s.class_index);
    std::sort(found.begin(), found.end());
    std::sort(live.begin(), live.end());
    return found == live;
  }

  void Objects() {
    std::map<unsigned long, std::pair<unsigned int, unsigned long>> found;  // handle -> class, first pfn
    for (const ClassWalk& c : w_.classes)
      for (const ZspageRecord& z : c.zspages)
        for (unsigned long h : z.handles) found[h] = {c.info.index, z.info.pfn[0]};
    std::set<unsigned long> live;
    for (const SlotView& s : w_.live) {
      live.insert(s.handle);
      auto it = found.find(s.handle);
      if (it == found.end())
        return Fail("object.lost", absl::StrFormat("slot %s handle %#x: in no zspage header (class %u)",
                                                   SlotName(s.slot), s.handle, s.class_index));
      if (it->second.first != s.class_index)
        return Fail("object.class", absl::StrFormat("slot %s class: got=%u expected=%u", SlotName(s.slot),
                                                    it->second.first, s.class_index));
    }
    for (const auto& [h, where] : found) {
      if (!live.count(h))
        return Fail("object.stray",
                    absl::StrFormat("class %u zspage pfn %#x handle %#x: allocated, no live slot has it",
                                    where.first, where.second, h));
    }
  }

  // Objects() for one class: the handles in its zspages' headers are exactly
  // the handles of the live slots of that class. A mismatch is then named as
  // Objects() names it, looking at the other classes too.
  void ClassObjects(const ClassWalk& c) {
    // Scratch kept between calls: this runs after every op of a one-thread program.
    static thread_local std::vector<unsigned long> found, live;
    found.clear();
    for (const ZspageRecord& z : c.zspages) found.insert(found.end(), z.handles.begin(), z.handles.end());
    std::sort(found.begin(), found.end());
    live.clear();
    for (const SlotView& s : w_.live)
      if (s.class_index == c.info.index) live.push_back(s.handle);
    std::sort(live.begin(), live.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    if (found != live) Objects();  // the whole pool's check names what is wrong
  }

  void Pool() {
    unsigned long pages = 0, zspages = 0, empty = 0;
    unsigned int empty_class = 0;
    // The zspages' PFNs matter only to tell isolated pages apart.
    std::vector<unsigned long> pfns;
    for (const ClassWalk& c : w_.classes) {
      for (const ZspageRecord& z : c.zspages) {
        zspages++;
        pages += z.info.nr_pages;
        if (!w_.isolated_pfns.empty()) pfns.insert(pfns.end(), z.info.pfn, z.info.pfn + z.info.nr_pages);
        if (z.info.inuse == 0 && empty++ == 0) empty_class = c.info.index;
      }
    }
    std::sort(pfns.begin(), pfns.end());
    if (w_.point == QuiescentPoint::kEmptied && zspages != 0)
      return Fail("leak.zspages",
                  absl::StrFormat("zspages after freeing every object: got=%u expected=0 (%u pages; "
                                  "the first in class %u)",
                                  zspages, pages, empty_class));
    if (w_.point == QuiescentPoint::kDrained && empty != 0)
      return Fail("drained.empty_zspage",
                  absl::StrFormat("empty zspages after the drain: got=%u expected=0 (the first in class %u)",
                                  empty, empty_class));
    if (w_.total_pages != pages)
      return Fail("pool.pages_allocated",
                  absl::StrFormat("zs_get_total_pages: got=%u zspages hold=%u", w_.total_pages, pages));
    if (w_.nr_zspages != static_cast<long>(pages))
      return Fail("pool.NR_ZSPAGES",
                  absl::StrFormat("NR_ZSPAGES: got=%d zspages hold=%u", w_.nr_zspages, pages));
    unsigned long detached = 0;
    for (unsigned long pfn : w_.isolated_pfns)
      detached += std::binary_search(pfns.begin(), pfns.end(), pfn) ? 0 : 1;
    if (w_.pages_in_use != static_cast<long>(pages + detached))
      return Fail(
          "pool.pages_in_use",
          absl::StrFormat("pages in use: got=%d expected=%u (%u in zspages, %u isolated and detached)",
                          w_.pages_in_use, pages + detached, pages, detached));
  }

  const PoolWalk& w_;
  const WhereFn& where_;
  const uint64_t position_;
  const DirtyClasses* const dirty_;
  std::optional<Failure> failure_;
};

}  // namespace

std::string BugLine(const std::string& report, std::string* what) {
  size_t pos = report.find("\nBUG: ");
  pos = report.compare(0, 5, "BUG: ") == 0 ? 0 : pos == std::string::npos ? pos : pos + 1;
  if (pos == std::string::npos) return "";
  const std::string line = report.substr(pos, report.find('\n', pos) - pos);
  const size_t at = line.rfind(" at ");
  *what = line.substr(5, at == std::string::npos ? std::string::npos : at - 5);
  return line;
}

std::string LockdepTitle(const char* report) {
  if (report == nullptr) return "";
  // The "WARNING: possible ... detected" line; the report starts with a rule.
  for (absl::string_view line : absl::StrSplit(report, '\n')) {
    const size_t w = line.find("WARNING: ");
    if (w != absl::string_view::npos) return std::string(line.substr(w + 9));
  }
  absl::string_view r(report);
  return std::string(r.substr(0, r.find('\n')));
}

PoolWalk TakeWalk(const ExecView& view) {
  PoolWalk w;
  w.point = view.point;
  w.isolated_pfns = view.isolated_pfns;
  const Snapshot& s = *view.snapshot;
  w.total_pages = s.total_pages;
  w.nr_zspages = s.nr_zspages;
  w.pages_in_use = s.pages_in_use;
  w.live = s.live;
  w.classes.reserve(s.classes.size());
  for (const zs_class_info& ci : s.classes) WalkClass(view, ci, &w.classes.emplace_back());
  return w;
}

std::optional<Failure> CheckWalk(const PoolWalk& walk, const std::string& where, uint64_t position) {
  const WhereFn where_fn = [&where] { return where; };
  return Checker(walk, where_fn, position, nullptr).Run();
}

std::optional<Failure> CheckWalk(const PoolWalk& walk, const WhereFn& where, uint64_t position,
                                 const DirtyClasses* dirty) {
  return Checker(walk, where, position, dirty).Run();
}

const PoolWalk& WalkCache::Update(const ExecView& view) {
  if (view.dirty == nullptr || walk_.classes.size() != view.snapshot->classes.size()) {
    walk_ = TakeWalk(view);
    return walk_;
  }
  const Snapshot& s = *view.snapshot;
  walk_.point = view.point;
  walk_.isolated_pfns = view.isolated_pfns;
  walk_.total_pages = s.total_pages;
  walk_.nr_zspages = s.nr_zspages;
  walk_.pages_in_use = s.pages_in_use;
  walk_.live = s.live;
  for (size_t k = 0; k < s.classes.size(); k++) {
    const zs_class_info& ci = s.classes[k];
    if (!(*view.dirty)[ci.index]) continue;
    WalkClass(view, ci, &walk_.classes[k]);
  }
  return walk_;
}

std::optional<Failure> CheckTeardown(const ExecResult& exec) {
  if (!exec.teardown_done) return std::nullopt;
  Failure f;
  f.level = Level::kInvariant;
  f.where = "after zs_destroy_pool";
  f.variant = exec.variant ? exec.variant->name : "";
  f.position = kPosTeardown;
  if (exec.pages_in_use_end != 0) {
    f.field = "teardown.pages_in_use";
    f.headline =
        absl::StrFormat("pages in use after zs_destroy_pool: got=%d expected=0", exec.pages_in_use_end);
    return f;
  }
  if (exec.nr_zspages_end != 0) {
    f.field = "teardown.NR_ZSPAGES";
    f.headline = absl::StrFormat("NR_ZSPAGES after zs_destroy_pool: got=%d expected=0", exec.nr_zspages_end);
    return f;
  }
  return std::nullopt;
}

// A run that did not finish, or a report no quiescent point caught.
std::optional<Failure> CheckKernel(const ExecResult& r, bool sequential) {
  Failure f;
  f.level = Level::kKernel;
  f.variant = r.variant->name;
  f.position = sequential ? kPosDrained : kPosOps;
  if (r.run.status != zs_sched::RunStatus::kFinished) {
    const std::string& report = r.run.report;
    f.field = zs_sched::RunStatusName(r.run.status);
    f.headline = report.substr(0, report.find('\n'));
    std::string what;
    if (r.run.status == zs_sched::RunStatus::kBug) {
      const std::string line = BugLine(report, &what);
      if (!line.empty()) {
        f.field = "BUG: " + what;  // without the file and line, which move with edits
        f.headline = line;
      }
    }
    f.where = "the run ended there";
    // The op it ended in: the first one left unfinished.
    for (size_t t = 0; t < r.ops.size() && f.op < 0; t++) {
      for (size_t i = 0; i < r.ops[t].size(); i++) {
        if (r.ops[t][i].status != OpStatus::kNotRun) continue;
        f.thread = static_cast<int>(t);
        f.op = static_cast<long>(i);
        if (sequential) f.position = i;
        f.where = sequential
                      ? absl::StrFormat("in t%u op %u", t, i)
                      : absl::StrFormat("before t%u op %u finished (the report names the thread)", t, i);
        break;
      }
    }
    return f;
  }
  if (!r.pool_created) {
    f.field = "create_pool";
    f.headline = "zs_create_pool: got=NULL expected=a pool (is the chain size held by an abandoned pool?)";
    f.where = "before the first op";
    f.position = 0;
    return f;
  }
  if (r.warns != 0 || r.lockdep_reports != 0) {
    f.field = r.lockdep_reports ? "lockdep: " + LockdepTitle(r.lockdep_first.c_str()) : "WARN";
    f.headline = r.lockdep_reports
                     ? f.field
                     : absl::StrFormat("WARN: %u kernel warning(s), the report on stderr", r.warns);
    f.where = "during the run";
    f.position = kPosTeardown;
    return f;
  }
  return std::nullopt;
}

bool InvariantObserver::AtQuiescentPoint(const ExecView& view) {
  if (failure_) return false;
  uint64_t position;
  switch (view.point) {
    case QuiescentPoint::kAfterOp:
      position = view.index;
      break;
    case QuiescentPoint::kDrained:
      position = kPosDrained;
      break;
    default:
      position = kPosEmptied;
      break;
  }
  // Made only for a failure: most points pass.
  const WhereFn where = [&view] {
    switch (view.point) {
      case QuiescentPoint::kAfterOp:
        return "after " + DescribeOp(*view.program, view.thread, view.index);
      case QuiescentPoint::kDrained:
        return std::string("after the drain");
      default:
        return std::string("after freeing every object");
    }
  };
  // The executor reset both counts before the run.
  if (kernel::kernel_warn_count() != 0 || kernel::lockdep_report_count() != 0) {
    Failure f;
    f.level = Level::kKernel;
    if (kernel::lockdep_report_count() != 0) {
      f.field = "lockdep: " + LockdepTitle(kernel::lockdep_first_report());
      f.headline = f.field;
    } else {
      f.field = "WARN";
      f.headline =
          absl::StrFormat("WARN: %u kernel warning(s), the report on stderr", kernel::kernel_warn_count());
    }
    f.where = where();
    f.position = position;
    failure_ = f;
  } else if (view.snapshot != nullptr) {
    failure_ = CheckWalk(walks_.Update(view), where, position, view.dirty);
  }
  if (failure_) {
    failure_->variant = variant_;
    if (view.point == QuiescentPoint::kAfterOp) {
      failure_->thread = view.thread;
      failure_->op = view.index;
    }
    return false;
  }
  return true;
}

}  // namespace zsfuzz::oracle
