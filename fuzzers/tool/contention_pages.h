// The object sizes of `zsfuzz bench contention`: what zram would store for a
// mix of realistic 4 KiB pages, each compressed with LZ4 as zram's lz4
// backend does (LZ4_compress_default), incompressible ones stored whole.
//
// The mix (fractions of the pages; zero-filled and same-filled pages are left
// out, since zram keeps those without zsmalloc):
//   35 % text      words of a small vocabulary, spaces, punctuation, newlines
//   25 % data      64-bit words: user-space pointers, small integers, zeros
//   15 % sparse    a zero page with 1 to 8 random runs of 16 to 64 bytes
//   15 % random    incompressible (media, encrypted, already compressed)
//   10 % mixed     half text, half random
// Generated from a fixed seed, so every run and machine gets the same sizes.
//
// Example:
//   PageMix mix = MakePageMix(1024);
//   std::vector<uint32_t> sizes = ZramObjectSizes(mix, /*huge_class_size=*/3264);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zsfuzz {

struct PageMix {
  std::vector<uint32_t> compressed;  // LZ4's output size per page, in generation order
  std::vector<const char*> kinds;    // "text", "data", ... per page
};

// `pages` pages of the mix above, compressed.
PageMix MakePageMix(size_t pages);

// zram's rule (zram_write_page): a page whose compressed size is at least
// `huge_class_size` (zs_huge_class_size()) is stored uncompressed, PAGE_SIZE
// bytes.
std::vector<uint32_t> ZramObjectSizes(const PageMix& mix, size_t huge_class_size);

// "1024 pages: mean 1,873 B, median 1,530 B, 15.2 % stored whole" for the header.
std::string DescribeSizes(const std::vector<uint32_t>& sizes);

}  // namespace zsfuzz
