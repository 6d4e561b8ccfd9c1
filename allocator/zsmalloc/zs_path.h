// Path probes: instrumentation, not part of mm/zsmalloc.c.
//
// Each probe counts one way through the code the series "mm/zsmalloc: reduce
// lock contention in zs_free()" changes or leans on (reference 3, 5.2-5.4,
// 6), so `zsfuzz coverage` can say which of them a corpus reaches on each
// variant. A probe is one ZS_PATH*(...) line at the spot; it bumps a relaxed
// atomic counter of the variant (zs_path_hits[], defined in zsmalloc.cc, one
// array per variant namespace): no lock, no yield point, so schedules, traces
// and TSan see nothing of it. The counters are read and reset through
// v->introspect->path_hits / path_hits_reset (zs_introspect.h).
//
// zs_path_applies() says whether a variant's code has a path at all, from
// the traits it declares (zs_variant.h): the trylock of patch 3 in zs_free()
// exists only with frees_pages_outside_class_lock, the lockless re-read only
// with free_without_pool_lock.
//
// Example:
//   const zs_variant_ops* v = zs_find_variant("post");
//   v->introspect->path_hits_reset();
//   ... run a program ...
//   unsigned long n = v->introspect->path_hits(ZS_PATH_ZS_FREE_TRYLOCK_OK);
#pragma once

#include "allocator/zsmalloc/zs_variant.h"

enum zs_path {
	/* zs_free() at RATIO_0, patch 3: its own trylock_zspage() (5.4) */
	ZS_PATH_ZS_FREE_TRYLOCK_OK,
	ZS_PATH_ZS_FREE_TRYLOCK_FAIL,
	/* zs_free() at RATIO_0 without patch 3: free_zspage() under class->lock */
	ZS_PATH_ZS_FREE_FREE_ZSPAGE_OK,
	ZS_PATH_ZS_FREE_FREE_ZSPAGE_DEFERRED,
	/* kick_deferred_free() and the worker (reference 3, async_free_zspage) */
	ZS_PATH_KICK_DEFERRED_FREE,
	ZS_PATH_ASYNC_FREE_RUN,
	ZS_PATH_ASYNC_FREE_FREED,
	/* the lockless class lookup (5.3): the re-read under class->lock
	 * differs from the lockless read. Only the PFN changed: what a
	 * migration does (or a compaction that moved the object to the same
	 * index); index changed: only a compaction moves an object there. */
	ZS_PATH_LOCKLESS_REREAD_PFN_CHANGED,
	ZS_PATH_LOCKLESS_REREAD_INDEX_CHANGED,
	/* zs_page_migrate() moving a page (reference 3, Page migration) */
	ZS_PATH_MIGRATE_FIRST_PAGE,
	ZS_PATH_MIGRATE_MIDDLE_PAGE,
	ZS_PATH_MIGRATE_LAST_PAGE,
	ZS_PATH_MIGRATE_HUGE_PAGE,
	ZS_PATH_MIGRATE_BUSY,
	/* __zs_compact() emptied its src zspage: free_zspage() freed it, or
	 * its trylock failed and the deferred free got it */
	ZS_PATH_COMPACT_FREED,
	ZS_PATH_COMPACT_DEFERRED,
	/* allocation failures (reference 3, Allocation) */
	ZS_PATH_MALLOC_HANDLE_FAIL,
	ZS_PATH_ALLOC_ZSPAGE_STRUCT_FAIL,
	ZS_PATH_ALLOC_ZSPAGE_FIRST_PAGE_FAIL,
	ZS_PATH_ALLOC_ZSPAGE_LATER_PAGE_FAIL,
	ZS_PATH_COUNT
};

/* Which variants' code has the path (from zs_variant_traits). */
enum zs_path_scope {
	ZS_PATH_SCOPE_ALL,
	ZS_PATH_SCOPE_LOCKLESS_LOOKUP,	/* free_without_pool_lock */
	ZS_PATH_SCOPE_PATCH3,		/* frees_pages_outside_class_lock */
	ZS_PATH_SCOPE_NOT_PATCH3,	/* !frees_pages_outside_class_lock */
};

struct zs_path_info {
	const char *name;	/* stable: "zs_free.ratio0.trylock_ok" */
	const char *what;	/* one line for tables */
	zs_path_scope scope;
};

inline constexpr zs_path_info zs_path_table[ZS_PATH_COUNT] = {
	{"zs_free.ratio0.trylock_ok", "zs_free: empty zspage trylocked, pages freed after unlock", ZS_PATH_SCOPE_PATCH3},
	{"zs_free.ratio0.trylock_fail", "zs_free: empty zspage trylock failed, kick_deferred_free", ZS_PATH_SCOPE_PATCH3},
	{"zs_free.ratio0.free_zspage_ok", "zs_free: free_zspage freed the empty zspage under class->lock", ZS_PATH_SCOPE_NOT_PATCH3},
	{"zs_free.ratio0.free_zspage_deferred", "zs_free: free_zspage trylock failed, kick_deferred_free", ZS_PATH_SCOPE_NOT_PATCH3},
	{"kick_deferred_free", "kick_deferred_free (any caller)", ZS_PATH_SCOPE_ALL},
	{"async_free_zspage.run", "the deferred-free worker ran", ZS_PATH_SCOPE_ALL},
	{"async_free_zspage.freed", "the deferred-free worker freed a zspage", ZS_PATH_SCOPE_ALL},
	{"zs_free.lockless.reread_pfn_changed", "lockless lookup: re-read finds only the PFN changed (migration)", ZS_PATH_SCOPE_LOCKLESS_LOOKUP},
	{"zs_free.lockless.reread_index_changed", "lockless lookup: re-read finds the index changed (compaction)", ZS_PATH_SCOPE_LOCKLESS_LOOKUP},
	{"migrate.first_page", "zs_page_migrate moved a zspage's first page (non-huge)", ZS_PATH_SCOPE_ALL},
	{"migrate.middle_page", "zs_page_migrate moved a middle page", ZS_PATH_SCOPE_ALL},
	{"migrate.last_page", "zs_page_migrate moved the last page", ZS_PATH_SCOPE_ALL},
	{"migrate.huge_page", "zs_page_migrate moved a huge zspage's page", ZS_PATH_SCOPE_ALL},
	{"migrate.busy", "zs_page_migrate: zspage lock busy, -EBUSY", ZS_PATH_SCOPE_ALL},
	{"compact.src_freed", "__zs_compact: emptied src freed by free_zspage", ZS_PATH_SCOPE_ALL},
	{"compact.src_deferred", "__zs_compact: emptied src trylock failed, deferred free", ZS_PATH_SCOPE_ALL},
	{"zs_malloc.handle_alloc_fail", "zs_malloc: cache_alloc_handle failed, -ENOMEM", ZS_PATH_SCOPE_ALL},
	{"alloc_zspage.struct_alloc_fail", "alloc_zspage: cache_alloc_zspage failed", ZS_PATH_SCOPE_ALL},
	{"alloc_zspage.first_page_fail", "alloc_zspage: the first page allocation failed", ZS_PATH_SCOPE_ALL},
	{"alloc_zspage.later_page_fail", "alloc_zspage: a later page failed, earlier pages undone", ZS_PATH_SCOPE_ALL},
};

/* Whether a variant with these traits has @path in its code. */
inline bool zs_path_applies(zs_path path, const zs_variant_traits &traits)
{
	switch (zs_path_table[path].scope) {
	case ZS_PATH_SCOPE_ALL:
		return true;
	case ZS_PATH_SCOPE_LOCKLESS_LOOKUP:
		return traits.free_without_pool_lock;
	case ZS_PATH_SCOPE_PATCH3:
		return traits.frees_pages_outside_class_lock;
	case ZS_PATH_SCOPE_NOT_PATCH3:
		return !traits.frees_pages_outside_class_lock;
	}
	return false;
}

/*
 * The probes. They expand inside the variant's namespace, where zsmalloc.cc
 * defines zs_path_hits[].
 */
#define ZS_PATH(path) zs_path_hits[(path)].fetch_add(1, std::memory_order_relaxed)
#define ZS_PATH_IF(cond, path)		\
	do {				\
		if (cond)		\
			ZS_PATH(path);	\
	} while (0)

/* free_zspage(): compaction calls it holding pool->lock (write), zs_free() not. */
#define ZS_PATH_FREE_ZSPAGE(pool, freed)							\
	ZS_PATH(::kernel::lock_is_held(&(pool)->lock.dep_map, &(pool)->lock) ?			\
		((freed) ? ZS_PATH_COMPACT_FREED : ZS_PATH_COMPACT_DEFERRED) :			\
		((freed) ? ZS_PATH_ZS_FREE_FREE_ZSPAGE_OK : ZS_PATH_ZS_FREE_FREE_ZSPAGE_DEFERRED))

/*
 * The lockless lookup, under class->lock now: does the handle still hold the
 * obj of the lockless read? Writers of the handle hold class->lock, so this
 * extra read races with nothing.
 */
#define ZS_PATH_OBJ_REREAD(first, handle)						\
	do {										\
		unsigned long zs_path_now_ = handle_to_obj(handle);			\
		if (zs_path_now_ != (first))						\
			ZS_PATH(!((zs_path_now_ ^ (first)) &				\
				  ((1UL << ZS_OBJ_PFN_SHIFT) - 1)) ?			\
				ZS_PATH_LOCKLESS_REREAD_PFN_CHANGED :			\
				ZS_PATH_LOCKLESS_REREAD_INDEX_CHANGED);			\
	} while (0)

/* zs_page_migrate(), past the point where the move can fail. */
#define ZS_PATH_MIGRATE_PAGE(zspage, zpdesc)						\
	ZS_PATH(ZsHugePage(zspage) ? ZS_PATH_MIGRATE_HUGE_PAGE :			\
		(zpdesc) == (zspage)->first_zpdesc ? ZS_PATH_MIGRATE_FIRST_PAGE :	\
		!(zpdesc)->next ? ZS_PATH_MIGRATE_LAST_PAGE : ZS_PATH_MIGRATE_MIDDLE_PAGE)
