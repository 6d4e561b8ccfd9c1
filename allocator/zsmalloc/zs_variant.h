// The interface every zsmalloc variant library exports.
//
// Each variant (allocator/variants/<name>) is the whole port compiled into its
// own namespace, so several link into one process. Callers outside allocator/
// reach a variant only through its zs_variant_ops table: the public API of
// include/linux/zsmalloc.h, the pool's shrinker, the deferred free, the
// debugfs class table, the registry, and a pointer to the read-only
// introspection interface for tests and the oracle (zs_introspect.h).
//
// Example:
//   const zs_variant_ops* v = zs_find_variant("post");
//   zs_pool* pool = v->create_pool("demo", 8);
//   unsigned long h = v->malloc(pool, 100, kernel::GFP_KERNEL, kernel::NUMA_NO_NODE);
//   if (!kernel::IS_ERR_VALUE(h)) v->free(pool, h);
//   v->destroy_pool(pool);
#pragma once

#include <cstddef>

#include "kernel/types.h"

namespace kernel {
struct scatterlist;
struct seq_file;
}  // namespace kernel

// Opaque: each variant casts it to its own struct zs_pool.
struct zs_pool;

// The read-only view of a pool (allocator/zsmalloc/zs_introspect.h).
struct zs_introspect_ops;

// include/linux/zsmalloc.h
struct zs_pool_stats {
  long pages_compacted;  // atomic_long_t in the kernel; a snapshot here
};

// What a variant's code does that a checker must know to judge it, as the
// variant declares it in zs_add_variant(... TRAITS ...)
// (allocator/variants/CMakeLists.txt, traits.cmake), compiled into its table.
struct zs_variant_traits {
  // Set by zs_add_variant() for every variant it builds: the fields below are
  // a declaration. A table without it (e.g. built by hand) declares nothing,
  // and the oracle refuses to judge it (oracle/check.h, TraitsFor).
  bool declared;
  // Patch 1 of the series: obj = [PFN | class_idx | obj_idx], the class index
  // read back with obj_to_class_idx().
  bool class_in_obj;
  // Patch 2: zs_free() reads the handle without a lock, locks the class it
  // names and re-reads it (obj_class_get_and_lock()); no pool->lock.
  bool free_without_pool_lock;
  // Patch 3: zs_free() returns an empty zspage's pages to the buddy allocator
  // and subtracts pages_allocated after spin_unlock(&class->lock).
  bool frees_pages_outside_class_lock;
};

struct zs_variant_ops {
  const char* name;         // "pre", "post", ...
  const char* description;  // one line for `zsfuzz list`
  zs_variant_traits traits;

  // --- include/linux/zsmalloc.h ---
  // chain_size is CONFIG_ZSMALLOC_CHAIN_SIZE (4..16). It is a per-variant
  // global, as the Kconfig value is per kernel: a pool with a different chain
  // size than a live pool of the same variant is refused (nullptr).
  zs_pool* (*create_pool)(const char* name, unsigned int chain_size);
  void (*destroy_pool)(zs_pool* pool);
  // A handle, or an errno value encoded as with ERR_PTR (see kernel::IS_ERR_VALUE).
  unsigned long (*malloc)(zs_pool* pool, size_t size, kernel::gfp_t gfp, int nid);
  void (*free)(zs_pool* pool, unsigned long handle);
  size_t (*huge_class_size)(zs_pool* pool);
  unsigned long (*get_total_pages)(zs_pool* pool);
  unsigned long (*compact)(zs_pool* pool);
  void (*pool_stats)(zs_pool* pool, zs_pool_stats* stats);
  unsigned int (*lookup_class_index)(zs_pool* pool, unsigned int size);
  void* (*obj_read_begin)(zs_pool* pool, unsigned long handle, size_t mem_len, void* local_copy);
  void (*obj_read_end)(zs_pool* pool, unsigned long handle, size_t mem_len, void* handle_mem);
  void (*obj_read_sg_begin)(zs_pool* pool, unsigned long handle, kernel::scatterlist* sg, size_t mem_len);
  void (*obj_read_sg_end)(zs_pool* pool, unsigned long handle);
  void (*obj_write)(zs_pool* pool, unsigned long handle, void* handle_mem, size_t mem_len);

  // --- the pool's shrinker (count_objects / scan_objects) ---
  unsigned long (*shrinker_count)(zs_pool* pool);
  unsigned long (*shrinker_scan)(zs_pool* pool, unsigned long nr_to_scan);

  // --- deferred free: flush_work(&pool->free_work) (zs_flush_migration) ---
  void (*flush_deferred)(zs_pool* pool);

  // --- debugfs zsmalloc/<pool>/classes (zs_stats_size_show) ---
  void (*classes_show)(zs_pool* pool, kernel::seq_file* s);

  // --- read-only introspection (tests, oracle): allocator/zsmalloc/zs_introspect.h ---
  const zs_introspect_ops* introspect;
};

// The registry (allocator/variants/registry.cc): every variant linked in, in
// the order of allocator/variants/CMakeLists.txt.
const zs_variant_ops* const* zs_variants(size_t* count);
const zs_variant_ops* zs_find_variant(const char* name);
