// zpdesc.h: the zsmalloc memory descriptor, ported from mm/zpdesc.h
// (reference S3, torvalds/linux 00c010e130e5).
//
// struct zpdesc overlays struct page (kernel/page.h). The port reads and
// writes pages through this view exactly as the kernel does, and the
// static_asserts below pin every field to the page field it aliases. The
// build uses -fno-strict-aliasing, like the kernel, so the pun is sound.
//
// Field use (zsmalloc-reference.md section 2, struct zpdesc):
//   flags             PG_private marks the first page of a zspage; PG_locked
//                     is the page lock that migration and freeing take.
//                     Touched only through the (atomic) page flag helpers.
//   lru               not used by zsmalloc.
//   movable_ops       page->mapping: the variant's movable_operations.
//   next / handle     page->index: the next page of the zspage or, for a
//                     huge zspage, the handle of its only object.
//   zspage            page->private: the owning zspage.
//   first_obj_offset  page->page_type. Low 24 bits: offset of the first object
//                     that starts in this page; top byte: PGTY_zsmalloc.
//                     Use get_first_obj_offset()/set_first_obj_offset().
//   _refcount         the page reference count.
//
// The helpers are the kernel's folio calls mapped onto the simulated kernel's
// page calls. zsmalloc only uses order-0 pages, so page and folio coincide.
#pragma once

#include <cstddef>

#include "kernel/kernel.h"

#ifndef ZS_VARIANT_NS
#error "zpdesc.h belongs to a variant build: ZS_VARIANT_NS must be defined (allocator/variants/CMakeLists.txt)"
#endif

namespace ZS_VARIANT_NS {
using namespace kernel;

struct zspage;

struct zpdesc {
	unsigned long flags;
	struct list_head lru;
	unsigned long movable_ops;
	union {
		struct zpdesc *next;
		unsigned long handle;
	};
	struct zspage *zspage;
	unsigned int first_obj_offset;
	atomic_t _refcount;
};
#define ZPDESC_MATCH(pg, zp)							\
	static_assert(offsetof(struct page, pg) == offsetof(struct zpdesc, zp),	\
		      "zpdesc." #zp " must overlay page." #pg)

ZPDESC_MATCH(flags, flags);
ZPDESC_MATCH(lru, lru);
ZPDESC_MATCH(mapping, movable_ops);
ZPDESC_MATCH(index, next);
ZPDESC_MATCH(index, handle);
ZPDESC_MATCH(private_, zspage);
ZPDESC_MATCH(page_type, first_obj_offset);
ZPDESC_MATCH(_refcount, _refcount);
#undef ZPDESC_MATCH
static_assert(sizeof(struct zpdesc) <= sizeof(struct page));
/* The overlaid fields must also agree in size, not only in offset. */
static_assert(sizeof(page::flags) == sizeof(zpdesc::flags));
static_assert(sizeof(page::page_type) == sizeof(zpdesc::first_obj_offset));
static_assert(sizeof(page::_refcount) == sizeof(zpdesc::_refcount));

/*
 * zpdesc_page() / page_zpdesc(): the kernel chooses the const or non-const
 * cast with _Generic; overloads do the same here.
 */
static inline struct page *zpdesc_page(struct zpdesc *zp)
{
	return reinterpret_cast<struct page *>(zp);
}

static inline const struct page *zpdesc_page(const struct zpdesc *zp)
{
	return reinterpret_cast<const struct page *>(zp);
}

static inline struct zpdesc *page_zpdesc(struct page *p)
{
	return reinterpret_cast<struct zpdesc *>(p);
}

static inline const struct zpdesc *page_zpdesc(const struct page *p)
{
	return reinterpret_cast<const struct zpdesc *>(p);
}

static inline void zpdesc_lock(struct zpdesc *zpdesc)
{
	lock_page(zpdesc_page(zpdesc));
}

static inline bool zpdesc_trylock(struct zpdesc *zpdesc)
{
	return trylock_page(zpdesc_page(zpdesc));
}

static inline void zpdesc_unlock(struct zpdesc *zpdesc)
{
	unlock_page(zpdesc_page(zpdesc));
}

static inline void zpdesc_wait_locked(struct zpdesc *zpdesc)
{
	wait_on_page_locked(zpdesc_page(zpdesc));
}

static inline void zpdesc_get(struct zpdesc *zpdesc)
{
	get_page(zpdesc_page(zpdesc));
}

static inline void zpdesc_put(struct zpdesc *zpdesc)
{
	put_page(zpdesc_page(zpdesc));
}

static inline void *kmap_local_zpdesc(struct zpdesc *zpdesc)
{
	return kmap_local_page(zpdesc_page(zpdesc));
}

static inline unsigned long zpdesc_pfn(struct zpdesc *zpdesc)
{
	return page_to_pfn(zpdesc_page(zpdesc));
}

static inline struct zpdesc *pfn_zpdesc(unsigned long pfn)
{
	return page_zpdesc(pfn_to_page(pfn));
}

/*
 * The S3 form, with the ops passed in and stored per page. The newest
 * kernels register them once per page type (set_movable_ops()); here several
 * variants share one process, each with its own zsmalloc_mops.
 */
static inline void __zpdesc_set_movable(struct zpdesc *zpdesc,
					const struct movable_operations *mops)
{
	__SetPageMovable(zpdesc_page(zpdesc), mops);
}

static inline void __zpdesc_set_zsmalloc(struct zpdesc *zpdesc)
{
	__SetPageZsmalloc(zpdesc_page(zpdesc));
}

static inline bool zpdesc_is_isolated(struct zpdesc *zpdesc)
{
	return PageIsolated(zpdesc_page(zpdesc));
}

static inline struct zone *zpdesc_zone(struct zpdesc *zpdesc)
{
	return page_zone(zpdesc_page(zpdesc));
}

static inline bool zpdesc_is_locked(struct zpdesc *zpdesc)
{
	return PageLocked(zpdesc_page(zpdesc));
}

}  // namespace ZS_VARIANT_NS
