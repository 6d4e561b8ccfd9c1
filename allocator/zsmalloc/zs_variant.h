// The interface every zsmalloc variant library exports.
//
// Each variant (allocator/variants/<name>) is the whole port compiled into its
// own namespace, so several link into one process. Callers outside allocator/
// reach a variant only through its zs_variant_ops table: the public API of
// include/linux/zsmalloc.h, the movable ops the migration core drives, and a
// read-only introspection interface for tests and the oracle.
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
struct page;
struct scatterlist;
struct seq_file;
}  // namespace kernel

// Opaque: each variant casts it to its own struct zs_pool.
struct zs_pool;

// include/linux/zsmalloc.h
struct zs_pool_stats {
  long pages_compacted;  // atomic_long_t in the kernel; a snapshot here
};

// Geometry and stats of one size class, read under class->lock.
struct zs_class_info {
  unsigned int index;  // canonical index (largest index sharing the class)
  int size;
  int objs_per_zspage;
  int pages_per_zspage;
  unsigned long stats[14];  // NR_CLASS_STAT_TYPES: fullness 0..11, allocated, inuse
};

// Where a live object is, decoded from its handle.
struct zs_obj_location {
  unsigned long pfn;
  unsigned int obj_idx;
  unsigned int class_idx;  // from zspage->class (every variant)
  bool huge;
};

// One zspage as walk_zspages() finds it on a fullness list, under class->lock.
// Raw fields, not judged: the oracle checks them (DESIGN.md "The oracle", 2).
struct zs_zspage_info {
  unsigned int list;       // the fullness list it is on (0..11)
  unsigned int fullness;   // zspage->fullness
  unsigned int class_idx;  // zspage->class
  unsigned int magic;      // zspage->magic (ZSPAGE_MAGIC 0x58)
  bool huge;
  unsigned int inuse;
  unsigned int freeobj;
  // The free list from freeobj through the link_free words, up to the first
  // index >= objs_per_zspage (its end; the end marker's value varies). Huge:
  // 1 if the first page's handle is clear, else 0.
  unsigned int nr_free;
  // The free list revisited a slot, or passed a slot whose header has
  // OBJ_ALLOCATED_TAG (it then stops there).
  bool free_list_bad;
  // Slots whose header (huge: first page's handle) has OBJ_ALLOCATED_TAG, and
  // their handles (tag cleared), in slot order; valid during the callback.
  unsigned int nr_allocated;
  const unsigned long* handles;
  // The page chain from first_zpdesc through get_next_zpdesc(), at most 16.
  unsigned int nr_pages;
  bool chain_too_long;  // more pages than ZS_MAX_PAGES_PER_ZSPAGE
  unsigned long pfn[16];
  unsigned int first_obj_offset[16];
  // Bit i describes page i.
  unsigned int foreign_mask;   // page->zspage is not this zspage
  unsigned int private_mask;   // PG_private (first page only, when sound)
  unsigned int zsmalloc_mask;  // page type PGTY_zsmalloc
  unsigned int movable_mask;   // movable ops set
  unsigned int locked_mask;    // page lock held
  unsigned int isolated_mask;  // isolated by the migration core
};

// walk_zspages() callback; runs under class->lock, so it must not call into the pool.
typedef void (*zs_zspage_visitor)(const zs_zspage_info* info, void* arg);

struct zs_variant_ops {
  const char* name;         // "pre", "post", ...
  const char* description;  // one line for `zsfuzz list`

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

  // --- read-only introspection (tests, oracle) ---
  unsigned int (*chain_size)(zs_pool* pool);
  // pool->size_class[index] (index 0..254); false if out of range.
  bool (*class_info)(zs_pool* pool, unsigned int index, zs_class_info* info);
  // Decodes a live handle under pool->lock (read). False if the handle is not allocated.
  bool (*obj_location)(zs_pool* pool, unsigned long handle, zs_obj_location* loc);
  // The n-th page (0-based) of the zspage holding `handle`, or nullptr when
  // n is past its last page. For driving the migration core at a chosen page.
  kernel::page* (*zspage_page)(zs_pool* pool, unsigned long handle, unsigned int n);
  // Calls `fn` for every zspage on the fullness lists of the class whose
  // canonical index is `index`, list 0 to 11, under that class->lock. False
  // (and no call) if index is out of range or not canonical. A zspage off
  // every list (being freed or compacted) is not seen: walk at quiescent
  // points. Lists longer than 1 << 20 entries are cut there (a cycle).
  bool (*walk_zspages)(zs_pool* pool, unsigned int index, zs_zspage_visitor fn, void* arg);
  // class_info() without class->lock, plus whether that lock is held. The
  // reads are marked data_race() and pass no yield point, so under the
  // deterministic scheduler (one virtual thread at a time, switching only at
  // yield points) calls for every class in a row see one instant of the pool:
  // what an in-flight stats bound needs. Elsewhere the values may be torn.
  bool (*class_info_nolock)(zs_pool* pool, unsigned int index, zs_class_info* info, bool* locked);
  // The addresses of pool->size_class[index]->lock (nullptr if index is out
  // of range) and of pool->lock, only to name them in traces ("class[17]");
  // nothing is read through them.
  const void* (*class_lock)(zs_pool* pool, unsigned int index);
  const void* (*pool_lock)(zs_pool* pool);
};

// The registry (allocator/variants/registry.cc): every variant linked in, in
// the order of allocator/variants/CMakeLists.txt.
const zs_variant_ops* const* zs_variants(size_t* count);
const zs_variant_ops* zs_find_variant(const char* name);
