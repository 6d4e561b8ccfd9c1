// zsmalloc.cc: the C++ port of mm/zsmalloc.c onto the simulated kernel.
//
// Read it side by side with mm/zsmalloc.c (linux-mm/linux-mm, reference S2):
// the functions have the kernel's names, signatures and order, and the
// comments say, in our own words, what the code relies on, pointing to the
// sections of docs/zsmalloc-reference.md ("reference 3, Freeing").
//
// This file is compiled once per variant (allocator/variants/CMakeLists.txt),
// each time inside its own namespace ZS_VARIANT_NS, so every variant has its
// own globals (kmem caches, huge_class_size, chain size) and several variants
// link into one process. The functions that some variant's patches change are
// not here: they come from the variant folder, through the fixed file names
// included below at the place where the kernel file has them:
//
//   zs_obj.h             obj encoding macros, ZS_MIN_ALLOC_SIZE, record_obj(),
//                        handle_to_obj(), obj_to_location(), obj_to_zpdesc(),
//                        location_to_obj() [, obj_to_class_idx()]
//   zs_free_zspage.inc   __free_zspage() and free_zspage() [, __free_zspage_lockless()]
//   zs_obj_malloc.inc    obj_malloc()
//   zs_free.inc          zs_free() [and its class lookup helper]
//   zs_page_migrate.inc  zs_page_migrate()
//   zs_lock_zspage.inc   lock_zspage()
//   zs_async_free.inc    async_free_zspage()
//   zs_compact.inc       zs_can_compact(), __zs_compact(), zs_compact()
//   zs_shrinker.inc      zs_shrinker_scan(), zs_shrinker_count()
//   zs_destroy_pool.inc  zs_destroy_pool()
//
// (No variant changes the last five; a seeded mutant may.)
// A variant folder that lacks one of them gets it from its base folder and,
// last, from allocator/variants/pre (the base tree). Nothing below depends on
// which variant is being built.
//
// Lock ordering (reference 4): page lock -> pool->lock -> class->lock ->
// zspage->lock. Whether zs_free() takes pool->lock depends on the variant;
// see its zs_free.inc.

#include <atomic>
#include <bit>
#include <climits>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <vector>

#include "kernel/kernel.h"
#include "zpdesc.h"
#include "allocator/zsmalloc/zs_variant.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "allocator/zsmalloc/zs_path.h"

#if !defined(ZS_VARIANT_NS) || !defined(ZS_VARIANT_NAME) || !defined(ZS_VARIANT_DESC)
#error "build through zs_add_variant() in allocator/variants/CMakeLists.txt"
#endif

namespace ZS_VARIANT_NS {
using namespace kernel;

/* Instrumentation, not the kernel's: the path probes' counters (zs_path.h). */
static std::atomic<unsigned long> zs_path_hits[ZS_PATH_COUNT];

/*
 * Simulated kernel configuration (DESIGN.md, "The simulated kernel"):
 * 64-bit, PAGE_SHIFT 12, MAX_POSSIBLE_PHYSMEM_BITS 52 (kernel/types.h; 64
 * in the noclass configuration, PAGE_SHIFT 14 in the 16k one,
 * cmake/KernelConfig.cmake),
 * CONFIG_COMPACTION=y, CONFIG_ZSMALLOC_STAT=y, CONFIG_DEBUG_VM=y. The
 * CONFIG_COMPACTION and CONFIG_ZSMALLOC_STAT #ifdef blocks of the kernel file
 * are therefore always compiled and their #else stubs are left out.
 * CONFIG_ZSMALLOC_CHAIN_SIZE is chosen per pool, see ZS_MAX_PAGES_PER_ZSPAGE.
 */
#define IS_ENABLED(option) (option)
#define CONFIG_COMPACTION 1

/* Small kernel helpers that the simulated kernel's headers do not provide. */
#define _AC(X, Y) X##Y
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define min_t(type, x, y) ((type)(x) < (type)(y) ? (type)(x) : (type)(y))
#define kzalloc_obj(x) \
	static_cast<std::remove_reference_t<__typeof__(x)> *>(kzalloc(sizeof(x), GFP_KERNEL))

__maybe_unused static constexpr bool is_power_of_2(unsigned long n)
{
	return std::has_single_bit(n);
}

/* The kernel's order_base_2(): ceil(log2(n)), 0 for n <= 1. */
__maybe_unused static constexpr int order_base_2(unsigned long n)
{
	return n <= 1 ? 0 : std::bit_width(n - 1);
}

/* include/linux/scatterlist.h: the entry after @sg, NULL after the last one. */
static inline struct scatterlist *sg_next(struct scatterlist *sg)
{
	return sg->end ? nullptr : sg + 1;
}

struct zs_pool;
struct size_class;
struct zspage;

/* include/linux/zsmalloc.h */
struct zs_pool *zs_create_pool(const char *name);
void zs_destroy_pool(struct zs_pool *pool);
unsigned long zs_malloc(struct zs_pool *pool, size_t size, gfp_t flags, const int nid);
void zs_free(struct zs_pool *pool, unsigned long obj);
size_t zs_huge_class_size(struct zs_pool *pool);
unsigned long zs_get_total_pages(struct zs_pool *pool);
unsigned long zs_compact(struct zs_pool *pool);
unsigned int zs_lookup_class_index(struct zs_pool *pool, unsigned int size);
void zs_pool_stats(struct zs_pool *pool, ::zs_pool_stats *stats);
void *zs_obj_read_begin(struct zs_pool *pool, unsigned long handle,
			size_t mem_len, void *local_copy);
void zs_obj_read_end(struct zs_pool *pool, unsigned long handle,
		     size_t mem_len, void *handle_mem);
void zs_obj_read_sg_begin(struct zs_pool *pool, unsigned long handle,
			  struct scatterlist *sg, size_t mem_len);
void zs_obj_read_sg_end(struct zs_pool *pool, unsigned long handle);
void zs_obj_write(struct zs_pool *pool, unsigned long handle,
		  void *handle_mem, size_t mem_len);

#define ZSPAGE_MAGIC	0x58

/*
 * A power of two no smaller than struct link_free, so a free-list link never
 * straddles two pages (reference 1, ZS_ALIGN).
 */
#define ZS_ALIGN		8

#define ZS_HANDLE_SIZE (sizeof(unsigned long))

/*
 * An obj value names an object by (PFN, obj_idx), obj_idx counting from 0
 * over the whole zspage; how the two are packed into one unsigned long is the
 * variant's, in zs_obj.h (reference 1.5, 5.2). MAX_POSSIBLE_PHYSMEM_BITS
 * comes from kernel/types.h: 52, or BITS_PER_LONG in the noclass
 * configuration, which is the kernel's fallback for architectures without it.
 */
#define _PFN_BITS		(MAX_POSSIBLE_PHYSMEM_BITS - PAGE_SHIFT)

/*
 * Bit 0 of an object's first word (its handle, which is at least 8-byte
 * aligned) says that the object is allocated (reference 1.5).
 */
#define OBJ_ALLOCATED_TAG 1

#define OBJ_TAG_BITS	1
#define OBJ_TAG_MASK	OBJ_ALLOCATED_TAG

#define HUGE_BITS	1
#define FULLNESS_BITS	4
#define CLASS_BITS	8
#define MAGIC_VAL_BITS	8

/*
 * CONFIG_ZSMALLOC_CHAIN_SIZE (Kconfig: default 8, range 4..16). The kernel
 * fixes it at build time; here it is a per-variant global that
 * zs_variant_create_pool() sets while no pool of this variant is live (see
 * the README's deviations). Array bounds and the compile-time obj layout use
 * ZS_CHAIN_SIZE_MAX, the largest value the Kconfig range allows.
 */
#define ZS_CHAIN_SIZE_MIN	_AC(4, UL)
#define ZS_CHAIN_SIZE_DEFAULT	_AC(8, UL)
#define ZS_CHAIN_SIZE_MAX	_AC(16, UL)
static unsigned long zs_chain_size = ZS_CHAIN_SIZE_DEFAULT;

#define ZS_MAX_PAGES_PER_ZSPAGE	(zs_chain_size)

/* Each object slot holds the handle too, so the largest object is a page. */
#define ZS_MAX_ALLOC_SIZE	PAGE_SIZE

/*
 * The variant's obj encoding: OBJ_INDEX_* (base tree) or ZS_OBJ_* (series,
 * reference 5.2), ZS_MIN_ALLOC_SIZE (whose formula uses the index width) and
 * the encode/decode helpers. In mm/zsmalloc.c the helpers sit further down
 * (record_obj() after cache_free_zspage(), the others after
 * get_next_zpdesc()); they need nothing but struct zpdesc, so they come in
 * here together with the macros.
 */
#include "zs_obj.h"

/*
 * ZS_MIN_ALLOC_SIZE is computed from ZS_CHAIN_SIZE_MAX rather than from the
 * current chain size, so that ZS_SIZE_CLASSES stays a compile-time constant.
 * It is 32 for every chain size the Kconfig range allows, in every
 * configuration built here, so nothing changes.
 */
static_assert(ZS_MIN_ALLOC_SIZE == 32);

/*
 * The class sizes step by ZS_SIZE_CLASS_DELTA from ZS_MIN_ALLOC_SIZE up to a
 * page: 255 classes of 16 bytes on 4 KiB pages (reference 1), 257 of 64 on
 * 16 KiB pages, whose top index 256 needs every bit of zspage->class_. Both
 * are multiples of ZS_ALIGN, so no link_free ever spans two pages.
 */
#define ZS_SIZE_CLASS_DELTA	(PAGE_SIZE >> CLASS_BITS)
#define ZS_SIZE_CLASSES	(DIV_ROUND_UP(ZS_MAX_ALLOC_SIZE - ZS_MIN_ALLOC_SIZE, \
				      ZS_SIZE_CLASS_DELTA) + 1)
static_assert(PAGE_SHIFT != 12 || ZS_SIZE_CLASSES == 255);
static_assert(PAGE_SHIFT != 14 || ZS_SIZE_CLASSES == 257);
static_assert(ZS_SIZE_CLASSES <= 1 << (CLASS_BITS + 1));
static_assert(ZS_MIN_ALLOC_SIZE % ZS_ALIGN == 0 && ZS_SIZE_CLASS_DELTA % ZS_ALIGN == 0);

/*
 * Fullness groups by the share of a zspage's objects in use (reference 1.4):
 * 0 for an empty zspage, 11 for a full one, 1..10 for ratios in steps of 10%.
 */
enum fullness_group {
	ZS_INUSE_RATIO_0,
	ZS_INUSE_RATIO_10,
	/* groups 2..9 are the ratios in between */
	ZS_INUSE_RATIO_99       = 10,
	ZS_INUSE_RATIO_100,
	NR_FULLNESS_GROUPS,
};

enum class_stat_type {
	/* indices 0..11: zspages per fullness group */
	ZS_OBJS_ALLOCATED       = NR_FULLNESS_GROUPS,
	ZS_OBJS_INUSE,
	NR_CLASS_STAT_TYPES,
};

struct zs_size_stat {
	unsigned long objs[NR_CLASS_STAT_TYPES];
};

static struct dentry *zs_stat_root;

static size_t huge_class_size;

struct size_class {
	spinlock_t lock;
	struct list_head fullness_list[NR_FULLNESS_GROUPS];
	/* object size, a multiple of ZS_ALIGN */
	int size;
	int objs_per_zspage;
	/* pages chained into one zspage */
	int pages_per_zspage;

	unsigned int index;
	struct zs_size_stat stats;
};

/*
 * The first word of every object slot (reference 2, struct link_free): the
 * index of the next free object while the slot is free, the tagged handle
 * while it is allocated.
 */
struct link_free {
	union {
		unsigned long next;
		unsigned long handle;
	};
};

static struct kmem_cache *handle_cachep;
static struct kmem_cache *zspage_cachep;

/*
 * include/linux/zsmalloc.h keeps pages_compacted as an atomic_long_t; the
 * public struct zs_pool_stats (zs_variant.h) is a plain snapshot of it.
 */
struct zs_pool_atomic_stats {
	atomic_long_t pages_compacted;
};

/*
 * The memcg fields of the newest trees (memcg_aware, compressed_stat,
 * uncompressed_stat) are left out: the simulated kernel has no memcg.
 */
struct zs_pool {
	const char *name;

	struct size_class *size_class[ZS_SIZE_CLASSES];

	atomic_long_t pages_allocated;

	struct zs_pool_atomic_stats stats;

	/* compaction on memory pressure */
	struct shrinker *shrinker;

	struct dentry *stat_dentry;	/* CONFIG_ZSMALLOC_STAT */
	struct work_struct free_work;	/* CONFIG_COMPACTION */
	/* excludes migration and compaction, see reference 4 */
	rwlock_t lock;
	atomic_t compaction_in_progress;
};

static inline void zpdesc_set_first(struct zpdesc *zpdesc)
{
	SetPagePrivate(zpdesc_page(zpdesc));
}

static inline void zpdesc_inc_zone_page_state(struct zpdesc *zpdesc)
{
	inc_zone_page_state(zpdesc_page(zpdesc), NR_ZSPAGES);
}

static inline void zpdesc_dec_zone_page_state(struct zpdesc *zpdesc)
{
	dec_zone_page_state(zpdesc_page(zpdesc), NR_ZSPAGES);
}

static inline struct zpdesc *alloc_zpdesc(gfp_t gfp, const int nid)
{
	struct page *page = alloc_pages_node(nid, gfp, 0);

	return page_zpdesc(page);
}

static inline void free_zpdesc(struct zpdesc *zpdesc)
{
	struct page *page = zpdesc_page(zpdesc);

	/* The page stays PageZsmalloc until the buddy allocator takes it back. */
	__free_page(page);
}

#define ZS_PAGE_UNLOCKED	0
#define ZS_PAGE_WRLOCKED	-1

struct zspage_lock {
	spinlock_t lock;
	int cnt;
	struct lockdep_map dep_map;
};

/*
 * "class" is a C++ keyword, so the bit-field (and every local of that name
 * below) is spelled class_. It holds class->index, the canonical index.
 *
 * Custom: fullness has a memory location of its own (the unnamed :0 field).
 * Upstream packs huge, fullness, class and magic in one word; in C++ (and
 * for TSan) adjacent bit-fields are one memory location, so every write of
 * fullness under class->lock would race with the reads of the other three,
 * which are set before the zspage is published and never change, made under
 * other locks or none (zspage_class(), get_zspage(), ZsHugePage()). Apart,
 * those reads need no data_race(), and TSan still reports one that races
 * with the zspage's free.
 */
struct zspage {
	struct {
		unsigned int huge:HUGE_BITS;
		unsigned int class_:CLASS_BITS + 1;
		unsigned int magic:MAGIC_VAL_BITS;
		unsigned int :0;
		unsigned int fullness:FULLNESS_BITS;
	};
	unsigned int inuse;
	unsigned int freeobj;
	struct zpdesc *first_zpdesc;
	struct list_head list; /* on class->fullness_list[fullness] */
	struct zs_pool *pool;
	struct zspage_lock zsl;
};

static void zspage_lock_init(struct zspage *zspage)
{
	static struct lock_class_key __key;
	struct zspage_lock *zsl = &zspage->zsl;

	lockdep_init_map(&zsl->dep_map, "zspage->lock", &__key, 0);
	spin_lock_init(&zsl->lock);
	zsl->cnt = ZS_PAGE_UNLOCKED;
}

/*
 * The zspage lock (reference 2, struct zspage_lock): a reader/writer lock
 * whose readers may sleep while holding it, built from a spinlock and a
 * counter and annotated for lockdep as an rwsem.
 *  - Readers count themselves in under the spinlock and then hold only the
 *    count, so they may be preempted or sleep; they wait only for writers.
 *  - Writers (migration, compaction) only ever trylock and keep the spinlock
 *    for as long as they hold the lock, so they are atomic and a reader
 *    spinning on the spinlock never waits for a sleeper.
 */
static void zspage_read_lock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	rwsem_acquire_read(&zsl->dep_map, zsl, false);

	spin_lock(&zsl->lock);
	zsl->cnt++;
	spin_unlock(&zsl->lock);
}

static void zspage_read_unlock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	rwsem_release(&zsl->dep_map, zsl);

	spin_lock(&zsl->lock);
	zsl->cnt--;
	spin_unlock(&zsl->lock);
}

__must_check static bool zspage_write_trylock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	spin_lock(&zsl->lock);
	if (zsl->cnt == ZS_PAGE_UNLOCKED) {
		zsl->cnt = ZS_PAGE_WRLOCKED;
		rwsem_acquire(&zsl->dep_map, zsl, true);
		return true;
	}

	spin_unlock(&zsl->lock);
	return false;
}

static void zspage_write_unlock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	rwsem_release(&zsl->dep_map, zsl);

	zsl->cnt = ZS_PAGE_UNLOCKED;
	spin_unlock(&zsl->lock);
}

/* huge zspage: one page holding one object (reference 1.3) */
static void SetZsHugePage(struct zspage *zspage)
{
	zspage->huge = 1;
}

static bool ZsHugePage(struct zspage *zspage)
{
	return zspage->huge;
}

/* CONFIG_COMPACTION */
static void kick_deferred_free(struct zs_pool *pool);
static void init_deferred_free(struct zs_pool *pool);
static void SetZsPageMovable(struct zs_pool *pool, struct zspage *zspage);

/*
 * Supplied by the variant folder (see the top of this file), at the places
 * where mm/zsmalloc.c defines them. Declared here with the signatures every
 * variant must keep.
 */
static void __free_zspage(struct zs_pool *pool, struct size_class *class_,
				struct zspage *zspage);
static void free_zspage(struct zs_pool *pool, struct size_class *class_,
				struct zspage *zspage);
static unsigned long obj_malloc(struct zs_pool *pool,
				struct zspage *zspage, unsigned long handle);
/* and zs_free(), declared above */
static int zs_page_migrate(struct page *newpage, struct page *page,
		enum migrate_mode mode);
extern const struct movable_operations zsmalloc_mops;

static unsigned long cache_alloc_handle(gfp_t gfp)
{
	gfp = gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE);

	return (unsigned long)kmem_cache_alloc(handle_cachep, gfp);
}

static void cache_free_handle(unsigned long handle)
{
	kmem_cache_free(handle_cachep, (void *)handle);
}

static struct zspage *cache_alloc_zspage(gfp_t gfp)
{
	gfp = gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE);

	return (struct zspage *)kmem_cache_zalloc(zspage_cachep, gfp);
}

static void cache_free_zspage(struct zspage *zspage)
{
	kmem_cache_free(zspage_cachep, zspage);
}

/* record_obj() is the variant's: zs_obj.h. */

__maybe_unused static inline bool is_first_zpdesc(struct zpdesc *zpdesc)
{
	return PagePrivate(zpdesc_page(zpdesc));
}

/* inuse is protected by class->lock */
static inline int get_zspage_inuse(struct zspage *zspage)
{
	return zspage->inuse;
}

static inline void mod_zspage_inuse(struct zspage *zspage, int val)
{
	zspage->inuse += val;
}

static struct zpdesc *get_first_zpdesc(struct zspage *zspage)
{
	struct zpdesc *first_zpdesc = zspage->first_zpdesc;

	VM_BUG_ON_PAGE(!is_first_zpdesc(first_zpdesc), zpdesc_page(first_zpdesc));
	return first_zpdesc;
}

#define FIRST_OBJ_PAGE_TYPE_MASK	0xffffff

static inline unsigned int get_first_obj_offset(struct zpdesc *zpdesc)
{
	VM_WARN_ON_ONCE(!PageZsmalloc(zpdesc_page(zpdesc)));
	return zpdesc->first_obj_offset & FIRST_OBJ_PAGE_TYPE_MASK;
}

static inline void set_first_obj_offset(struct zpdesc *zpdesc, unsigned int offset)
{
	/* 24 bits of offset: pages up to 16 MiB (reference 1) */
	BUILD_BUG_ON(PAGE_SIZE > SZ_16M);
	VM_WARN_ON_ONCE(!PageZsmalloc(zpdesc_page(zpdesc)));
	VM_WARN_ON_ONCE(offset & ~FIRST_OBJ_PAGE_TYPE_MASK);
	zpdesc->first_obj_offset &= ~FIRST_OBJ_PAGE_TYPE_MASK;
	zpdesc->first_obj_offset |= offset & FIRST_OBJ_PAGE_TYPE_MASK;
}

static inline unsigned int get_freeobj(struct zspage *zspage)
{
	return zspage->freeobj;
}

static inline void set_freeobj(struct zspage *zspage, unsigned int obj)
{
	zspage->freeobj = obj;
}

static struct size_class *zspage_class(struct zs_pool *pool,
				       struct zspage *zspage)
{
	return pool->size_class[zspage->class_];
}

/*
 * The index of the smallest size class whose objects hold @size bytes
 * (reference 1, get_size_class_index).
 */
static int get_size_class_index(int size)
{
	int idx = 0;

	if (likely(size > ZS_MIN_ALLOC_SIZE))
		idx = DIV_ROUND_UP(size - ZS_MIN_ALLOC_SIZE,
				ZS_SIZE_CLASS_DELTA);

	return min_t(int, ZS_SIZE_CLASSES - 1, idx);
}

static inline void class_stat_add(struct size_class *class_, int type,
				  unsigned long cnt)
{
	class_->stats.objs[type] += cnt;
}

static inline void class_stat_sub(struct size_class *class_, int type,
				  unsigned long cnt)
{
	class_->stats.objs[type] -= cnt;
}

static inline unsigned long class_stat_read(struct size_class *class_, int type)
{
	return class_->stats.objs[type];
}

/* CONFIG_ZSMALLOC_STAT */

static void zs_stat_init(void)
{
	if (!debugfs_initialized()) {
		pr_warn("debugfs not available, stat dir not created\n");
		return;
	}

	zs_stat_root = debugfs_create_dir("zsmalloc", NULL);
}

__maybe_unused static void zs_stat_exit(void)
{
	debugfs_remove_recursive(zs_stat_root);
}

static unsigned long zs_can_compact(struct size_class *class_);

/*
 * debugfs zsmalloc/<pool>/classes (reference 3, Stats and queries). There is
 * no debugfs file here: zs_variant.classes_show calls this on a seq_file.
 */
static int zs_stats_size_show(struct seq_file *s, void *v)
{
	int i, fg;
	struct zs_pool *pool = static_cast<struct zs_pool *>(s->private_);
	struct size_class *class_;
	int objs_per_zspage;
	unsigned long obj_allocated, obj_used, pages_used, freeable;
	unsigned long total_objs = 0, total_used_objs = 0, total_pages = 0;
	unsigned long total_freeable = 0;
	unsigned long inuse_totals[NR_FULLNESS_GROUPS] = {0, };

	seq_printf(s, " %5s %5s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %13s %10s %10s %16s %8s\n",
			"class", "size", "10%", "20%", "30%", "40%",
			"50%", "60%", "70%", "80%", "90%", "99%", "100%",
			"obj_allocated", "obj_used", "pages_used",
			"pages_per_zspage", "freeable");

	for (i = 0; i < ZS_SIZE_CLASSES; i++) {

		class_ = pool->size_class[i];

		if (class_->index != i)
			continue;

		spin_lock(&class_->lock);

		seq_printf(s, " %5u %5u ", i, class_->size);
		for (fg = ZS_INUSE_RATIO_10; fg < NR_FULLNESS_GROUPS; fg++) {
			inuse_totals[fg] += class_stat_read(class_, fg);
			seq_printf(s, "%9lu ", class_stat_read(class_, fg));
		}

		obj_allocated = class_stat_read(class_, ZS_OBJS_ALLOCATED);
		obj_used = class_stat_read(class_, ZS_OBJS_INUSE);
		freeable = zs_can_compact(class_);
		spin_unlock(&class_->lock);

		objs_per_zspage = class_->objs_per_zspage;
		pages_used = obj_allocated / objs_per_zspage *
				class_->pages_per_zspage;

		seq_printf(s, "%13lu %10lu %10lu %16d %8lu\n",
			   obj_allocated, obj_used, pages_used,
			   class_->pages_per_zspage, freeable);

		total_objs += obj_allocated;
		total_used_objs += obj_used;
		total_pages += pages_used;
		total_freeable += freeable;
	}

	seq_puts(s, "\n");
	seq_printf(s, " %5s %5s ", "Total", "");

	for (fg = ZS_INUSE_RATIO_10; fg < NR_FULLNESS_GROUPS; fg++)
		seq_printf(s, "%9lu ", inuse_totals[fg]);

	seq_printf(s, "%13lu %10lu %10lu %16s %8lu\n",
		   total_objs, total_used_objs, total_pages, "",
		   total_freeable);

	return 0;
}

static void zs_pool_stat_create(struct zs_pool *pool, const char *name)
{
	if (!zs_stat_root) {
		pr_warn("no root stat dir, not creating <%s> stat dir\n", name);
		return;
	}

	pool->stat_dentry = debugfs_create_dir(name, zs_stat_root);
	/* the "classes" file: see zs_stats_size_show() */
}

static void zs_pool_stat_destroy(struct zs_pool *pool)
{
	debugfs_remove_recursive(pool->stat_dentry);
}

/*
 * The fullness group of @zspage (reference 1.4). The "+ 1" keeps a zspage
 * with a few objects of many out of group 0, which means "empty".
 */
static int get_fullness_group(struct size_class *class_, struct zspage *zspage)
{
	int inuse, objs_per_zspage, ratio;

	inuse = get_zspage_inuse(zspage);
	objs_per_zspage = class_->objs_per_zspage;

	if (inuse == 0)
		return ZS_INUSE_RATIO_0;
	if (inuse == objs_per_zspage)
		return ZS_INUSE_RATIO_100;

	ratio = 100 * inuse / objs_per_zspage;
	return ratio / 10 + 1;
}

/* Adds @zspage to the list of @fullness (reference 3, insert_zspage). */
static void insert_zspage(struct size_class *class_,
				struct zspage *zspage,
				int fullness)
{
	class_stat_add(class_, fullness, 1);
	list_add(&zspage->list, &class_->fullness_list[fullness]);
	zspage->fullness = fullness;
}

/* Takes @zspage off its list; zspage->fullness keeps the old group. */
static void remove_zspage(struct size_class *class_, struct zspage *zspage)
{
	int fullness = zspage->fullness;

	VM_BUG_ON(list_empty(&class_->fullness_list[fullness]));

	list_del_init(&zspage->list);
	class_stat_sub(class_, fullness, 1);
}

/*
 * Moves @zspage to the list its inuse count now calls for, after an object
 * was allocated or freed. Returns the new group.
 */
static int fix_fullness_group(struct size_class *class_, struct zspage *zspage)
{
	int newfg;

	newfg = get_fullness_group(class_, zspage);
	if (newfg == zspage->fullness)
		goto out;

	remove_zspage(class_, zspage);
	insert_zspage(class_, zspage, newfg);
out:
	return newfg;
}

static struct zspage *get_zspage(struct zpdesc *zpdesc)
{
	struct zspage *zspage = zpdesc->zspage;

	BUG_ON(zspage->magic != ZSPAGE_MAGIC);
	return zspage;
}

static struct zpdesc *get_next_zpdesc(struct zpdesc *zpdesc)
{
	struct zspage *zspage = get_zspage(zpdesc);

	/* a huge zspage keeps its handle where other pages keep next */
	if (unlikely(ZsHugePage(zspage)))
		return NULL;

	return zpdesc->next;
}

/*
 * obj_to_location(), obj_to_zpdesc(), location_to_obj() and handle_to_obj()
 * are the variant's: zs_obj.h.
 */

/*
 * True if the slot at @obj (in @zpdesc) holds an allocated object; its handle
 * goes to *@phandle (reference 1.5, obj_allocated).
 */
static inline bool obj_allocated(struct zpdesc *zpdesc, void *obj,
				 unsigned long *phandle)
{
	unsigned long handle;
	struct zspage *zspage = get_zspage(zpdesc);

	if (unlikely(ZsHugePage(zspage))) {
		VM_BUG_ON_PAGE(!is_first_zpdesc(zpdesc), zpdesc_page(zpdesc));
		handle = zpdesc->handle;
	} else
		handle = *(unsigned long *)obj;

	if (!(handle & OBJ_ALLOCATED_TAG))
		return false;

	*phandle = handle & ~OBJ_TAG_MASK;
	return true;
}

/*
 * zsfuzz probe, no kernel counterpart: counts on the current task the pages
 * of empty zspages it releases, for the oracle's check that compaction
 * returns exactly the pages it freed or left to the deferred free
 * (oracle/model.h, compact.pages_released). Every variant's free of an empty
 * zspage detaches each page with reset_zpdesc(), and every caller of
 * trylock_zspage() hands the zspage to the deferred free when it fails; both
 * count here. Migration also resets the page it moved away from, inside the
 * migration core's migrate_page callback: that page is not released (its
 * zspage lives on), so it does not count. What the deferred worker frees
 * later counts on the worker's task.
 */
static void zsfuzz_pages_released(const struct page *page, unsigned long nr)
{
	struct task_struct *task = get_current();

	if (page != task->migrating_page)
		task->pages_released += nr;
}

static void reset_zpdesc(struct zpdesc *zpdesc)
{
	struct page *page = zpdesc_page(zpdesc);

	ClearPagePrivate(page);
	zpdesc->zspage = NULL;
	zpdesc->next = NULL;
	/* PageZsmalloc stays until the buddy allocator takes the page back. */
	zsfuzz_pages_released(page, 1);
}

/*
 * Trylocks every page of @zspage, first to last; on a failure unlocks the
 * ones taken and returns 0 (reference 3, trylock_zspage).
 */
static int trylock_zspage(struct zspage *zspage)
{
	struct zpdesc *cursor, *fail;

	for (cursor = get_first_zpdesc(zspage); cursor != NULL; cursor =
					get_next_zpdesc(cursor)) {
		if (!zpdesc_trylock(cursor)) {
			fail = cursor;
			goto unlock;
		}
	}

	return 1;
unlock:
	for (cursor = get_first_zpdesc(zspage); cursor != fail; cursor =
					get_next_zpdesc(cursor))
		zpdesc_unlock(cursor);

	/* zsfuzz probe: the caller leaves the zspage to the deferred free */
	for (cursor = get_first_zpdesc(zspage); cursor != NULL; cursor =
					get_next_zpdesc(cursor))
		zsfuzz_pages_released(zpdesc_page(cursor), 1);

	return 0;
}

/* __free_zspage(), free_zspage() and their helpers: the variant's. */
#include "zs_free_zspage.inc"

/*
 * Writes the first_obj_offset of every page and threads all objects onto the
 * free list, in order (reference 3, init_zspage).
 */
static void init_zspage(struct size_class *class_, struct zspage *zspage)
{
	unsigned int freeobj = 1;
	unsigned long off = 0;
	struct zpdesc *zpdesc = get_first_zpdesc(zspage);

	while (zpdesc) {
		struct zpdesc *next_zpdesc;
		struct link_free *link;
		void *vaddr;

		set_first_obj_offset(zpdesc, off);

		vaddr = kmap_local_zpdesc(zpdesc);
		link = (struct link_free *)vaddr + off / sizeof(*link);

		while ((off += class_->size) < PAGE_SIZE) {
			link->next = freeobj++ << OBJ_TAG_BITS;
			link += class_->size / sizeof(*link);
		}

		/*
		 * The last object starting in this page links to the first
		 * object of the next page, or ends the list.
		 */
		next_zpdesc = get_next_zpdesc(zpdesc);
		if (next_zpdesc) {
			link->next = freeobj++ << OBJ_TAG_BITS;
		} else {
			/* the end marker, with the allocated tag clear */
			link->next = -1UL << OBJ_TAG_BITS;
		}
		kunmap_local(vaddr);
		zpdesc = next_zpdesc;
		off %= PAGE_SIZE;
	}

	set_freeobj(zspage, 0);
}

/*
 * Links @zpdescs into @zspage: each page points at the zspage, the pages are
 * chained through next, and PG_private marks the first (reference 3,
 * create_page_chain). replace_sub_page() calls it again on migration.
 */
static void create_page_chain(struct size_class *class_, struct zspage *zspage,
				struct zpdesc *zpdescs[])
{
	int i;
	struct zpdesc *zpdesc;
	struct zpdesc *prev_zpdesc = NULL;
	int nr_zpdescs = class_->pages_per_zspage;

	for (i = 0; i < nr_zpdescs; i++) {
		zpdesc = zpdescs[i];
		/*
		 * Custom: the pointer is written only when it changes. When
		 * migration rebuilds the chain (replace_sub_page()), upstream
		 * rewrites the same value into the sibling pages, whose own
		 * isolation or migration may be reading it under only their page
		 * lock (zs_page_isolate(), zs_page_migrate()): a benign race on
		 * an unchanged value, which here would need a data_race() on one
		 * side. Only the new page's pointer changes, and nobody else can
		 * reach that page yet.
		 */
		if (zpdesc->zspage != zspage)
			zpdesc->zspage = zspage;
		zpdesc->next = NULL;
		if (i == 0) {
			zspage->first_zpdesc = zpdesc;
			zpdesc_set_first(zpdesc);
			if (unlikely(class_->objs_per_zspage == 1 &&
					class_->pages_per_zspage == 1))
				SetZsHugePage(zspage);
		} else {
			prev_zpdesc->next = zpdesc;
		}
		prev_zpdesc = zpdesc;
	}
}

/*
 * A new zspage for @class_, built with no zsmalloc lock held (reference 3,
 * alloc_zspage).
 */
static struct zspage *alloc_zspage(struct zs_pool *pool,
				   struct size_class *class_,
				   gfp_t gfp, const int nid)
{
	int i;
	struct zpdesc *zpdescs[ZS_CHAIN_SIZE_MAX];
	struct zspage *zspage = cache_alloc_zspage(gfp);

	ZS_PATH_IF(!zspage, ZS_PATH_ALLOC_ZSPAGE_STRUCT_FAIL);	/* instrumentation */
	if (!zspage)
		return NULL;

	if (!IS_ENABLED(CONFIG_COMPACTION))
		gfp &= ~__GFP_MOVABLE;

	zspage->magic = ZSPAGE_MAGIC;
	zspage->pool = pool;
	zspage->class_ = class_->index;
	zspage_lock_init(zspage);

	for (i = 0; i < class_->pages_per_zspage; i++) {
		struct zpdesc *zpdesc;

		zpdesc = alloc_zpdesc(gfp, nid);
		if (!zpdesc) {
			ZS_PATH(i ? ZS_PATH_ALLOC_ZSPAGE_LATER_PAGE_FAIL : ZS_PATH_ALLOC_ZSPAGE_FIRST_PAGE_FAIL);	/* instrumentation */
			while (--i >= 0) {
				zpdesc_dec_zone_page_state(zpdescs[i]);
				free_zpdesc(zpdescs[i]);
			}
			cache_free_zspage(zspage);
			return NULL;
		}
		__zpdesc_set_zsmalloc(zpdesc);

		zpdesc_inc_zone_page_state(zpdesc);
		zpdescs[i] = zpdesc;
	}

	create_page_chain(class_, zspage, zpdescs);
	init_zspage(class_, zspage);

	return zspage;
}

/*
 * The fullest zspage that still has a free object, scanning RATIO_99 down to
 * RATIO_0 (reference 3, zs_malloc step 4).
 */
static struct zspage *find_get_zspage(struct size_class *class_)
{
	int i;
	struct zspage *zspage;

	for (i = ZS_INUSE_RATIO_99; i >= ZS_INUSE_RATIO_0; i--) {
		zspage = list_first_entry_or_null(&class_->fullness_list[i],
						  struct zspage, list);
		if (zspage)
			break;
	}

	return zspage;
}

static bool can_merge(struct size_class *prev, int pages_per_zspage,
					int objs_per_zspage)
{
	if (prev->pages_per_zspage == pages_per_zspage &&
		prev->objs_per_zspage == objs_per_zspage)
		return true;

	return false;
}

static bool zspage_full(struct size_class *class_, struct zspage *zspage)
{
	return get_zspage_inuse(zspage) == class_->objs_per_zspage;
}

static bool zspage_empty(struct zspage *zspage)
{
	return get_zspage_inuse(zspage) == 0;
}

/*
 * zs_lookup_class_index() - the canonical index of the size class that holds
 * objects of @size bytes. @size is used as given: ZS_HANDLE_SIZE is not
 * added (reference 3, Stats and queries). Any context.
 */
unsigned int zs_lookup_class_index(struct zs_pool *pool, unsigned int size)
{
	struct size_class *class_;

	class_ = pool->size_class[get_size_class_index(size)];

	return class_->index;
}

unsigned long zs_get_total_pages(struct zs_pool *pool)
{
	return atomic_long_read(&pool->pages_allocated);
}

/*
 * Object access (reference 3, Object access): pool->lock (read) pins the
 * handle -> zspage resolution against migration just long enough to take the
 * zspage read lock, which then keeps the object in place until the matching
 * end call.
 */
void *zs_obj_read_begin(struct zs_pool *pool, unsigned long handle,
			size_t mem_len, void *local_copy)
{
	struct zspage *zspage;
	struct zpdesc *zpdesc;
	unsigned long obj, off;
	unsigned int obj_idx;
	struct size_class *class_;
	void *addr;

	read_lock(&pool->lock);
	obj = handle_to_obj(handle);
	obj_to_location(obj, &zpdesc, &obj_idx);
	zspage = get_zspage(zpdesc);

	zspage_read_lock(zspage);
	read_unlock(&pool->lock);

	class_ = zspage_class(pool, zspage);
	off = offset_in_page(class_->size * obj_idx);

	if (!ZsHugePage(zspage))
		off += ZS_HANDLE_SIZE;

	if (off + mem_len <= PAGE_SIZE) {
		/* the object lies in one page: map it in place */
		addr = kmap_local_zpdesc(zpdesc);
		addr = (char *)addr + off;
	} else {
		size_t sizes[2];

		/* the object spans two pages: copy both parts */
		sizes[0] = PAGE_SIZE - off;
		sizes[1] = mem_len - sizes[0];
		addr = local_copy;

		memcpy_from_page((char *)addr, zpdesc_page(zpdesc),
				 off, sizes[0]);
		zpdesc = get_next_zpdesc(zpdesc);
		memcpy_from_page((char *)addr + sizes[0],
				 zpdesc_page(zpdesc),
				 0, sizes[1]);
	}

	return addr;
}

void zs_obj_read_end(struct zs_pool *pool, unsigned long handle,
		     size_t mem_len, void *handle_mem)
{
	struct zspage *zspage;
	struct zpdesc *zpdesc;
	unsigned long obj, off;
	unsigned int obj_idx;
	struct size_class *class_;

	/* the zspage read lock taken by begin keeps obj stable */
	obj = handle_to_obj(handle);
	obj_to_location(obj, &zpdesc, &obj_idx);
	zspage = get_zspage(zpdesc);
	class_ = zspage_class(pool, zspage);
	off = offset_in_page(class_->size * obj_idx);

	if (!ZsHugePage(zspage))
		off += ZS_HANDLE_SIZE;

	if (off + mem_len <= PAGE_SIZE) {
		handle_mem = (char *)handle_mem - off;
		kunmap_local(handle_mem);
	}

	zspage_read_unlock(zspage);
}

void zs_obj_read_sg_begin(struct zs_pool *pool, unsigned long handle,
			  struct scatterlist *sg, size_t mem_len)
{
	struct zspage *zspage;
	struct zpdesc *zpdesc;
	unsigned long obj, off;
	unsigned int obj_idx;
	struct size_class *class_;

	read_lock(&pool->lock);
	obj = handle_to_obj(handle);
	obj_to_location(obj, &zpdesc, &obj_idx);
	zspage = get_zspage(zpdesc);

	zspage_read_lock(zspage);
	read_unlock(&pool->lock);

	class_ = zspage_class(pool, zspage);
	off = offset_in_page(class_->size * obj_idx);

	if (!ZsHugePage(zspage))
		off += ZS_HANDLE_SIZE;

	if (off + mem_len <= PAGE_SIZE) {
		/* one entry for an object inside one page */
		sg_init_table(sg, 1);
		sg_set_page(sg, zpdesc_page(zpdesc), mem_len, off);
	} else {
		size_t sizes[2];

		/* two entries for an object that spans two pages */
		sizes[0] = PAGE_SIZE - off;
		sizes[1] = mem_len - sizes[0];

		sg_init_table(sg, 2);
		sg_set_page(sg, zpdesc_page(zpdesc), sizes[0], off);

		zpdesc = get_next_zpdesc(zpdesc);
		sg = sg_next(sg);

		sg_set_page(sg, zpdesc_page(zpdesc), sizes[1], 0);
	}
}

void zs_obj_read_sg_end(struct zs_pool *pool, unsigned long handle)
{
	struct zspage *zspage;
	struct zpdesc *zpdesc;
	unsigned long obj;
	unsigned int obj_idx;

	obj = handle_to_obj(handle);
	obj_to_location(obj, &zpdesc, &obj_idx);
	zspage = get_zspage(zpdesc);

	zspage_read_unlock(zspage);
}

/*
 * Writing object bytes takes the zspage lock for reading: its write side
 * means "objects are being moved", not "object bytes change".
 */
void zs_obj_write(struct zs_pool *pool, unsigned long handle,
		  void *handle_mem, size_t mem_len)
{
	struct zspage *zspage;
	struct zpdesc *zpdesc;
	unsigned long obj, off;
	unsigned int obj_idx;
	struct size_class *class_;

	read_lock(&pool->lock);
	obj = handle_to_obj(handle);
	obj_to_location(obj, &zpdesc, &obj_idx);
	zspage = get_zspage(zpdesc);

	zspage_read_lock(zspage);
	read_unlock(&pool->lock);

	class_ = zspage_class(pool, zspage);
	off = offset_in_page(class_->size * obj_idx);

	if (!ZsHugePage(zspage))
		off += ZS_HANDLE_SIZE;

	if (off + mem_len <= PAGE_SIZE) {
		void *dst = kmap_local_zpdesc(zpdesc);

		memcpy((char *)dst + off, handle_mem, mem_len);
		kunmap_local(dst);
	} else {
		size_t sizes[2];

		sizes[0] = PAGE_SIZE - off;
		sizes[1] = mem_len - sizes[0];

		memcpy_to_page(zpdesc_page(zpdesc), off,
			       (const char *)handle_mem, sizes[0]);
		zpdesc = get_next_zpdesc(zpdesc);
		memcpy_to_page(zpdesc_page(zpdesc), 0,
			       (const char *)handle_mem + sizes[0], sizes[1]);
	}

	zspage_read_unlock(zspage);
}

/*
 * zs_huge_class_size() - objects of this size or larger go to a huge class,
 * one object per page (reference 1.3). @pool is not used: the value is
 * global (per variant here). Any context.
 */
size_t zs_huge_class_size(struct zs_pool *pool)
{
	return huge_class_size;
}

/* obj_malloc(): the variant's. */
#include "zs_obj_malloc.inc"

/* zs_malloc(): every variant takes the base tree's, from its own file. */
#include "zs_malloc.inc"

/*
 * Puts the object @obj back on its zspage's free list (reference 3,
 * obj_free). Caller holds class->lock.
 */
static void obj_free(int class_size, unsigned long obj)
{
	struct link_free *link;
	struct zspage *zspage;
	struct zpdesc *f_zpdesc;
	unsigned long f_offset;
	unsigned int f_objidx;
	void *vaddr;


	obj_to_location(obj, &f_zpdesc, &f_objidx);
	f_offset = offset_in_page(class_size * f_objidx);
	zspage = get_zspage(f_zpdesc);

	vaddr = kmap_local_zpdesc(f_zpdesc);
	link = (struct link_free *)((char *)vaddr + f_offset);

	if (likely(!ZsHugePage(zspage)))
		link->next = get_freeobj(zspage) << OBJ_TAG_BITS;
	else
		f_zpdesc->handle = 0;
	set_freeobj(zspage, f_objidx);

	kunmap_local(vaddr);
	mod_zspage_inuse(zspage, -1);
}

/* zs_free() and the class lookup it uses: the variant's. */
#include "zs_free.inc"

/*
 * Copies the object @src to @dst, both of @class_, either of which may span
 * two pages (reference 3, migrate_zspage). kmap_local mappings are released
 * in the reverse order of taking them.
 */
static void zs_obj_copy(struct size_class *class_, unsigned long dst,
				unsigned long src)
{
	struct zpdesc *s_zpdesc, *d_zpdesc;
	unsigned int s_objidx, d_objidx;
	unsigned long s_off, d_off;
	void *s_addr, *d_addr;
	int s_size, d_size, size;
	int written = 0;

	s_size = d_size = class_->size;

	obj_to_location(src, &s_zpdesc, &s_objidx);
	obj_to_location(dst, &d_zpdesc, &d_objidx);

	s_off = offset_in_page(class_->size * s_objidx);
	d_off = offset_in_page(class_->size * d_objidx);

	if (s_off + class_->size > PAGE_SIZE)
		s_size = PAGE_SIZE - s_off;

	if (d_off + class_->size > PAGE_SIZE)
		d_size = PAGE_SIZE - d_off;

	s_addr = kmap_local_zpdesc(s_zpdesc);
	d_addr = kmap_local_zpdesc(d_zpdesc);

	while (1) {
		size = std::min(s_size, d_size);
		memcpy((char *)d_addr + d_off, (char *)s_addr + s_off, size);
		written += size;

		if (written == class_->size)
			break;

		s_off += size;
		s_size -= size;
		d_off += size;
		d_size -= size;

		/* d_addr was mapped last, so it is unmapped first */
		if (s_off >= PAGE_SIZE) {
			kunmap_local(d_addr);
			kunmap_local(s_addr);
			s_zpdesc = get_next_zpdesc(s_zpdesc);
			s_addr = kmap_local_zpdesc(s_zpdesc);
			d_addr = kmap_local_zpdesc(d_zpdesc);
			s_size = class_->size - written;
			s_off = 0;
		}

		if (d_off >= PAGE_SIZE) {
			kunmap_local(d_addr);
			d_zpdesc = get_next_zpdesc(d_zpdesc);
			d_addr = kmap_local_zpdesc(d_zpdesc);
			d_size = class_->size - written;
			d_off = 0;
		}
	}

	kunmap_local(d_addr);
	kunmap_local(s_addr);
}

/*
 * Scans the objects starting in @zpdesc from index *@obj_idx for an allocated
 * one; returns its handle (0 if none) and leaves its index in *@obj_idx.
 */
static unsigned long find_alloced_obj(struct size_class *class_,
				      struct zpdesc *zpdesc,
				      unsigned int *obj_idx)
{
	unsigned int offset;
	unsigned int index = *obj_idx;
	unsigned long handle = 0;
	void *addr = kmap_local_zpdesc(zpdesc);

	offset = get_first_obj_offset(zpdesc);
	offset += class_->size * index;

	while (offset < PAGE_SIZE) {
		if (obj_allocated(zpdesc, (char *)addr + offset, &handle))
			break;

		offset += class_->size;
		index++;
	}

	kunmap_local(addr);

	*obj_idx = index;

	return handle;
}

/*
 * Moves allocated objects from @src_zspage into @dst_zspage until dst is full
 * or src is empty (reference 3, migrate_zspage). Caller holds pool->lock
 * (write), class->lock and src's zspage lock (write).
 */
static void migrate_zspage(struct zs_pool *pool, struct zspage *src_zspage,
			   struct zspage *dst_zspage)
{
	unsigned long used_obj, free_obj;
	unsigned long handle;
	unsigned int obj_idx = 0;
	struct zpdesc *s_zpdesc = get_first_zpdesc(src_zspage);
	struct size_class *class_ = pool->size_class[src_zspage->class_];

	while (1) {
		handle = find_alloced_obj(class_, s_zpdesc, &obj_idx);
		if (!handle) {
			s_zpdesc = get_next_zpdesc(s_zpdesc);
			if (!s_zpdesc)
				break;
			obj_idx = 0;
			continue;
		}

		used_obj = handle_to_obj(handle);
		free_obj = obj_malloc(pool, dst_zspage, handle);
		zs_obj_copy(class_, free_obj, used_obj);
		obj_idx++;
		obj_free(class_->size, used_obj);

		if (zspage_full(class_, dst_zspage))
			break;

		if (zspage_empty(src_zspage))
			break;
	}
}

/*
 * Compaction "isolates" a zspage by taking it off its fullness list; this is
 * not page isolation. The source is the emptiest, the destination the
 * fullest, of the partly used zspages (reference 3, __zs_compact).
 */
static struct zspage *isolate_src_zspage(struct size_class *class_)
{
	struct zspage *zspage;
	int fg;

	for (fg = ZS_INUSE_RATIO_10; fg <= ZS_INUSE_RATIO_99; fg++) {
		zspage = list_first_entry_or_null(&class_->fullness_list[fg],
						  struct zspage, list);
		if (zspage) {
			remove_zspage(class_, zspage);
			return zspage;
		}
	}

	return zspage;
}

static struct zspage *isolate_dst_zspage(struct size_class *class_)
{
	struct zspage *zspage;
	int fg;

	for (fg = ZS_INUSE_RATIO_99; fg >= ZS_INUSE_RATIO_10; fg--) {
		zspage = list_first_entry_or_null(&class_->fullness_list[fg],
						  struct zspage, list);
		if (zspage) {
			remove_zspage(class_, zspage);
			return zspage;
		}
	}

	return zspage;
}

/* Re-lists @zspage by its current fullness, which it returns. */
static int putback_zspage(struct size_class *class_, struct zspage *zspage)
{
	int fullness;

	fullness = get_fullness_group(class_, zspage);
	insert_zspage(class_, zspage, fullness);

	return fullness;
}

#include "zs_lock_zspage.inc"

/* CONFIG_COMPACTION: page migration (reference 3, Page migration) */

static void replace_sub_page(struct size_class *class_, struct zspage *zspage,
				struct zpdesc *newzpdesc, struct zpdesc *oldzpdesc)
{
	struct zpdesc *zpdesc;
	struct zpdesc *zpdescs[ZS_CHAIN_SIZE_MAX] = {NULL, };
	unsigned int first_obj_offset;
	int idx = 0;

	zpdesc = get_first_zpdesc(zspage);
	do {
		if (zpdesc == oldzpdesc)
			zpdescs[idx] = newzpdesc;
		else
			zpdescs[idx] = zpdesc;
		idx++;
	} while ((zpdesc = get_next_zpdesc(zpdesc)) != NULL);

	create_page_chain(class_, zspage, zpdescs);
	first_obj_offset = get_first_obj_offset(oldzpdesc);
	set_first_obj_offset(newzpdesc, first_obj_offset);
	if (unlikely(ZsHugePage(zspage)))
		newzpdesc->handle = oldzpdesc->handle;
	__zpdesc_set_movable(newzpdesc, &zsmalloc_mops);
}

static bool zs_page_isolate(struct page *page, isolate_mode_t mode)
{
	/*
	 * The caller holds the page lock, so a free cannot tear the zspage
	 * down under us (it needs every page lock); a page that a free already
	 * detached (reset_zpdesc()) is refused.
	 */
	return page_zpdesc(page)->zspage;
}

/* zs_page_migrate(): the variant's. */
#include "zs_page_migrate.inc"

static void zs_page_putback(struct page *page)
{
}

const struct movable_operations zsmalloc_mops = {
	.isolate_page = zs_page_isolate,
	.migrate_page = zs_page_migrate,
	.putback_page = zs_page_putback,
};

#include "zs_async_free.inc"

static void kick_deferred_free(struct zs_pool *pool)
{
	ZS_PATH(ZS_PATH_KICK_DEFERRED_FREE);	/* instrumentation */
	schedule_work(&pool->free_work);
}

static void zs_flush_migration(struct zs_pool *pool)
{
	flush_work(&pool->free_work);
}

static void init_deferred_free(struct zs_pool *pool)
{
	INIT_WORK(&pool->free_work, async_free_zspage);
}

/*
 * Makes every page of a new zspage movable. Nobody else can see the zspage
 * yet, so the trylocks cannot fail.
 */
static void SetZsPageMovable(struct zs_pool *pool, struct zspage *zspage)
{
	struct zpdesc *zpdesc = get_first_zpdesc(zspage);

	do {
		WARN_ON(!zpdesc_trylock(zpdesc));
		__zpdesc_set_movable(zpdesc, &zsmalloc_mops);
		zpdesc_unlock(zpdesc);
	} while ((zpdesc = get_next_zpdesc(zpdesc)) != NULL);
}

#include "zs_compact.inc"

/* A snapshot of the atomic counter, where the kernel memcpy()s the struct. */
void zs_pool_stats(struct zs_pool *pool, ::zs_pool_stats *stats)
{
	stats->pages_compacted = atomic_long_read(&pool->stats.pages_compacted);
}

#include "zs_shrinker.inc"

static void zs_unregister_shrinker(struct zs_pool *pool)
{
	shrinker_free(pool->shrinker);
}

static int zs_register_shrinker(struct zs_pool *pool)
{
	pool->shrinker = shrinker_alloc(0, "mm-zspool:%s", pool->name);
	if (!pool->shrinker)
		return -ENOMEM;

	pool->shrinker->scan_objects = zs_shrinker_scan;
	pool->shrinker->count_objects = zs_shrinker_count;
	pool->shrinker->batch = 0;
	pool->shrinker->private_data = pool;

	shrinker_register(pool->shrinker);

	return 0;
}

/*
 * Pages per zspage for @class_size: the chain length up to
 * ZS_MAX_PAGES_PER_ZSPAGE that wastes least, the shorter one on a tie
 * (reference 1.1).
 */
static int calculate_zspage_chain_size(int class_size)
{
	int i, min_waste = INT_MAX;
	int chain_size = 1;

	if (is_power_of_2(class_size))
		return chain_size;

	for (i = 1; i <= ZS_MAX_PAGES_PER_ZSPAGE; i++) {
		int waste;

		waste = (i * PAGE_SIZE) % class_size;
		if (waste < min_waste) {
			min_waste = waste;
			chain_size = i;
		}
	}

	return chain_size;
}

/*
 * zs_create_pool - a new pool named @name, or NULL (reference 3, Pool
 * lifetime). The memcg arguments of the newest trees are left out.
 */
struct zs_pool *zs_create_pool(const char *name)
{
	int i;
	struct zs_pool *pool;
	struct size_class *prev_class = NULL;

	pool = kzalloc_obj(*pool);
	if (!pool)
		return NULL;

	init_deferred_free(pool);
	rwlock_init(&pool->lock);
	atomic_set(&pool->compaction_in_progress, 0);

	pool->name = kstrdup(name, GFP_KERNEL);
	if (!pool->name)
		goto err;

	/*
	 * Largest class first, so that a class can be merged into the larger
	 * one just built (reference 1.2).
	 */
	for (i = ZS_SIZE_CLASSES - 1; i >= 0; i--) {
		int size;
		int pages_per_zspage;
		int objs_per_zspage;
		struct size_class *class_;
		int fullness;

		size = ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA;
		if (size > ZS_MAX_ALLOC_SIZE)
			size = ZS_MAX_ALLOC_SIZE;
		pages_per_zspage = calculate_zspage_chain_size(size);
		objs_per_zspage = pages_per_zspage * PAGE_SIZE / size;

		/*
		 * The first class (from the top) that is not one object in
		 * one page sets huge_class_size; ZS_HANDLE_SIZE - 1 comes off
		 * because zs_malloc() adds the handle before the lookup
		 * (reference 1.3).
		 */
		if (pages_per_zspage != 1 && objs_per_zspage != 1 &&
				!huge_class_size) {
			huge_class_size = size;
			huge_class_size -= (ZS_HANDLE_SIZE - 1);
		}

		/* share the previous class if it has the same geometry */
		if (prev_class) {
			if (can_merge(prev_class, pages_per_zspage, objs_per_zspage)) {
				pool->size_class[i] = prev_class;
				continue;
			}
		}

		class_ = kzalloc_obj(struct size_class);
		if (!class_)
			goto err;

		class_->size = size;
		class_->index = i;
		class_->pages_per_zspage = pages_per_zspage;
		class_->objs_per_zspage = objs_per_zspage;
		spin_lock_init(&class_->lock);
		pool->size_class[i] = class_;

		fullness = ZS_INUSE_RATIO_0;
		while (fullness < NR_FULLNESS_GROUPS) {
			INIT_LIST_HEAD(&class_->fullness_list[fullness]);
			fullness++;
		}

		prev_class = class_;
	}

	/* debugfs is optional: failures are ignored */
	zs_pool_stat_create(pool, name);

	/*
	 * The shrinker only triggers compaction, which can also be run by
	 * hand, so a pool without one still works: the result is ignored.
	 */
	zs_register_shrinker(pool);

	return pool;

err:
	zs_destroy_pool(pool);
	return NULL;
}

#include "zs_destroy_pool.inc"

static void zs_destroy_caches(void)
{
	kmem_cache_destroy(handle_cachep);
	handle_cachep = NULL;
	kmem_cache_destroy(zspage_cachep);
	zspage_cachep = NULL;
}

static int zs_init_caches(void)
{
	handle_cachep = kmem_cache_create("zs_handle", ZS_HANDLE_SIZE,
					  0, 0, NULL);
	zspage_cachep = kmem_cache_create("zspage", sizeof(struct zspage),
					  0, 0, NULL);

	if (!handle_cachep || !zspage_cachep) {
		zs_destroy_caches();
		return -ENOMEM;
	}
	return 0;
}

/*
 * Module init, run by the first zs_variant_create_pool() of this variant.
 * There is no set_movable_ops(): the ops go on each page
 * (__zpdesc_set_movable()), see zpdesc.h. There is no zs_exit(): a module
 * stays loaded for the life of the process.
 */
static int zs_init(void)
{
	int rc;

	rc = zs_init_caches();
	if (rc)
		return rc;

	zs_stat_init();
	return 0;
}

/* The variant's entry points: the zs_variant_ops table and its adapters. */
#include "allocator/zsmalloc/zs_variant_ops.inc"

}  // namespace ZS_VARIANT_NS
