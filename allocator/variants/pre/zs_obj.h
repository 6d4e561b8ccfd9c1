// zs_obj.h (pre): the obj encoding of the base tree.
//
// Included by allocator/zsmalloc/zsmalloc.cc after the CLASS_BITS block,
// inside the variant's namespace. An obj value is (PFN, obj_idx), the PFN in
// the high bits (reference 1.5).
#pragma once

#define OBJ_INDEX_BITS	(BITS_PER_LONG - _PFN_BITS)
#define OBJ_INDEX_MASK	((_AC(1, UL) << OBJ_INDEX_BITS) - 1)

/*
 * Must be a multiple of ZS_ALIGN. The second term keeps obj_idx inside
 * OBJ_INDEX_BITS for the longest chain (reference 1).
 */
#define ZS_MIN_ALLOC_SIZE \
	MAX(32, (ZS_CHAIN_SIZE_MAX << PAGE_SHIFT >> OBJ_INDEX_BITS))

/*
 * Stores @obj in @handle. The handle word belongs to class->lock: whoever
 * rewrites it (allocation, compaction, migration) holds that lock.
 */
static void record_obj(unsigned long handle, unsigned long obj)
{
	*(unsigned long *)handle = obj;
}

/* Splits @obj into the page that holds the object and its index. */
static void obj_to_location(unsigned long obj, struct zpdesc **zpdesc,
				unsigned int *obj_idx)
{
	*zpdesc = pfn_zpdesc(obj >> OBJ_INDEX_BITS);
	*obj_idx = (obj & OBJ_INDEX_MASK);
}

static void obj_to_zpdesc(unsigned long obj, struct zpdesc **zpdesc)
{
	*zpdesc = pfn_zpdesc(obj >> OBJ_INDEX_BITS);
}

/* Packs the page of an object and its index into an obj value. */
static unsigned long location_to_obj(struct zpdesc *zpdesc, unsigned int obj_idx)
{
	unsigned long obj;

	obj = zpdesc_pfn(zpdesc) << OBJ_INDEX_BITS;
	obj |= obj_idx & OBJ_INDEX_MASK;

	return obj;
}

static unsigned long handle_to_obj(unsigned long handle)
{
	return *(unsigned long *)handle;
}
