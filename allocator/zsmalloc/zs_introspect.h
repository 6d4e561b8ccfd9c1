// The read-only view of a zsmalloc variant's pool, for tests and the oracle.
//
// Every variant's zs_variant_ops (zs_variant.h) points to one of these tables
// (`v->introspect`). Nothing here changes a pool: it reports the size class
// geometry and stats, where a live object is, the pages of a zspage and every
// zspage on the fullness lists, and the addresses of the locks for traces.
//
// Example:
//   const zs_variant_ops* v = zs_find_variant("post");
//   zs_pool* pool = v->create_pool("demo", 8);
//   zs_class_info info;
//   if (v->introspect->class_info(pool, v->lookup_class_index(pool, 100), &info))
//     printf("class %u: %d objects per zspage\n", info.index, info.objs_per_zspage);
//   v->destroy_pool(pool);
#pragma once

namespace kernel {
struct page;
}  // namespace kernel

// Opaque: each variant casts it to its own struct zs_pool (zs_variant.h).
struct zs_pool;

// Geometry and stats of one size class, read under class->lock.
struct zs_class_info {
  unsigned int index;  // canonical index (largest index sharing the class)
  int size;
  int objs_per_zspage;
  int pages_per_zspage;
  unsigned long stats[14];  // NR_CLASS_STAT_TYPES: fullness 0..11, allocated, inuse
  // The fullness lists holding a zspage, bit g for list g, read with the
  // stats: a walk of a class with none finds nothing, so the oracle skips it.
  // kListedUnknown where nobody looked (class_info_nolock, a default).
  unsigned int listed = kListedUnknown;
  static constexpr unsigned int kListedUnknown = ~0u;
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

struct zs_introspect_ops {
  unsigned int (*chain_size)(zs_pool* pool);
  // pool->size_class[index] (index below ZS_SIZE_CLASSES: 255 on 4 KiB pages,
  // 257 on 16 KiB); false if out of range.
  bool (*class_info)(zs_pool* pool, unsigned int index, zs_class_info* info);
  // Decodes a live handle under pool->lock (read). False if the handle is not allocated.
  bool (*obj_location)(zs_pool* pool, unsigned long handle, zs_obj_location* loc);
  // The n-th page (0-based) of the zspage holding `handle`, or nullptr when
  // n is past its last page. For driving the migration core at a chosen page.
  kernel::page* (*zspage_page)(zs_pool* pool, unsigned long handle, unsigned int n);
  // The pages of the zspage holding `handle`, first to last, into `pages`
  // (at most `max`); how many. Without pool->lock and past no yield point:
  // for bookkeeping between a program's steps under the deterministic
  // scheduler, where nothing else runs meanwhile. -1, and nothing read, while
  // a writer (compaction, migration) holds pool->lock and may be part way
  // through moving the object or rewriting the chain.
  int (*zspage_pages_nolock)(zs_pool* pool, unsigned long handle, kernel::page** pages, unsigned int max);
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
  // The path probes (zs_path.h): how often this variant, in any pool, took
  // path `path` (an enum zs_path; 0 past ZS_PATH_COUNT) since the last reset.
  unsigned long (*path_hits)(unsigned int path);
  void (*path_hits_reset)();
};
