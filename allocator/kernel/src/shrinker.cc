// Shrinkers: allocation, registration and one shrink_slab()-style pass (count, then scan).
#include <cstdarg>
#include <cstdio>

#include "kernel/bug.h"
#include "kernel/shrinker.h"
#include "kernel/slab.h"

namespace kernel {

shrinker* shrinker_alloc(unsigned int /*flags*/, const char* fmt, ...) {
  auto* s = static_cast<shrinker*>(kzalloc(sizeof(shrinker), GFP_KERNEL));
  if (!s) return nullptr;
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(s->name, sizeof(s->name), fmt, ap);
  va_end(ap);
  s->seeks = DEFAULT_SEEKS;
  return s;
}

void shrinker_register(shrinker* s) {
  BUG_ON(s->registered);
  BUG_ON(!s->count_objects || !s->scan_objects);
  s->registered = true;
}

void shrinker_free(shrinker* s) { kfree(s); }

unsigned long shrinker_run(shrinker* s, gfp_t gfp) {
  BUG_ON(!s->registered);
  shrink_control sc{gfp, 0, 0, 0};
  const unsigned long count = s->count_objects(s, &sc);
  if (count == 0 || count == SHRINK_EMPTY) return 0;
  sc.nr_to_scan = count;
  sc.nr_scanned = count;
  return s->scan_objects(s, &sc);
}

}  // namespace kernel
