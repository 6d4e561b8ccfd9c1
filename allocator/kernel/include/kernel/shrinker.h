// struct shrinker (the shrinker_alloc API) and a helper that runs one the way
// shrink_slab() does: count, then scan if there is anything to free.
#pragma once

#include "kernel/types.h"

namespace kernel {

inline constexpr unsigned long SHRINK_STOP = ~0UL;
inline constexpr unsigned long SHRINK_EMPTY = ~0UL - 1;
inline constexpr int DEFAULT_SEEKS = 2;

struct shrink_control {
  gfp_t gfp_mask;
  int nid;
  unsigned long nr_to_scan;
  unsigned long nr_scanned;
};

struct shrinker {
  unsigned long (*count_objects)(shrinker* s, shrink_control* sc);
  unsigned long (*scan_objects)(shrinker* s, shrink_control* sc);
  long batch;
  int seeks;
  void* private_data;
  char name[64];
  bool registered;
};

shrinker* shrinker_alloc(unsigned int flags, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void shrinker_register(shrinker* s);
void shrinker_free(shrinker* s);

// count_objects, then scan_objects with nr_to_scan = the count when it is
// non-zero. Returns what scan returned (SHRINK_STOP included), or 0.
unsigned long shrinker_run(shrinker* s, gfp_t gfp);

}  // namespace kernel
