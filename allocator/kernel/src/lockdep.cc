// lockdep-lite: per-task held-lock stacks and a class-level lock-order graph that reports inversions and
// recursion.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

#include "allocator/kernel/src/internal.h"
#include "kernel/bug.h"
#include "kernel/lockdep.h"
#include "kernel/sched.h"

namespace kernel {
namespace {

constexpr int MAX_LOCKDEP_CLASSES = 1024;  // class ids 1..MAX-1
constexpr int CLASS_WORDS = MAX_LOCKDEP_CLASSES / 64;

using class_set = std::atomic<uint64_t>[CLASS_WORDS];

// All graph state is atomic and read lock-free on the fast path; graph_lock
// only serialises writers (and is hidden from TSan, see tsan_ignore_sync).
class_set dep_graph[MAX_LOCKDEP_CLASSES];  // a -> b: b was taken while a was held
class_set reported[MAX_LOCKDEP_CLASSES];   // a -> b closed a cycle and was reported
std::atomic<const char*> class_names[MAX_LOCKDEP_CLASSES];
std::atomic<int> nr_classes{0};
std::mutex graph_lock;
// Tags every key's id (lock_class_key::id), so lockdep_reset() unregisters
// all keys at once without knowing where they are. 32 bits of it go into an
// id: a key would have to sit unused through 2^32 resets to be taken as current.
std::atomic<unsigned long> generation{1};

unsigned long generation_tag() { return generation.load(std::memory_order_relaxed) & 0xffffffffUL; }

std::atomic<unsigned long> report_count{0};
std::atomic<bool> first_report_claimed{false};
char first_report_buf[8192];
std::atomic<const char*> first_report{nullptr};

bool test_class(const class_set& set, int id) {
  return (set[id / 64].load(std::memory_order_relaxed) >> (id % 64)) & 1;
}
void set_class(class_set& set, int id) {
  set[id / 64].fetch_or(1ULL << (id % 64), std::memory_order_relaxed);
}

const char* class_name(int id) {
  const char* name = class_names[id].load(std::memory_order_relaxed);
  return name ? name : "(unnamed)";
}

std::atomic_ref<unsigned long> key_ref(lock_class_key* key) {
  return std::atomic_ref<unsigned long>(key->id);
}

// The key's class id in this generation, 0 if it has none.
int key_id(lock_class_key* key) {
  const unsigned long id = key_ref(key).load(std::memory_order_relaxed);
  return id >> 32 == generation_tag() ? static_cast<int>(id & 0xffffffffUL) : 0;
}

int register_class(const lockdep_map* map) {
  internal::tsan_ignore_sync hide;
  std::lock_guard<std::mutex> guard(graph_lock);
  int id = key_id(map->key);
  if (id) return id;
  id = nr_classes.load(std::memory_order_relaxed) + 1;
  if (id >= MAX_LOCKDEP_CLASSES) kernel_bug(__FILE__, __LINE__, "lockdep: MAX_LOCKDEP_CLASSES too low");
  class_names[id].store(map->name ? map->name : "(unnamed)", std::memory_order_relaxed);
  nr_classes.store(id, std::memory_order_relaxed);
  key_ref(map->key).store(generation_tag() << 32 | static_cast<unsigned long>(id), std::memory_order_relaxed);
  return id;
}

int class_of(const lockdep_map* map) {
  if (!map->key) [[unlikely]] {
    internal::bug_report(__FILE__, __LINE__, "lockdep: lock used without initialisation",
                         std::string("lock: ") + (map->name ? map->name : "(unnamed)") + "\n");
  }
  const int id = key_id(map->key);
  return id ? id : register_class(map);
}

const char* lock_name(const lockdep_map* map) { return map->name ? map->name : "(unnamed)"; }

// Publishes a report: counts it, keeps the first one's text, prints it.
void emit_report(const std::string& text) {
  report_count.fetch_add(1, std::memory_order_relaxed);
  if (!first_report_claimed.exchange(true, std::memory_order_relaxed)) {
    const size_t n = text.size() < sizeof(first_report_buf) - 1 ? text.size() : sizeof(first_report_buf) - 1;
    text.copy(first_report_buf, n);
    first_report_buf[n] = '\0';
    first_report.store(first_report_buf, std::memory_order_release);
  }
  printk(KERN_WARNING, "%s", text.c_str());
}

// Breadth-first search over existing edges from `from`; on reaching `to`
// returns the chain "from -> ... -> to" as class names, else "".
std::string find_chain(int from, int to) {
  int parent[MAX_LOCKDEP_CLASSES];
  int queue[MAX_LOCKDEP_CLASSES];
  uint64_t seen[CLASS_WORDS] = {};
  const int limit = nr_classes.load(std::memory_order_relaxed);
  int head = 0, tail = 0;
  queue[tail++] = from;
  seen[from / 64] |= 1ULL << (from % 64);
  parent[from] = 0;
  while (head < tail) {
    const int c = queue[head++];
    if (c == to) {
      int* path = queue;  // the search is over: reuse its storage
      int len = 0;
      for (int n = to; n; n = parent[n]) path[len++] = n;
      std::string chain = class_name(path[len - 1]);
      for (int i = len - 2; i >= 0; i--) chain.append(" -> ").append(class_name(path[i]));
      return chain;
    }
    for (int next = 1; next <= limit; next++) {
      if (!test_class(dep_graph[c], next) || ((seen[next / 64] >> (next % 64)) & 1)) continue;
      seen[next / 64] |= 1ULL << (next % 64);
      parent[next] = c;
      queue[tail++] = next;
    }
  }
  return {};
}

std::string task_header(const char* title) {
  return std::string("\n======================================================\n") + title + "\n" +
         "------------------------------------------------------\n";
}

// `held` (class hc) is held while `map` (class nc) is being acquired and the
// edge hc -> nc is not in the graph yet: add it, or report the cycle it closes.
void add_edge(const held_lock& held, int hc, const lockdep_map* map, int nc) {
  std::string report;
  {
    internal::tsan_ignore_sync hide;
    std::lock_guard<std::mutex> guard(graph_lock);
    if (test_class(dep_graph[hc], nc) || test_class(reported[hc], nc)) return;
    const std::string chain = find_chain(nc, hc);
    if (chain.empty()) {
      set_class(dep_graph[hc], nc);
      return;
    }
    set_class(reported[hc], nc);
    report = task_header("WARNING: possible circular locking dependency detected");
    report += internal::current_task_name() + " is trying to acquire lock:\n  " + lock_name(map) + "\n";
    report += "but task is already holding lock:\n  " + std::string(held.name) + "\n";
    report += "which lock already depends on the new lock.\n";
    report += "the existing dependency chain is:\n  " + chain + "\n";
    report += "and this acquisition adds:\n  " + std::string(class_name(hc)) + " -> " + class_name(nc) + "\n";
  }
  report += internal::describe_held_locks(get_current());
  emit_report(report);
}

void report_recursion(const held_lock& held, const lockdep_map* map, int cls) {
  {
    internal::tsan_ignore_sync hide;
    std::lock_guard<std::mutex> guard(graph_lock);
    if (test_class(reported[cls], cls)) return;
    set_class(reported[cls], cls);
  }
  std::string report = task_header("WARNING: possible recursive locking detected");
  report += internal::current_task_name() + " is trying to acquire lock:\n  " + lock_name(map) + "\n";
  report += "but task is already holding lock:\n  " + std::string(held.name) + "\n";
  report += internal::describe_held_locks(get_current());
  emit_report(report);
}

// As the kernel's match_held_lock(): the same lock is the same lockdep map
// (and here the same instance), so no class lookup is needed.
int find_held(const held_locks& h, const lockdep_map* map, const void* instance) {
  for (int i = h.depth - 1; i >= 0; i--)
    if (h.stack[i].instance == instance && h.stack[i].map == map) return i;
  return -1;
}

}  // namespace

namespace internal {

std::string describe_held_locks(const task_struct* task) {
  const held_locks& h = task->held;
  std::string out;
  if (h.depth == 0)
    return "no locks held by " + std::string(task->comm) + "/" + std::to_string(task->pid) + ".\n";
  out = std::to_string(h.depth) + " lock" + (h.depth > 1 ? "s" : "") + " held by " + task->comm + "/" +
        std::to_string(task->pid) + ":\n";
  for (int i = 0; i < h.depth; i++) {
    char line[256];
    std::snprintf(line, sizeof(line), " #%d: %s (instance %p)%s%s\n", i, h.stack[i].name, h.stack[i].instance,
                  h.stack[i].read ? " read" : "", h.stack[i].trylock ? " trylock" : "");
    out += line;
  }
  return out;
}

}  // namespace internal

void lockdep_init_map(lockdep_map* map, const char* name, lock_class_key* key, int /*subclass*/) {
  map->name = name;
  map->key = key;
}

void lock_acquire(lockdep_map* map, const void* instance, bool trylock, bool read) {
  held_locks& h = get_current()->held;
  if (h.off) return;
  const int cls = class_of(map);
  if (h.depth >= MAX_LOCK_DEPTH) [[unlikely]]
    internal::bug_report(__FILE__, __LINE__, "lockdep: MAX_LOCK_DEPTH too low",
                         std::string("acquiring ") + lock_name(map) + "\n");
  // A trylock never waits, so it cannot deadlock and adds no dependency.
  if (!trylock) {
    for (int i = 0; i < h.depth; i++) {
      const held_lock& held = h.stack[i];
      const int hc = held.cls;
      if (hc == cls) {
        if (!(read && held.read)) report_recursion(held, map, cls);
        continue;
      }
      if (!test_class(dep_graph[hc], cls)) add_edge(held, hc, map, cls);
    }
  }
  h.stack[h.depth++] = held_lock{map, instance, trylock, read, cls, lock_name(map)};
}

void lock_release(lockdep_map* map, const void* instance) {
  held_locks& h = get_current()->held;
  if (h.off) return;
  const int i = find_held(h, map, instance);
  if (i < 0) [[unlikely]] {
    char line[256];
    std::snprintf(line, sizeof(line), "lock: %s (instance %p)\n", lock_name(map), instance);
    internal::bug_report(__FILE__, __LINE__, "releasing a lock that is not held (bad unlock balance)", line);
  }
  for (int j = i; j + 1 < h.depth; j++) h.stack[j] = h.stack[j + 1];
  h.depth--;
}

bool lock_is_held(const lockdep_map* map, const void* instance) {
  const held_locks& h = get_current()->held;
  return !h.off && find_held(h, map, instance) >= 0;
}

void lockdep_off() { get_current()->held.off++; }
void lockdep_on() { get_current()->held.off--; }

unsigned long lockdep_report_count() { return report_count.load(std::memory_order_relaxed); }

const char* lockdep_first_report() {
  const char* r = first_report.load(std::memory_order_acquire);
  return r ? r : "";
}

void lockdep_reset() {
  internal::tsan_ignore_sync hide;
  std::lock_guard<std::mutex> guard(graph_lock);
  // Only ids 1..nr_classes were handed out since the last reset: the rest of
  // the graph is zero already.
  const int last = nr_classes.load(std::memory_order_relaxed);
  for (int c = 0; c <= last; c++) {
    for (int w = 0; w <= last / 64; w++) {
      dep_graph[c][w].store(0, std::memory_order_relaxed);
      reported[c][w].store(0, std::memory_order_relaxed);
    }
    class_names[c].store(nullptr, std::memory_order_relaxed);
  }
  // Class ids follow the order of first use, as in a fresh process, so the
  // graph search (by id) and its reports do not depend on earlier runs.
  nr_classes.store(0, std::memory_order_relaxed);
  generation.fetch_add(1, std::memory_order_relaxed);
  report_count.store(0, std::memory_order_relaxed);
  first_report.store(nullptr, std::memory_order_relaxed);
  first_report_claimed.store(false, std::memory_order_relaxed);
}

}  // namespace kernel
