// Occupancy feedback (occupancy_feedback.h).
#include "fuzzers/targets/occupancy_feedback.h"

#include <bit>
#include <cstdint>
#include <cstring>

#include "oracle/model.h"

// Found by libFuzzer like the interleaving counters (interleaving_coverage.cc).
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t
    g_occupancy_counters[zsfuzz::targets::kOccupancyCounters];

namespace zsfuzz::targets {
namespace {

// 0 for 0, else 1 + floor(log2(n)): 1, 2-3, 4-7, ...
unsigned int Bucket(unsigned long n) { return static_cast<unsigned int>(std::bit_width(n)); }

void Bump(unsigned int class_index, unsigned int feature, unsigned long count) {
  const uint64_t key = (uint64_t{class_index} << 16) | (uint64_t{feature} << 8) | Bucket(count);
  static_assert((kOccupancyCounters & (kOccupancyCounters - 1)) == 0);
  uint8_t& c =
      g_occupancy_counters[(key * 0x9e3779b97f4a7c15ULL) >> (64 - std::countr_zero(kOccupancyCounters))];
  if (c != 0xff) c++;
}

// zs_class_info::stats: fullness groups 0..11, then allocated and in use.
constexpr int kAllocated = 12;
constexpr int kInUse = 13;
constexpr unsigned int kFullnessGroups = 12;

void RecordClass(const zs_class_info& c) {
  const unsigned long allocated = c.stats[kAllocated];
  if (allocated == 0 || c.objs_per_zspage <= 0) return;
  const unsigned long per_zspage = static_cast<unsigned long>(c.objs_per_zspage);
  Bump(c.index, 0, c.stats[kInUse]);
  Bump(c.index, 1, allocated / per_zspage);
  Bump(c.index, 2, oracle::CanCompact(c));
  for (unsigned int g = 0; g < kFullnessGroups; g++)
    if (c.stats[g] != 0) Bump(c.index, 3 + g, c.stats[g]);
}

}  // namespace

void RecordOccupancy(const ExecResult& r) {
  const ClassList* prev = nullptr;
  for (const Snapshot& s : r.after_op) {
    if (!s.taken) continue;
    // An entry shared with the previous snapshot is a class no op changed.
    for (size_t k = 0; k < s.classes.size(); k++)
      if (prev == nullptr || !s.classes.SharesEntry(*prev, k)) RecordClass(s.classes[k]);
    prev = &s.classes;
  }
  if (r.drained.taken)
    for (const zs_class_info& c : r.drained.classes) RecordClass(c);
}

std::vector<size_t> OccupancyCountersSet() {
  std::vector<size_t> set;
  for (size_t i = 0; i < kOccupancyCounters; i++)
    if (g_occupancy_counters[i] != 0) set.push_back(i);
  return set;
}

void ClearOccupancyCounters() { std::memset(g_occupancy_counters, 0, sizeof g_occupancy_counters); }

}  // namespace zsfuzz::targets
