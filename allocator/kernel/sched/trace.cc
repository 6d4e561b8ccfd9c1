// Trace recording: object numbering, the FNV-1a trace hash, the tail ring.
#include "allocator/kernel/sched/trace.h"

#include <cinttypes>
#include <cstdio>

namespace zs_sched {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t HashString(const char* s) {
  uint64_t h = kFnvOffset;
  for (; *s; s++) h = (h ^ static_cast<unsigned char>(*s)) * kFnvPrime;
  return h;
}

const char* KindWord(StepKind k) {
  switch (k) {
    case StepKind::kYield:
      return "";
    case StepKind::kBlock:
      return "block";
    case StepKind::kCreate:
      return "create";
    case StepKind::kExit:
      return "exit";
    case StepKind::kChoice:
      return "choice";
    case StepKind::kJoin:
      return "join";
  }
  return "?";
}

}  // namespace

std::string HashHex(uint64_t hash) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, hash);
  return buf;
}

std::string FormatStep(const TraceStep& s, const std::string& extra_name) {
  char buf[256];
  int n = std::snprintf(buf, sizeof buf, "%6" PRIu64 " T%-2d %-22s %-6s", s.index, s.tid, s.site,
                        KindWord(s.kind));
  std::string out(buf, n > 0 ? static_cast<size_t>(n) : 0);
  if (s.kind == StepKind::kCreate || s.kind == StepKind::kJoin) {
    std::snprintf(buf, sizeof buf, " T%" PRIu64, s.value);
    out += buf;
  } else if (s.kind == StepKind::kChoice) {
    std::snprintf(buf, sizeof buf, " %" PRIu64, s.value);
    out += buf;
  } else if (s.obj_id != 0) {
    std::snprintf(buf, sizeof buf, " #%u", s.obj_id);
    out += buf;
    bool named = false;
    if (s.obj_name) {
      out += ' ';
      out += s.obj_name;
      named = true;
    }
    if (s.pfn >= 0) {
      std::snprintf(buf, sizeof buf, " pfn 0x%x", static_cast<unsigned>(s.pfn));
      out += buf;
      named = true;
    }
    if (!extra_name.empty()) {
      out += ' ';
      out += extra_name;
      named = true;
    }
    if (!named) {
      std::snprintf(buf, sizeof buf, " %p", s.obj);
      out += buf;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void TraceRecorder::Reset(bool keep_all) {
  hash_ = kFnvOffset;
  steps_ = 0;
  keep_all_ = keep_all;
  all_.clear();
  nobjs_ = 0;
  nstatics_ = 0;
  if (++gen_ == 0) {  // wrapped: really clear once every 2^32 executions
    for (ObjSlot& s : objs_) s = ObjSlot{nullptr, 0, 0, 0};
    gen_ = 1;
  }
}

uint32_t TraceRecorder::ObjectId(const void* obj) const {
  if (obj == nullptr) return 0;
  const size_t mask = objs_.size() - 1;
  for (size_t i = PtrSlot(obj, mask);; i = (i + 1) & mask) {
    const ObjSlot& s = objs_[i];
    if (s.gen != gen_) return 0;
    if (s.obj == obj) return s.id;
  }
}

const TraceRecorder::ObjSlot& TraceRecorder::InternObjectSlow(const void* obj) {
  size_t mask = objs_.size() - 1;
  size_t i = PtrSlot(obj, mask);
  for (;; i = (i + 1) & mask) {
    const ObjSlot& s = objs_[i];
    if (s.gen == gen_ && s.obj == obj) {
      last_ = i;
      return s;
    }
    if (s.gen != gen_) break;
  }
  // First appearance in this execution: classify once.
  const ObjectIdentity ident = classify_ ? classify_(obj) : ObjectIdentity{ObjectClass::kStatic, 0};
  uint64_t key = 0;
  switch (ident.cls) {
    case ObjectClass::kUnstable:
      key = uint64_t{1} << 62;
      break;
    case ObjectClass::kStatic:
      key = (uint64_t{2} << 62) | ++nstatics_;
      break;
    case ObjectClass::kKeyed:
      key = (uint64_t{3} << 62) | (ident.key & ((uint64_t{1} << 62) - 1));
      break;
  }
  objs_[i] = ObjSlot{obj, ++nobjs_, gen_, key};
  last_ = i;
  if (nobjs_ * 2 <= objs_.size()) return objs_[i];
  // Grow, keeping this execution's entries.
  std::vector<ObjSlot> old(objs_.size() * 2, ObjSlot{nullptr, 0, 0, 0});
  old.swap(objs_);
  mask = objs_.size() - 1;
  obj_mask_ = mask;
  size_t placed = 0;
  for (const ObjSlot& o : old) {
    if (o.gen != gen_) continue;
    size_t j = PtrSlot(o.obj, mask);
    while (objs_[j].gen == gen_) j = (j + 1) & mask;
    objs_[j] = o;
    if (o.obj == obj) placed = j;
  }
  last_ = placed;
  return objs_[placed];
}

const TraceRecorder::SiteSlot& TraceRecorder::FillSiteSlot(const char* site) {
  SiteSlot& slot = sites_[PtrSlot(site, 511)];
  slot = SiteSlot{site, HashString(site), classify_site_ ? classify_site_(site) : uint8_t{0}};
  return slot;
}

void TraceRecorder::KeepLast() {
  if (keep_all_ && steps_ > 0) all_.push_back(ring_[(steps_ - 1) % kTailSteps]);
}

std::vector<TraceStep> TraceRecorder::Tail(size_t n) const {
  if (n > kTailSteps) n = kTailSteps;
  if (n > steps_) n = steps_;
  std::vector<TraceStep> out;
  for (uint64_t i = steps_ - n; i < steps_; i++) out.push_back(ring_[i % kTailSteps]);
  return out;
}

}  // namespace zs_sched
