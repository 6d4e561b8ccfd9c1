// kmem_cache and kmalloc.
//
// Objects come from malloc, so ASan sees every real use-after-free. On
// kmem_cache_free an object is filled with POISON_FREE, ASan-poisoned and kept
// in a per-cache quarantine (FIFO) before it is really freed, so a stale
// pointer keeps pointing at poison for a while instead of at a reused object.
// Allocations fail on demand (fault_inject_slab_alloc in page_alloc.h).
#pragma once

#include <cstddef>

#include "kernel/types.h"

namespace kernel {

inline constexpr unsigned char POISON_FREE = 0x6b;
inline constexpr size_t SLAB_QUARANTINE_OBJECTS = 256;

struct kmem_cache;

kmem_cache* kmem_cache_create(const char* name, unsigned int size, unsigned int align, unsigned long flags,
                              void (*ctor)(void*));
// BUGs if objects of the cache are still allocated.
void kmem_cache_destroy(kmem_cache* cache);
void* kmem_cache_alloc(kmem_cache* cache, gfp_t gfp);
void* kmem_cache_zalloc(kmem_cache* cache, gfp_t gfp);
void kmem_cache_free(kmem_cache* cache, void* obj);
// Objects allocated and not freed.
unsigned long kmem_cache_nr_active(const kmem_cache* cache);

void* kmalloc(size_t size, gfp_t gfp);
void* kzalloc(size_t size, gfp_t gfp);
void kfree(const void* obj);
char* kstrdup(const char* s, gfp_t gfp);

// Slab fault injection: checked by every allocation above.
bool slab_should_fail();

}  // namespace kernel
