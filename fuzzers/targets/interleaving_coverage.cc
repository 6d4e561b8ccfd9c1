#include "fuzzers/targets/interleaving_coverage.h"

#include <bit>
#include <cstdint>
#include <cstring>

#include "allocator/kernel/sched/runner.h"
#include "allocator/kernel/sched/trace.h"

// libFuzzer finds this array through the linker's __start_/__stop_ symbols of
// the section; `used` keeps it when nothing else names it.
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t
    g_interleaving_counters[zsfuzz::targets::kInterleavingCounters];

namespace zsfuzz::targets {
namespace {

// Scheduler-side state of the current execution (one run at a time).
struct PairState {
  int last_tid = -1;
  uint64_t last_site = 0;  // site hashes (TraceStep::site_hash), 0 for none yet
  const void* last_obj = nullptr;
  // The latest step of a thread other than last_tid.
  uint64_t other_site = 0;
  const void* other_obj = nullptr;
};
PairState g_state;

void OnStep(void*, const zs_sched::TraceStep& s) {
  PairState& st = g_state;
  if (s.index == 0) st = PairState{};  // a new execution
  uint64_t partner_site;
  const void* partner_obj;
  if (s.tid != st.last_tid) {
    partner_site = st.last_site;
    partner_obj = st.last_obj;
    st.other_site = st.last_site;
    st.other_obj = st.last_obj;
  } else {
    partner_site = st.other_site;
    partner_obj = st.other_obj;
  }
  st.last_tid = s.tid;
  st.last_site = s.site_hash;
  st.last_obj = s.obj;
  if (partner_site == 0) return;  // no other thread has run yet
  // Sites enter by the hash of their text, never by address: where the
  // linker puts a string depends on the lengths of the others (__FILE__
  // holds the source's path), so a campaign with a fixed seed keeps the same
  // inputs in every build and every clone. One multiply-shift hash (the top
  // bits of a product mix every input bit): this runs on every scheduler step.
  const uint64_t flags = uint64_t{s.obj != nullptr && s.obj == partner_obj} | static_cast<uint64_t>(s.kind)
                                                                                  << 1;
  const uint64_t h =
      (partner_site * 0x9e3779b97f4a7c15ULL ^ s.site_hash ^ flags << 56) * 0xff51afd7ed558ccdULL;
  static_assert((kInterleavingCounters & (kInterleavingCounters - 1)) == 0);
  uint8_t& c = g_interleaving_counters[h >> (64 - std::countr_zero(kInterleavingCounters))];
  if (c != 0xff) c++;
}

}  // namespace

void InstallInterleavingCoverage() { zs_sched::SetStepObserver(&OnStep, nullptr); }

size_t InterleavingCountersSet() {
  size_t n = 0;
  for (uint8_t c : g_interleaving_counters) n += c != 0;
  return n;
}

void ClearInterleavingCounters() { std::memset(g_interleaving_counters, 0, sizeof g_interleaving_counters); }

}  // namespace zsfuzz::targets
