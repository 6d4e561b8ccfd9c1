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
  const char* last_site = nullptr;
  const void* last_obj = nullptr;
  // The latest step of a thread other than last_tid.
  const char* other_site = nullptr;
  const void* other_obj = nullptr;
};
PairState g_state;

void OnStep(void*, const zs_sched::TraceStep& s) {
  PairState& st = g_state;
  if (s.index == 0) st = PairState{};  // a new execution
  const char* partner_site;
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
  st.last_site = s.site;
  st.last_obj = s.obj;
  if (partner_site == nullptr) return;  // no other thread has run yet
  // Site strings are static, so their addresses name them within the
  // process; taken relative to a static of this binary they are the same in
  // every process of this build (address-space layout randomization moves
  // the whole image), so a campaign with a fixed seed keeps the same inputs
  // whenever it runs. One multiply-shift hash (the top bits of a product mix every
  // input bit): this runs on every scheduler step.
  const auto base = reinterpret_cast<uintptr_t>(&g_interleaving_counters);
  const uint64_t flags = uint64_t{s.obj != nullptr && s.obj == partner_obj} | static_cast<uint64_t>(s.kind)
                                                                                  << 1;
  const uint64_t h = ((reinterpret_cast<uintptr_t>(partner_site) - base) * 0x9e3779b97f4a7c15ULL ^
                      (reinterpret_cast<uintptr_t>(s.site) - base) ^ flags << 56) *
                     0xff51afd7ed558ccdULL;
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
