// The trace of a deterministic execution and its hash.
//
// Every step (a virtual thread reaching a yield point, blocking, creating a
// thread, exiting, or drawing a choice) is one TraceStep. The 64-bit trace
// hash covers only what is the same on every run and build: thread ids
// (creation order), step kinds, the text of site strings, object numbers
// (objects are numbered by first appearance in the execution) and choice
// values. Addresses are printed but never hashed.
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

struct TraceStep {
  uint64_t index = 0;
  int tid = 0;
  StepKind kind = StepKind::kYield;
  const char* site = "";  // a static string from the kernel
  const void* obj = nullptr;
  uint32_t obj_id = 0;  // 0: no object
  uint64_t value = 0;   // kCreate, kJoin: the other thread's id; kChoice: the value drawn
  // Filled in only when the full trace is recorded (RunOptions::record_trace):
  const char* obj_name = nullptr;  // a static name such as a lock's "&class->lock"
  long pfn = -1;                   // the page obj lies in, if any
};

// "17 T2 spin_lock #4 &class->lock" (no newline). `extra_name`, if not
// empty, is printed after the object in place of its address.
std::string FormatStep(const TraceStep& step, const std::string& extra_name = std::string());

// Records steps, numbers objects, keeps the hash, the last kTailSteps steps and,
// optionally, every step. Used by the scheduler only (one OS thread).
class TraceRecorder {
 public:
  static constexpr size_t kTailSteps = 64;

  void Reset(bool keep_all);
  // Returns the recorded step, for the caller to add names to (valid until
  // the next call); then KeepLast() copies it to all() if every step is kept.
  TraceStep& Record(int tid, StepKind kind, const char* site, const void* obj, uint64_t value);
  void KeepLast();

  uint64_t hash() const { return hash_; }
  uint64_t steps() const { return steps_; }
  std::vector<TraceStep>& all() { return all_; }
  // The last min(n, kTailSteps) steps, oldest first.
  std::vector<TraceStep> Tail(size_t n) const;
  // The object number `obj` got in this execution (0 if it never appeared).
  uint32_t ObjectId(const void* obj) const;

 private:
  uint32_t InternObject(const void* obj);
  uint64_t SiteHash(const char* site);

  struct ObjSlot {
    const void* obj;
    uint32_t id;
    uint32_t gen;
  };
  struct SiteSlot {
    const char* site;
    uint64_t hash;
  };

  uint64_t hash_ = 0;
  uint64_t steps_ = 0;
  bool keep_all_ = false;
  std::vector<TraceStep> all_;
  TraceStep ring_[kTailSteps];
  // Open addressing, cleared in O(1) per execution by bumping gen_.
  std::vector<ObjSlot> objs_ = std::vector<ObjSlot>(1024, ObjSlot{nullptr, 0, 0});
  uint32_t gen_ = 0;
  uint32_t nobjs_ = 0;
  // Site strings are static, so their hashes are cached by address for the
  // life of the process (direct-mapped; a miss just rehashes the string).
  SiteSlot sites_[512] = {};
};

// "0x0123456789abcdef".
std::string HashHex(uint64_t hash);

}  // namespace zs_sched
