// Deadlock / livelock / BUG report text: waits, lock holders, waits-for graph, trace tail.
#include "allocator/kernel/sched/report.h"

#include <cstdio>

#include "kernel/page.h"

#include "allocator/kernel/sched/object_names.h"
#include "allocator/kernel/sched/sanitizers.h"

namespace zs_sched::internal {
namespace {

std::string ThreadLabel(const VThread* t) { return "T" + std::to_string(t->id) + " \"" + t->name + "\""; }

// The lock instance a blocked thread needs: the lock itself for spin_wait;
// for a page's lock_wq, the page (lockdep's instance for page locks).
const void* WantedInstance(const VThread* t) {
  const void* obj = t->wait_obj.load(std::memory_order_relaxed);
  if (t->wait_kind.load(std::memory_order_relaxed) == WaitKind::kLock) return obj;
  if (t->wait_kind.load(std::memory_order_relaxed) == WaitKind::kWaitQueue) {
    const long pfn = PfnOf(obj);
    if (pfn >= 0) return kernel::pfn_to_page(static_cast<unsigned long>(pfn));
  }
  return nullptr;
}

// Threads (other than `waiter`) whose lockdep stack holds `instance`. A
// thread blocked on that same lock only announced it (lockdep records the
// acquisition before the wait), so it is not a holder.
std::vector<const VThread*> Holders(const std::vector<VThread*>& live, const VThread* waiter,
                                    const void* instance) {
  std::vector<const VThread*> out;
  if (instance == nullptr) return out;
  TsanIgnoreReads ignore;
  for (const VThread* t : live) {
    if (t == waiter || WantedInstance(t) == instance) continue;
    const kernel::held_locks& h = t->task.held;
    for (int i = 0; i < h.depth; i++) {
      if (h.stack[i].instance == instance) {
        out.push_back(t);
        break;
      }
    }
  }
  return out;
}

std::string ObjectText(const TraceRecorder& trace, const void* obj) {
  char buf[64];
  std::string out;
  if (const uint32_t id = trace.ObjectId(obj)) {
    std::snprintf(buf, sizeof buf, "#%u ", id);
    out += buf;
  }
  const long pfn = PfnOf(obj);
  if (pfn >= 0)
    std::snprintf(buf, sizeof buf, "pfn 0x%lx", pfn);
  else
    std::snprintf(buf, sizeof buf, "%p", obj);
  return out + buf;
}

// "&b #4" when some thread's held stack names the lock, else the raw object.
std::string WaitObjectText(const std::vector<VThread*>& live, const TraceRecorder& trace, const VThread* t) {
  const void* instance = WantedInstance(t);
  if (instance != nullptr) {
    TsanIgnoreReads ignore;
    for (const VThread* u : live) {
      const kernel::held_locks& h = u->task.held;
      for (int i = 0; i < h.depth; i++)
        if (h.stack[i].instance == instance)
          return DescribeHeldLock(h.stack[i], trace.ObjectId(h.stack[i].instance));
    }
  }
  return ObjectText(trace, t->wait_obj.load(std::memory_order_relaxed));
}

}  // namespace

std::string DescribeThreads(const std::vector<VThread*>& live, const TraceRecorder& trace) {
  std::string out;
  for (const VThread* t : live) {
    out += "  " + ThreadLabel(t);
    const ThreadState state = t->state.load(std::memory_order_relaxed);
    if (state == ThreadState::kRunnable) {
      out += " runnable";
      if (!t->started) out += " (never ran)";
    } else if (state == ThreadState::kBlocked) {
      const char* site = t->wait_site.load(std::memory_order_relaxed);
      switch (t->wait_kind.load(std::memory_order_relaxed)) {
        case WaitKind::kLock:
        case WaitKind::kWaitQueue: {
          out += std::string(" blocked in ") + (site ? site : "?") + " on " + WaitObjectText(live, trace, t);
          const std::vector<const VThread*> holders = Holders(live, t, WantedInstance(t));
          if (!holders.empty()) {
            out += ", held by";
            for (const VThread* h : holders) out += " " + ThreadLabel(h);
          }
          break;
        }
        case WaitKind::kJoin: {
          const auto* target = static_cast<const VThread*>(t->wait_obj.load(std::memory_order_relaxed));
          out += " blocked in kthread_join waiting for " + ThreadLabel(target) + " to exit";
          break;
        }
        case WaitKind::kNone:
          out += " blocked";
          break;
      }
    }
    TsanIgnoreReads ignore;
    const kernel::held_locks& h = t->task.held;
    bool first = true;
    for (int i = 0; i < h.depth; i++) {
      // The top entry of a thread blocked on that lock is only an announcement.
      if (i == h.depth - 1 && h.stack[i].instance == WantedInstance(t)) continue;
      out += first ? "; holds " : ", ";
      out += DescribeHeldLock(h.stack[i], trace.ObjectId(h.stack[i].instance));
      first = false;
    }
    out += "\n";
  }
  return out;
}

std::string WaitsForGraph(const std::vector<VThread*>& live, const TraceRecorder& trace) {
  std::string out;
  // next[i]: the first thread live[i] waits for (lock holder or join target).
  std::vector<int> next(live.size(), -1);
  auto index_of = [&](const VThread* t) {
    for (size_t i = 0; i < live.size(); i++)
      if (live[i] == t) return static_cast<int>(i);
    return -1;
  };
  for (size_t i = 0; i < live.size(); i++) {
    const VThread* t = live[i];
    if (t->state.load(std::memory_order_relaxed) != ThreadState::kBlocked) continue;
    std::vector<const VThread*> targets;
    std::string via;
    if (t->wait_kind.load(std::memory_order_relaxed) == WaitKind::kJoin) {
      targets.push_back(static_cast<const VThread*>(t->wait_obj.load(std::memory_order_relaxed)));
      via = "join";
    } else {
      targets = Holders(live, t, WantedInstance(t));
      via = WaitObjectText(live, trace, t);
    }
    for (const VThread* target : targets) {
      out += "  T" + std::to_string(t->id) + " -> T" + std::to_string(target->id) + " (" + via + ")\n";
      if (next[i] < 0) next[i] = index_of(target);
    }
    if (targets.empty()) out += "  T" + std::to_string(t->id) + " -> nobody holds " + via + "\n";
  }
  // Follow first edges from each thread; a revisit within one walk is a cycle.
  for (size_t start = 0; start < live.size(); start++) {
    std::vector<int> walk;
    for (int i = static_cast<int>(start); i >= 0; i = next[i]) {
      for (size_t k = 0; k < walk.size(); k++) {
        if (walk[k] != i) continue;
        std::string cycle = "  cycle:";
        for (size_t m = k; m < walk.size(); m++) cycle += " T" + std::to_string(live[walk[m]]->id) + " ->";
        return out + cycle + " T" + std::to_string(live[i]->id) + "\n";
      }
      walk.push_back(i);
    }
  }
  return out;
}

std::string TailText(const TraceRecorder& trace, size_t n, const ObjectNamer& namer,
                     const std::vector<VThread*>& live, const char* indent) {
  std::string out;
  for (const TraceStep& s : trace.Tail(n)) {
    TraceStep named = s;
    named.pfn = static_cast<int32_t>(PfnOf(s.obj));
    // The namer and the held-lock stacks read what fibers wrote; every fiber
    // is parked (or is the one reporting).
    TsanIgnoreReads ignore;
    std::string name = namer && s.obj ? namer(s.obj) : std::string();
    if (name.empty() && s.obj != nullptr) {
      for (const VThread* t : live) {
        const kernel::held_locks& h = t->task.held;
        for (int i = 0; i < h.depth && named.obj_name == nullptr; i++)
          if (h.stack[i].instance == s.obj && h.stack[i].map) named.obj_name = h.stack[i].name;
      }
    }
    out += indent + FormatStep(named, name) + "\n";
  }
  return out;
}

}  // namespace zs_sched::internal
