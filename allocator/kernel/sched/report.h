// Internal to zs_sched: the text of deadlock, livelock and BUG reports.
//
// All of it is built by the scheduler while every fiber is parked, from the
// threads' wait records and lockdep held stacks.
#pragma once

#include <string>
#include <vector>

#include "allocator/kernel/sched/runner.h"
#include "allocator/kernel/sched/trace.h"
#include "allocator/kernel/sched/vthread.h"

namespace zs_sched::internal {

// One line per live thread: state, what it waits for and who holds that,
// and the locks it holds. E.g.
//   T1 "a" blocked in spin_lock on &b #4, held by T2 "b"; holds &a #3
std::string DescribeThreads(const std::vector<VThread*>& live, const TraceRecorder& trace);

// The waits-for graph between blocked threads ("T1 -> T2 (&b #4)") and the
// first cycle in it, if any.
std::string WaitsForGraph(const std::vector<VThread*>& live, const TraceRecorder& trace);

// The last `n` steps, one per line, each prefixed with `indent`. Objects are
// named by `namer`, else by the lockdep name of a lock some thread in `live`
// holds at that address (recorded steps may point at freed memory, so
// nothing else is dereferenced).
std::string TailText(const TraceRecorder& trace, size_t n, const ObjectNamer& namer,
                     const std::vector<VThread*>& live, const char* indent);

}  // namespace zs_sched::internal
