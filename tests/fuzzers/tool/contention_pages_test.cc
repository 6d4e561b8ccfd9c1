// The page mix of bench contention: the same sizes every time, every kind
// present, LZ4's sizes in range, and zram's rule for pages that do not
// compress enough.
#include "fuzzers/tool/contention_pages.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace zsfuzz {
namespace {

TEST(ContentionPages, TheMixIsTheSameEveryTime) {
  EXPECT_EQ(MakePageMix(256).compressed, MakePageMix(256).compressed);
}

TEST(ContentionPages, EveryKindIsThereAndCompressesAsItShould) {
  const PageMix mix = MakePageMix(1024);
  ASSERT_EQ(mix.compressed.size(), 1024u);
  std::map<std::string, std::pair<uint64_t, size_t>> by_kind;  // sum of sizes, pages
  for (size_t i = 0; i < mix.compressed.size(); i++) {
    EXPECT_GT(mix.compressed[i], 0u);
    auto& [sum, n] = by_kind[mix.kinds[i]];
    sum += mix.compressed[i];
    n++;
  }
  ASSERT_EQ(by_kind.size(), 5u);
  const auto mean = [&](const char* kind) {
    return static_cast<double>(by_kind[kind].first) / static_cast<double>(by_kind[kind].second);
  };
  // Random bytes do not compress (LZ4 adds a little); sparse pages compress best.
  EXPECT_GT(mean("random"), 4096);
  EXPECT_LT(mean("sparse"), 700);
  EXPECT_LT(mean("text"), mean("mixed"));
  EXPECT_LT(mean("mixed"), mean("random"));
  // The fractions are the header's, within sampling noise.
  EXPECT_NEAR(static_cast<double>(by_kind["text"].second) / 1024, 0.35, 0.05);
  EXPECT_NEAR(static_cast<double>(by_kind["random"].second) / 1024, 0.15, 0.04);
}

TEST(ContentionPages, ZramStoresAPageThatDoesNotShrinkEnoughWhole) {
  PageMix mix;
  mix.compressed = {100, 3000, 3264, 4200};
  mix.kinds = {"a", "b", "c", "d"};
  EXPECT_EQ(ZramObjectSizes(mix, 3264), (std::vector<uint32_t>{100, 3000, 4096, 4096}));
  EXPECT_EQ(DescribeSizes({100, 4096}), "2 pages: mean 2098 B, median 4096 B, 50.0 % stored whole");
}

}  // namespace
}  // namespace zsfuzz
