// The trace of a deterministic execution and its hash.
//
// Every step (a virtual thread reaching a yield point, blocking, creating a
// thread, exiting, or drawing a choice) is one TraceStep. The 64-bit trace
// hash covers only what is the same on every run, build and machine: thread
// ids (creation order), step kinds, the text of site strings, choice values
// and a stable identity for the object (see ObjectIdentity). Addresses are
// printed but never hashed; the "#N" object numbers printed in traces count
// every object by first appearance, for reading only.
//
// Text form, one step per line:
//      17 T2 spin_lock         #4 &class->lock
//      18 T1 wait_event  block #9 pfn 0x10003
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zs_sched {

// kJoin: blocked in kthread_join until thread `value` exits.
enum class StepKind : uint8_t { kYield, kBlock, kCreate, kExit, kChoice, kJoin };

// 64 bytes, so that the recorder's ring of them is indexed by a shift.
struct TraceStep {
  uint64_t index = 0;
  const char* site = "";  // a static string from the kernel
  const void* obj = nullptr;
  uint64_t value = 0;  // kCreate, kJoin: the other thread's id; kChoice: the value drawn
  // The hash of the site's text, as the trace hash takes it: unlike the
  // string's address, the same in every build wherever its source lies.
  uint64_t site_hash = 0;
  const char* obj_name = nullptr;  // a static name such as a lock's "&class->lock"
  int tid = 0;
  uint32_t obj_id = 0;  // 0: no object
  // Filled in only when the full trace is recorded (RunOptions::record_trace):
  int32_t pfn = -1;  // the page obj lies in, if any
  StepKind kind = StepKind::kYield;
  uint8_t site_kind = 0;  // the site classifier's answer for `site` (0 without one)
};
static_assert(sizeof(TraceStep) == 64);

// How an object enters the trace hash. Which addresses name the same object
// over an execution is stable for objects in the page arena (by PFN) and in
// static storage (numbered by first appearance among statics), but not for
// heap or stack memory: whether a freed block's address comes back depends on
// the allocator (ASan's quarantine, TSan's allocator, the libc version), not
// on the program, so such objects enter the hash by their kind alone.
enum class ObjectClass : uint8_t { kUnstable, kStatic, kKeyed };
struct ObjectIdentity {
  ObjectClass cls = ObjectClass::kUnstable;
  uint64_t key = 0;  // kKeyed: the stable key (e.g. PFN and offset)
};
using ObjectClassifier = ObjectIdentity (*)(const void* obj);
// What a site says about its object (such as "the object is a spinlock"),
// asked once per site string; 0 means nothing.
using SiteClassifier = uint8_t (*)(const char* site);

// "17 T2 spin_lock #4 &class->lock" (no newline). `extra_name`, if not
// empty, is printed after the object in place of its address.
std::string FormatStep(const TraceStep& step, const std::string& extra_name = std::string());

// Records steps, numbers objects, keeps the hash, the last kTailSteps steps and,
// optionally, every step. Used by the scheduler only (one OS thread).
class TraceRecorder {
 public:
  static constexpr size_t kTailSteps = 64;

  // Without a classifier every object counts as kStatic (numbered).
  void SetClassifier(ObjectClassifier classify) { classify_ = classify; }
  void SetSiteClassifier(SiteClassifier classify) { classify_site_ = classify; }
  void Reset(bool keep_all);
  // Returns the recorded step, for the caller to add names to (valid until
  // the next call); then KeepLast() copies it to all() if every step is kept.
  // Inline: the scheduler records every step, and its common case (a site
  // and an object met before) is a few loads and multiplies.
  [[gnu::always_inline]] TraceStep& Record(int tid, StepKind kind, const char* site, const void* obj,
                                           uint64_t value) {
    TraceStep& s = ring_[steps_ % kTailSteps];
    s.index = steps_++;
    s.tid = tid;
    s.kind = kind;
    s.site = site;
    s.obj = obj;
    const ObjSlot& slot = InternObject(obj);
    s.obj_id = slot.id;
    s.value = value;
    s.obj_name = nullptr;
    s.pfn = -1;
    const SiteSlot& site_slot = SiteSlotOf(site);
    s.site_kind = site_slot.kind;
    s.site_hash = site_slot.hash;
    uint64_t h = Mix(hash_, site_slot.hash);
    h = Mix(h,
            (static_cast<uint64_t>(static_cast<uint32_t>(tid)) << 32) | (static_cast<uint64_t>(kind) << 24));
    // Steps with an object have no value and the other way round, so one word holds both.
    h = Mix(h, slot.key ^ value);
    hash_ = h;
    return s;
  }
  void KeepLast();

  uint64_t hash() const { return hash_; }
  uint64_t steps() const { return steps_; }
  std::vector<TraceStep>& all() { return all_; }
  // The last min(n, kTailSteps) steps, oldest first.
  std::vector<TraceStep> Tail(size_t n) const;
  // The object number `obj` got in this execution (0 if it never appeared).
  uint32_t ObjectId(const void* obj) const;

 private:
  struct ObjSlot {
    const void* obj;
    uint32_t id;   // display number, every object counted
    uint32_t gen;  // execution the slot belongs to
    uint64_t key;  // what the hash mixes in (ObjectIdentity)
  };
  struct SiteSlot {
    const char* site;
    uint64_t hash;
    uint8_t kind;  // classify_site_(site)
  };
  // FNV-1a over 64-bit words: one xor and one multiply per word; both are
  // bijections, so one changed word always changes the final hash.
  static uint64_t Mix(uint64_t h, uint64_t word) { return (h ^ word) * 0x100000001b3ULL; }
  static size_t PtrSlot(const void* p, size_t mask) {
    auto x = reinterpret_cast<uintptr_t>(p);
    x ^= x >> 17;
    x *= 0x9e3779b97f4a7c15ULL;
    return (x >> 20) & mask;
  }
  const ObjSlot& InternObject(const void* obj) {
    static constexpr ObjSlot kNone{nullptr, 0, 0, 0};
    if (obj == nullptr) return kNone;
    // A lock's acquire and release are often consecutive steps.
    if (const ObjSlot& last = objs_[last_]; last.obj == obj && last.gen == gen_) return last;
    // Else the object is most often met before and in its home slot.
    const size_t home = PtrSlot(obj, obj_mask_);
    if (const ObjSlot& slot = objs_[home]; slot.obj == obj && slot.gen == gen_) {
      last_ = home;
      return slot;
    }
    return InternObjectSlow(obj);
  }
  const ObjSlot& InternObjectSlow(const void* obj);
  const SiteSlot& SiteSlotOf(const char* site) {
    const SiteSlot& slot = sites_[PtrSlot(site, 511)];
    return slot.site == site ? slot : FillSiteSlot(site);
  }
  const SiteSlot& FillSiteSlot(const char* site);

  ObjectClassifier classify_ = nullptr;
  SiteClassifier classify_site_ = nullptr;

  uint64_t hash_ = 0;
  uint64_t steps_ = 0;
  bool keep_all_ = false;
  std::vector<TraceStep> all_;
  TraceStep ring_[kTailSteps];
  // Open addressing, cleared in O(1) per execution by bumping gen_.
  std::vector<ObjSlot> objs_ = std::vector<ObjSlot>(1024, ObjSlot{nullptr, 0, 0, 0});
  size_t obj_mask_ = 1023;  // objs_.size() - 1, kept apart: a size is a division by sizeof(ObjSlot)
  uint32_t gen_ = 0;
  size_t last_ = 0;  // the slot InternObject found or filled last
  uint32_t nobjs_ = 0;
  uint32_t nstatics_ = 0;
  // Site strings are static, so their hashes are cached by address for the
  // life of the process (direct-mapped; a miss just rehashes the string).
  SiteSlot sites_[512] = {};
};

// "0x0123456789abcdef".
std::string HashHex(uint64_t hash);

}  // namespace zs_sched
