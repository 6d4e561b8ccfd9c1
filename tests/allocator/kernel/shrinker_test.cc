// Shrinkers (count then scan, as shrink_slab does) and the debugfs stubs.
#include <string>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;

class ShrinkerTest : public kernel_test::KernelTest {};

struct fake_cache {
  unsigned long objects = 0;
  unsigned long last_nr_to_scan = 0;
  int scans = 0;
};

unsigned long fake_count(shrinker* s, shrink_control*) {
  return static_cast<fake_cache*>(s->private_data)->objects;
}

unsigned long fake_scan(shrinker* s, shrink_control* sc) {
  auto* c = static_cast<fake_cache*>(s->private_data);
  c->scans++;
  c->last_nr_to_scan = sc->nr_to_scan;
  if (c->objects == 0) return SHRINK_STOP;
  const unsigned long freed = c->objects / 2;
  c->objects -= freed;
  return freed ? freed : SHRINK_STOP;
}

TEST_F(ShrinkerTest, CountThenScan) {
  fake_cache cache;
  shrinker* s = shrinker_alloc(0, "zspool-%s", "zram0");
  ASSERT_NE(s, nullptr);
  EXPECT_STREQ(s->name, "zspool-zram0");
  EXPECT_EQ(s->seeks, DEFAULT_SEEKS);
  s->count_objects = fake_count;
  s->scan_objects = fake_scan;
  s->private_data = &cache;
  shrinker_register(s);

  EXPECT_EQ(shrinker_run(s, GFP_KERNEL), 0u);
  EXPECT_EQ(cache.scans, 0) << "nothing to free: no scan";
  cache.objects = 10;
  EXPECT_EQ(shrinker_run(s, GFP_KERNEL), 5u);
  EXPECT_EQ(cache.last_nr_to_scan, 10u);
  cache.objects = 1;
  EXPECT_EQ(shrinker_run(s, GFP_KERNEL), SHRINK_STOP);
  shrinker_free(s);
  shrinker_free(nullptr);
}

TEST_F(ShrinkerTest, RunningAnUnregisteredShrinkerIsABug) {
  shrinker* s = shrinker_alloc(0, "unregistered");
  EXPECT_DEATH(shrinker_run(s, GFP_KERNEL), "BUG: !s->registered");
  shrinker_free(s);
}

TEST_F(ShrinkerTest, DebugfsStubs) {
  EXPECT_TRUE(debugfs_initialized());
  dentry* root = debugfs_create_dir("zsmalloc", nullptr);
  EXPECT_NE(root, nullptr);
  EXPECT_NE(debugfs_create_dir("pool", root), nullptr);
  debugfs_remove_recursive(root);
}

}  // namespace
