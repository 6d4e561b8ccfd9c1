#include "fuzzers/targets/trivial_target.h"

#include <atomic>

#include "fuzzers/targets/diff_target.h"

namespace zsfuzz::targets {
namespace {

// The decoded program's op count goes somewhere the compiler cannot see
// through, so the decode is not optimized away.
std::atomic<size_t> g_ops_seen{0};

}  // namespace

int TrivialTestOneInput(const uint8_t* data, size_t size) {
  const Program p = DecodeInput(data, size);
  size_t ops = 0;
  for (const std::vector<Op>& t : p.threads) ops += t.size();
  g_ops_seen.fetch_add(ops, std::memory_order_relaxed);
  return 0;
}

}  // namespace zsfuzz::targets
