// File: stress_worker.h
//
// One stress thread: its PRNG, the objects it owns and the op mix it runs.
// A worker only reads, writes and frees handles it allocated (the zsmalloc
// API contract); page migration, compaction and the shrinker act on the whole
// pool and so move other workers' objects under their feet.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "allocator/zsmalloc/zs_variant.h"
#include "fuzzers/stress/stress.h"
#include "oracle/program/prng.h"

namespace zsfuzz {

// State every worker of one run shares. Written once before the workers
// start, except the atomics.
struct StressShared {
  const StressOptions* opt = nullptr;
  const zs_variant_ops* v = nullptr;
  zs_pool* pool = nullptr;
  size_t huge_class_size = 0;
  unsigned long warn_base = 0;       // kernel_warn_count() before the run
  unsigned long lockdep_base = 0;    // lockdep_report_count() before the run
  unsigned long sanitizer_base = 0;  // SanitizerReportCount() before the run
  std::atomic<bool> abort{false};    // set by the first worker that fails
  std::atomic<unsigned long> pages_peak{0};

  void NotePages(unsigned long pages);
};

class StressWorker {
 public:
  StressWorker(StressShared* shared, unsigned index);

  // The kthread body: runs opt->ops_per_thread ops, or fewer if any worker
  // fails. `arg` is the StressWorker.
  static void ThreadMain(void* arg);

  // After the thread has exited (called from the joining thread):
  // reads every live object through both read paths.
  bool VerifyAll();
  void FreeAll();

  uint64_t ops_done() const { return ops_done_.load(std::memory_order_relaxed); }
  const StressCounts& counts() const { return counts_; }
  bool failed() const { return !failure_.empty(); }
  // "thread T op N <op>: what" (empty when clean).
  const std::string& failure() const { return failure_; }
  // Short category of the failure: "content mismatch", "wrong zs_malloc result", ...
  const std::string& failure_reason() const { return failure_reason_; }

 private:
  struct Object {
    unsigned long handle;
    uint32_t size;
    uint64_t id;
    uint64_t gen;  // write generation; 1 after the write that follows malloc
  };

  void Run();
  void DoOne();
  size_t PickSize();
  void Malloc();
  void Free(size_t slot);
  void Write(Object* obj);
  bool Read(const Object& obj);
  bool ReadSg(const Object& obj);
  void Migrate(const Object& obj);
  void Stats();
  void CheckKernelReports();
  // Records the first failure (`reason` is short, for the result line) and stops all workers.
  void Fail(const char* op, const char* reason, const std::string& what);
  std::string Describe(const Object& obj) const;

  StressShared* const shared_;
  const zs_variant_ops* const v_;
  zs_pool* const pool_;
  const unsigned index_;
  Prng rng_;
  std::vector<Object> live_;
  size_t live_target_ = 0;  // mallocs dominate below it, frees above
  uint64_t next_id_ = 0;
  uint64_t op_ = 0;          // index of the op being run, for reports
  bool final_pass_ = false;  // in VerifyAll(): reports say so instead of an op index
  long last_pages_compacted_ = 0;
  StressCounts counts_;
  std::string failure_;
  std::string failure_reason_;
  alignas(64) std::atomic<uint64_t> ops_done_{0};
  // Scratch: pattern to write or expect, and obj_read_begin's local copy.
  std::vector<uint8_t> expect_;
  std::vector<uint8_t> local_copy_;
};

}  // namespace zsfuzz
