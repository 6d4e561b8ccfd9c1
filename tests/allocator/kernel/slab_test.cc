// kmem_cache and kmalloc: round trips, POISON_FREE and the quarantine, double free and leak BUGs, fault
// injection.
#include <cstdint>
#include <cstring>
#include <vector>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::kAsan;
using kernel_test::kthread;

class SlabTest : public kernel_test::KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    cache_ = kmem_cache_create("test_cache", 40, 0, 0, nullptr);
    ASSERT_NE(cache_, nullptr);
  }
  void TearDown() override {
    kmem_cache_destroy(cache_);
    KernelTest::TearDown();
  }
  kmem_cache* cache_ = nullptr;
};

bool all_bytes(const void* obj, size_t size, unsigned char value) {
  const auto* b = static_cast<const unsigned char*>(obj);
  for (size_t i = 0; i < size; i++)
    if (b[i] != value) return false;
  return true;
}

TEST_F(SlabTest, AllocFreeRoundTrip) {
  void* a = kmem_cache_alloc(cache_, GFP_KERNEL);
  void* b = kmem_cache_zalloc(cache_, GFP_KERNEL);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(kmem_cache_nr_active(cache_), 2u);
  EXPECT_TRUE(all_bytes(b, 40, 0));
  EXPECT_TRUE(all_bytes(a, 40, POISON_FREE)) << "contents never depend on malloc's history";
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 8, 0u);
  std::memset(a, 1, 40);
  kmem_cache_free(cache_, a);
  kmem_cache_free(cache_, b);
  kmem_cache_free(cache_, nullptr);
  EXPECT_EQ(kmem_cache_nr_active(cache_), 0u);
}

TEST_F(SlabTest, AlignmentAndConstructor) {
  static int ctor_calls;
  ctor_calls = 0;
  kmem_cache* aligned = kmem_cache_create("aligned", 100, 256, 0, [](void* obj) {
    ctor_calls++;
    std::memset(obj, 0x42, 100);
  });
  std::vector<void*> objs;
  for (int i = 0; i < 8; i++) {
    objs.push_back(kmem_cache_alloc(aligned, GFP_KERNEL));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(objs.back()) % 256, 0u);
    EXPECT_TRUE(all_bytes(objs.back(), 100, 0x42));
  }
  EXPECT_EQ(ctor_calls, 8);
  for (void* obj : objs) kmem_cache_free(aligned, obj);
  kmem_cache_destroy(aligned);
}

TEST_F(SlabTest, FreedObjectIsPoisoned) {
  auto* obj = static_cast<volatile unsigned char*>(kmem_cache_alloc(cache_, GFP_KERNEL));
  std::memset(const_cast<unsigned char*>(obj), 0x33, 40);
  kmem_cache_free(cache_, const_cast<unsigned char*>(obj));
  if (kAsan) {
    EXPECT_DEATH(obj[3] = 0, "use-after-poison");
  } else {
    EXPECT_TRUE(all_bytes(const_cast<unsigned char*>(obj), 40, POISON_FREE));
  }
}

TEST_F(SlabTest, FreedObjectIsNotReusedImmediately) {
  void* freed = kmem_cache_alloc(cache_, GFP_KERNEL);
  kmem_cache_free(cache_, freed);
  // malloc would hand the most recently freed chunk straight back; the
  // quarantine keeps `freed` out of reach for the next 255 frees.
  for (size_t i = 0; i + 1 < SLAB_QUARANTINE_OBJECTS; i++) {
    void* obj = kmem_cache_alloc(cache_, GFP_KERNEL);
    EXPECT_NE(obj, freed) << "handed out again after " << i << " alloc/free pairs";
    kmem_cache_free(cache_, obj);
  }
}

TEST_F(SlabTest, QuarantineEvictsOldestAndDestroyDrains) {
  // More frees than the quarantine holds: the oldest go back to malloc (LSan
  // in the asan preset checks nothing leaks, ASan that nothing is freed twice).
  std::vector<void*> objs;
  objs.reserve(3 * SLAB_QUARANTINE_OBJECTS);
  for (size_t i = 0; i < 3 * SLAB_QUARANTINE_OBJECTS; i++)
    objs.push_back(kmem_cache_alloc(cache_, GFP_KERNEL));
  for (void* obj : objs) kmem_cache_free(cache_, obj);
  EXPECT_EQ(kmem_cache_nr_active(cache_), 0u);
  // An object freed long ago may be reused; the ones still quarantined may not.
  void* fresh = kmem_cache_alloc(cache_, GFP_KERNEL);
  for (size_t i = objs.size() - SLAB_QUARANTINE_OBJECTS; i < objs.size(); i++) EXPECT_NE(fresh, objs[i]);
  kmem_cache_free(cache_, fresh);
}

TEST_F(SlabTest, DoubleFreeIsABug) {
  void* obj = kmem_cache_alloc(cache_, GFP_KERNEL);
  kmem_cache_free(cache_, obj);
  EXPECT_DEATH(kmem_cache_free(cache_, obj), "BUG: kmem_cache_free: double free.*cache: test_cache");
}

TEST_F(SlabTest, DestroyWithLiveObjectsIsABug) {
  kmem_cache* other = kmem_cache_create("leaky", 16, 0, 0, nullptr);
  void* obj = kmem_cache_alloc(other, GFP_KERNEL);
  EXPECT_DEATH(kmem_cache_destroy(other), "BUG: kmem_cache_destroy: Slab cache still has objects.*leaky");
  kmem_cache_free(other, obj);
  kmem_cache_destroy(other);
}

TEST_F(SlabTest, ConcurrentAllocFree) {
  auto worker = [this] {
    std::vector<void*> objs;
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 20; i++) objs.push_back(kmem_cache_alloc(cache_, GFP_KERNEL));
      for (void* obj : objs) kmem_cache_free(cache_, obj);
      objs.clear();
    }
  };
  {
    kthread a(worker), b(worker), c(worker);
  }
  EXPECT_EQ(kmem_cache_nr_active(cache_), 0u);
}

TEST_F(SlabTest, FaultInjectionFailsNThenRecovers) {
  fault_inject_slab_alloc(2);
  EXPECT_EQ(fault_inject_slab_alloc_pending(), 2);
  EXPECT_EQ(kmem_cache_alloc(cache_, GFP_KERNEL), nullptr);
  EXPECT_EQ(kmalloc(8, GFP_KERNEL), nullptr);
  EXPECT_EQ(fault_inject_slab_alloc_pending(), 0);
  EXPECT_EQ(kmem_cache_nr_active(cache_), 0u);
  void* obj = kmem_cache_alloc(cache_, GFP_KERNEL);
  EXPECT_NE(obj, nullptr);
  kmem_cache_free(cache_, obj);
}

TEST_F(SlabTest, FaultInjectionCoversEveryAllocator) {
  fault_inject_slab_alloc(-1);
  EXPECT_EQ(kmem_cache_alloc(cache_, GFP_KERNEL), nullptr);
  EXPECT_EQ(kmem_cache_zalloc(cache_, GFP_KERNEL), nullptr);
  EXPECT_EQ(kmalloc(8, GFP_KERNEL), nullptr);
  EXPECT_EQ(kzalloc(8, GFP_KERNEL), nullptr);
  EXPECT_EQ(kstrdup("x", GFP_KERNEL), nullptr);
  EXPECT_EQ(kmem_cache_create("never", 8, 0, 0, nullptr), nullptr);
  EXPECT_EQ(shrinker_alloc(0, "never"), nullptr);
  page* p = alloc_page(GFP_KERNEL);
  EXPECT_NE(p, nullptr) << "page allocations are injected separately";
  fault_inject_slab_alloc(0);
  if (p) __free_page(p);
}

TEST_F(SlabTest, FaultInjectionAfterSkip) {
  fault_inject_slab_alloc_after(1, 2);
  void* ok = kmalloc(8, GFP_KERNEL);
  EXPECT_NE(ok, nullptr);
  EXPECT_EQ(kmalloc(8, GFP_KERNEL), nullptr);
  EXPECT_EQ(kmalloc(8, GFP_KERNEL), nullptr);
  void* again = kmalloc(8, GFP_KERNEL);
  EXPECT_NE(again, nullptr);
  kfree(ok);
  kfree(again);
}

TEST_F(SlabTest, KmallocFamily) {
  auto* z = static_cast<unsigned char*>(kzalloc(64, GFP_KERNEL));
  EXPECT_TRUE(all_bytes(z, 64, 0));
  kfree(z);
  char* s = kstrdup("zsmalloc", GFP_KERNEL);
  EXPECT_STREQ(s, "zsmalloc");
  kfree(s);
  EXPECT_EQ(kstrdup(nullptr, GFP_KERNEL), nullptr);
  kfree(nullptr);
}

TEST_F(SlabTest, BlockingAllocationInAtomicContextIsABug) {
  spinlock_t lock;
  spin_lock_init(&lock);
  spin_lock(&lock);
  void* obj = kmem_cache_alloc(cache_, GFP_ATOMIC);
  spin_unlock(&lock);
  kmem_cache_free(cache_, obj);
  EXPECT_DEATH(
      {
        spin_lock(&lock);
        kmem_cache_alloc(cache_, GFP_KERNEL);
      },
      "sleeping function called from invalid context");
}

}  // namespace
