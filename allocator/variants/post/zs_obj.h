// zs_obj.h (post): the obj encoding after patch 1 of the series, with the
// marked handle accesses of patch 2 (v6; reference 5.2, 5.3). post-1-2 takes
// this file through BASE post.
//
// Included by allocator/zsmalloc/zsmalloc.cc after the CLASS_BITS block,
// inside the variant's namespace.
#pragma once

/*
 * The bits below the PFN hold more than obj_idx needs, so they are split
 * (reference 5.2), MSB to LSB:
 *
 *   | PFN (_PFN_BITS) | class_idx (ZS_OBJ_CLASS_BITS) | obj_idx (ZS_OBJ_IDX_BITS) |
 *                     ^ ZS_OBJ_PFN_SHIFT
 *
 * class_idx is the canonical index of the object's size class. Migration only
 * ever changes the PFN, so class_idx read from a handle without any lock is
 * always right.
 *
 * class_idx needs CLASS_BITS + 1 bits (the width of zspage->class_), obj_idx
 * needs ZS_OBJS_PER_ZSPAGE_BITS: at most 2^(PAGE_SHIFT - 5) objects per page
 * (32 bytes being the smallest class) times 2^ZS_PAGES_PER_ZSPAGE_BITS pages.
 * Where both do not fit below the PFN, ZS_OBJ_CLASS_BITS is 0, the layout is
 * [PFN | obj_idx] again and zs_free() keeps taking pool->lock.
 *
 * The chain size is chosen per pool here (README, deviations), so the layout,
 * fixed at compile time as in the kernel, is sized for the longest chain the
 * Kconfig range allows.
 */
#define ZS_OBJ_PFN_SHIFT		(BITS_PER_LONG - _PFN_BITS)
#define ZS_PAGES_PER_ZSPAGE_BITS	order_base_2(ZS_CHAIN_SIZE_MAX)
#define ZS_OBJS_PER_PAGE_BITS		(PAGE_SHIFT - 5)
#define ZS_OBJS_PER_ZSPAGE_BITS		(ZS_PAGES_PER_ZSPAGE_BITS + ZS_OBJS_PER_PAGE_BITS)

#define ZS_OBJ_CLASS_BITS						\
	(ZS_OBJ_PFN_SHIFT >= (CLASS_BITS + 1) + ZS_OBJS_PER_ZSPAGE_BITS ?	\
	 (CLASS_BITS + 1) : 0)
#define ZS_OBJ_CLASS_MASK	((_AC(1, UL) << ZS_OBJ_CLASS_BITS) - 1)
#define ZS_OBJ_IDX_BITS		(ZS_OBJ_PFN_SHIFT - ZS_OBJ_CLASS_BITS)
#define ZS_OBJ_IDX_MASK		((_AC(1, UL) << ZS_OBJ_IDX_BITS) - 1)

/*
 * Must be a multiple of ZS_ALIGN. The second term keeps obj_idx inside
 * ZS_OBJ_IDX_BITS for the longest chain (reference 1).
 */
#define ZS_MIN_ALLOC_SIZE \
	MAX(32, (ZS_CHAIN_SIZE_MAX << PAGE_SHIFT >> ZS_OBJ_IDX_BITS))
static_assert(ZS_MIN_ALLOC_SIZE <= ZS_MAX_ALLOC_SIZE);

/*
 * Stores @obj in @handle. Writers hold class->lock, but zs_free() reads the
 * handle once without it (obj_class_get_and_lock()), so the store must not
 * tear: it pairs with the READ_ONCE() in handle_to_obj().
 */
static void record_obj(unsigned long handle, unsigned long obj)
{
	WRITE_ONCE(*(unsigned long *)handle, obj);
}

/* Splits @obj into the page that holds the object and its index. */
static void obj_to_location(unsigned long obj, struct zpdesc **zpdesc,
				unsigned int *obj_idx)
{
	*zpdesc = pfn_zpdesc(obj >> ZS_OBJ_PFN_SHIFT);
	*obj_idx = (obj & ZS_OBJ_IDX_MASK);
}

static void obj_to_zpdesc(unsigned long obj, struct zpdesc **zpdesc)
{
	*zpdesc = pfn_zpdesc(obj >> ZS_OBJ_PFN_SHIFT);
}

/* The size class index recorded in @obj (0 when ZS_OBJ_CLASS_BITS is 0). */
static unsigned int obj_to_class_idx(unsigned long obj)
{
	return (obj >> ZS_OBJ_IDX_BITS) & ZS_OBJ_CLASS_MASK;
}

/*
 * Packs the page of an object, its index and the index of its size class
 * into an obj value.
 */
static unsigned long location_to_obj(struct zpdesc *zpdesc, unsigned int obj_idx,
				     unsigned int class_idx)
{
	unsigned long obj;

	obj = zpdesc_pfn(zpdesc) << ZS_OBJ_PFN_SHIFT;
	obj |= (class_idx & ZS_OBJ_CLASS_MASK) << ZS_OBJ_IDX_BITS;
	obj |= obj_idx & ZS_OBJ_IDX_MASK;

	return obj;
}

/* May run without class->lock (zs_free()): see record_obj(). */
static unsigned long handle_to_obj(unsigned long handle)
{
	return READ_ONCE(*(unsigned long *)handle);
}
