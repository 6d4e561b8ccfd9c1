// ClassList (oracle/exec/class_list.h): copies share runs of entries, a write
// gives the writer its own run and leaves every other list as it was, and
// SharesEntry says which entries two lists still share.
#include "oracle/exec/class_list.h"

#include <gtest/gtest.h>

namespace zsfuzz_test {
namespace {

using zsfuzz::ClassList;

zs_class_info Info(unsigned int index, unsigned long used) {
  zs_class_info c{};
  c.index = index;
  c.size = 32 + 16 * index;
  c.stats[13] = used;
  return c;
}

// A list of n classes, entry k with index k and obj_used k.
ClassList ListOf(size_t n) {
  ClassList l;
  for (size_t k = 0; k < n; k++) l.push_back(Info(static_cast<unsigned int>(k), k));
  return l;
}

TEST(ClassListTest, HoldsWhatWasPushedAcrossRuns) {
  const size_t n = 2 * ClassList::kChunk + 3;
  const ClassList l = ListOf(n);
  ASSERT_EQ(l.size(), n);
  size_t k = 0;
  for (const zs_class_info& c : l) {
    EXPECT_EQ(c.index, k);
    EXPECT_EQ(c.stats[13], k);
    k++;
  }
  EXPECT_EQ(k, n);
  EXPECT_EQ(l.back().index, n - 1);
}

TEST(ClassListTest, AWriteToACopyLeavesTheOriginalAndTheOtherRunsShared) {
  const size_t n = 3 * ClassList::kChunk;
  const ClassList a = ListOf(n);
  ClassList b = a;
  for (size_t k = 0; k < n; k++) EXPECT_TRUE(a.SharesEntry(b, k)) << k;

  const size_t written = ClassList::kChunk + 2;
  b[written].stats[13] = 1000;
  const ClassList& cb = b;  // reads through a non-const list would unshare
  EXPECT_EQ(a[written].stats[13], written);
  EXPECT_EQ(cb[written].stats[13], 1000u);
  for (size_t k = 0; k < n; k++) {
    const bool same_run = k / ClassList::kChunk == written / ClassList::kChunk;
    EXPECT_EQ(a.SharesEntry(b, k), !same_run) << k;
    if (k != written) EXPECT_EQ(a[k].stats[13], cb[k].stats[13]) << k;
  }
}

TEST(ClassListTest, PushAndPopOnACopyLeaveTheOriginal) {
  const size_t n = ClassList::kChunk + 1;
  const ClassList a = ListOf(n);
  ClassList b = a;
  b.pop_back();
  b.pop_back();
  b.push_back(Info(77, 7));
  b.push_back(Info(78, 8));
  const ClassList& cb = b;
  ASSERT_EQ(a.size(), n);
  ASSERT_EQ(cb.size(), n);
  EXPECT_EQ(a[n - 2].index, n - 2);
  EXPECT_EQ(a[n - 1].index, n - 1);
  EXPECT_EQ(cb[n - 2].index, 77u);
  EXPECT_EQ(cb[n - 1].index, 78u);
  EXPECT_FALSE(a.SharesEntry(b, n - 2));
  EXPECT_FALSE(a.SharesEntry(b, n));  // past both ends
}

}  // namespace
}  // namespace zsfuzz_test
