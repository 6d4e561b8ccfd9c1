// CONFIG_LOCK_STAT's counters per lock class, kept in the class's key.
#include "kernel/lock_stat.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>

namespace kernel {

// Counters in shards, one cache line each, as the kernel keeps lock_stat per
// CPU: a shared counter would bounce between the CPUs on every acquisition
// and slow down the very contention being measured.
constexpr unsigned kShards = 16;

struct alignas(64) lock_stat_shard {
  std::atomic<unsigned long> acquisitions{0};
  std::atomic<unsigned long> contentions{0};
  std::atomic<uint64_t> waittime_total_ns{0};
};

struct lock_class_stats {
  const char* name = nullptr;
  lock_stat_shard shards[kShards];
};

namespace internal {
std::atomic<bool> lock_stat_on{false};
}  // namespace internal

namespace {

// Every class's stats, made once and never freed: keys are static, and a
// reader may run while the locks are in use.
std::mutex registry_lock;
std::vector<lock_class_stats*>& registry() {
  static auto* all = new std::vector<lock_class_stats*>;
  return *all;
}

lock_class_stats* stats_of(const lockdep_map* map) {
  std::atomic_ref<lock_class_stats*> ref(map->key->stats);
  if (lock_class_stats* s = ref.load(std::memory_order_acquire)) return s;
  std::lock_guard<std::mutex> guard(registry_lock);
  if (lock_class_stats* s = ref.load(std::memory_order_relaxed)) return s;
  auto* s = new lock_class_stats;
  s->name = map->name ? map->name : "(unnamed)";
  registry().push_back(s);
  ref.store(s, std::memory_order_release);
  return s;
}

// This thread's shard: threads take them in turn.
lock_stat_shard& my_shard(lock_class_stats* s) {
  static std::atomic<unsigned> next{0};
  thread_local const unsigned shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return s->shards[shard];
}

}  // namespace

void lock_stat_enable(bool on) { internal::lock_stat_on.store(on, std::memory_order_relaxed); }

void lock_stat_clear() {
  std::lock_guard<std::mutex> guard(registry_lock);
  for (lock_class_stats* s : registry()) {
    for (lock_stat_shard& shard : s->shards) {
      shard.acquisitions.store(0, std::memory_order_relaxed);
      shard.contentions.store(0, std::memory_order_relaxed);
      shard.waittime_total_ns.store(0, std::memory_order_relaxed);
    }
  }
}

void lock_stat_account(const lockdep_map* map, bool contended, uint64_t wait_ns) {
  if (map->key == nullptr) return;  // lockdep reports the uninitialised lock
  lock_stat_shard& shard = my_shard(stats_of(map));
  shard.acquisitions.fetch_add(1, std::memory_order_relaxed);
  if (contended) {
    shard.contentions.fetch_add(1, std::memory_order_relaxed);
    shard.waittime_total_ns.fetch_add(wait_ns, std::memory_order_relaxed);
  }
}

uint64_t lock_stat_clock_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

std::vector<lock_stat_entry> lock_stat_read() {
  std::map<std::string, lock_stat_entry> by_name;
  {
    std::lock_guard<std::mutex> guard(registry_lock);
    for (const lock_class_stats* s : registry()) {
      lock_stat_entry sum;
      for (const lock_stat_shard& shard : s->shards) {
        sum.acquisitions += shard.acquisitions.load(std::memory_order_relaxed);
        sum.contentions += shard.contentions.load(std::memory_order_relaxed);
        sum.waittime_total_ns += shard.waittime_total_ns.load(std::memory_order_relaxed);
      }
      if (sum.acquisitions == 0) continue;
      lock_stat_entry& e = by_name[s->name];
      e.name = s->name;
      e.acquisitions += sum.acquisitions;
      e.contentions += sum.contentions;
      e.waittime_total_ns += sum.waittime_total_ns;
    }
  }
  std::vector<lock_stat_entry> out;
  out.reserve(by_name.size());
  for (auto& [name, e] : by_name) out.push_back(std::move(e));
  return out;
}

}  // namespace kernel
