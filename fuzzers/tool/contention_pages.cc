#include "fuzzers/tool/contention_pages.h"

#include <lz4.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/str_format.h"
#include "allocator/kernel/sched/prng.h"
#include "kernel/types.h"

namespace zsfuzz {
namespace {

// zram compresses whole pages of the configuration's size.
constexpr size_t kPageSize = kernel::PAGE_SIZE;

// splitmix64 (the scheduler's seeding step): the sizes must not depend on the
// C++ library's distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Below(uint64_t n) { return zs_sched::SplitMix64(&s_) % n; }
  uint64_t Next() { return zs_sched::SplitMix64(&s_); }

 private:
  uint64_t s_;
};

using Page = std::array<uint8_t, kPageSize>;

void FillText(Rng& rng, uint8_t* p, size_t n) {
  static constexpr const char* kWords[] = {
      "the",    "of",     "and",     "memory", "page",  "zspage", "class",   "lock", "free", "object",
      "kernel", "thread", "compact", "swap",   "zram",  "handle", "migrate", "size", "list", "pool",
      "a",      "to",     "in",      "is",     "that",  "for",    "it",      "with", "as",   "was",
      "on",     "be",     "at",      "by",     "this",  "had",    "not",     "are",  "but",  "from",
      "or",     "have",   "an",      "they",   "which", "one",    "you",     "were", "her",  "all",
      "she",    "there",  "would",   "their",  "we",    "him",    "been",    "has",  "when", "who",
      "will",   "more",   "no",      "if"};
  size_t i = 0;
  while (i < n) {
    const char* w = kWords[rng.Below(std::size(kWords))];
    for (; *w && i < n; w++) p[i++] = static_cast<uint8_t>(*w);
    if (i < n) {
      const uint64_t r = rng.Below(20);
      p[i++] = r == 0 ? '\n' : r == 1 ? ',' : r == 2 ? '.' : ' ';
    }
  }
}

void FillData(Rng& rng, uint8_t* p, size_t n) {
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t w;
    switch (rng.Below(4)) {
      case 0:  // a user-space pointer, 16-byte aligned, into a few MiB
        w = 0x00007f3a00000000ULL | (rng.Below(1 << 22) << 4);
        break;
      case 1:  // a small integer
        w = rng.Below(256);
        break;
      default:
        w = 0;
    }
    std::memcpy(p + i, &w, 8);
  }
}

void FillRandom(Rng& rng, uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = static_cast<uint8_t>(rng.Next());
}

void FillSparse(Rng& rng, uint8_t* p) {
  std::memset(p, 0, kPageSize);
  const uint64_t runs = 1 + rng.Below(8);
  for (uint64_t r = 0; r < runs; r++) {
    const size_t len = 16 + rng.Below(49);
    FillRandom(rng, p + rng.Below(kPageSize - len), len);
  }
}

}  // namespace

PageMix MakePageMix(size_t pages) {
  PageMix mix;
  Rng rng(20261204);
  Page page;
  std::vector<char> out(LZ4_compressBound(kPageSize));
  for (size_t i = 0; i < pages; i++) {
    const uint64_t pick = rng.Below(100);
    const char* kind;
    if (pick < 35) {
      kind = "text";
      FillText(rng, page.data(), kPageSize);
    } else if (pick < 60) {
      kind = "data";
      FillData(rng, page.data(), kPageSize);
    } else if (pick < 75) {
      kind = "sparse";
      FillSparse(rng, page.data());
    } else if (pick < 90) {
      kind = "random";
      FillRandom(rng, page.data(), kPageSize);
    } else {
      kind = "mixed";
      FillText(rng, page.data(), kPageSize / 2);
      FillRandom(rng, page.data() + kPageSize / 2, kPageSize / 2);
    }
    const int n = LZ4_compress_default(reinterpret_cast<const char*>(page.data()), out.data(),
                                       static_cast<int>(kPageSize), static_cast<int>(out.size()));
    mix.compressed.push_back(static_cast<uint32_t>(n > 0 ? n : kPageSize));
    mix.kinds.push_back(kind);
  }
  return mix;
}

std::vector<uint32_t> ZramObjectSizes(const PageMix& mix, size_t huge_class_size) {
  std::vector<uint32_t> sizes;
  sizes.reserve(mix.compressed.size());
  for (uint32_t c : mix.compressed) sizes.push_back(c >= huge_class_size ? kPageSize : c);
  return sizes;
}

std::string DescribeSizes(const std::vector<uint32_t>& sizes) {
  if (sizes.empty()) return "no pages";
  std::vector<uint32_t> sorted = sizes;
  std::sort(sorted.begin(), sorted.end());
  uint64_t sum = 0;
  size_t whole = 0;
  for (uint32_t s : sizes) {
    sum += s;
    whole += s == kPageSize;
  }
  return absl::StrFormat("%zu pages: mean %llu B, median %u B, %.1f %% stored whole", sizes.size(),
                         static_cast<unsigned long long>(sum / sizes.size()), sorted[sorted.size() / 2],
                         100.0 * static_cast<double>(whole) / static_cast<double>(sizes.size()));
}

}  // namespace zsfuzz
