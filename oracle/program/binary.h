// File: program/binary.h
//
// The binary form of an op program: what the fuzzers mutate. EVERY byte
// string decodes into a program that Validate() accepts, so no fuzz input is
// wasted, and DecodeProgram(EncodeProgram(p)) == p for every valid p.
//
// Layout, version 1. "varint" is unsigned LEB128, at most 10 bytes, bits past
// 64 dropped. Reading past the end of the input gives zero bytes, so a
// truncated input decodes as if padded with zeros.
//
//   header
//     byte    bits 0-2  threads - 1 (1..8)
//             bits 3-4  strategy: 0 random, 1 pct, 2 rr (3 reads as random)
//             bits 5-7  version - 1: 0 is v1; other values read as v1 until
//                       a v2 exists (the encoder writes 0, so its first byte
//                       is below 0x20 and never '#', the text form's start)
//     byte    chain = 4 + (b + 4) % 13           (0 gives the default 8)
//     varint  schedule seed
//     pct:    byte depth = 1 + (b + 2) % 64      (0 gives the default 3)
//             varint steps: 0 -> 1000 (default), 1..999 -> itself, v -> v + 1
//     rr:     varint quantum - 1, taken mod 2^32 - 1
//     varint  n, the explicit schedule decisions, at most the bytes left;
//             then n varints, each taken mod 2^32
//   ops, one after another to the end of the input
//     byte    bits 0-4  ops.def row, mod kNumOpCodes; or 31, a bulk malloc,
//                       or 30, a bulk free (program.h, "Bulk ops")
//             bits 5-7  thread, mod threads
//     then by the row's args:
//     kSize      a size code x, kSizeCodeBytes bytes little-endian (2 on
//                4 KiB pages, 3 on 16 KiB), its top two bits the form; with
//                F = kSizeCodeForm (0x4000 in 2 bytes) and D = kClassDelta,
//                size = SizeFromCode(x, chain):
//                  x < F    x % (kMaxMallocSize + 1): every size; the encoder's form
//                  x < 2F   a class edge: class ((x - F) >> 2) % kNumSizeClasses
//                           + {0, 1, -1, -8}[x & 3]
//                  x < 3F   EdgeSizes(chain)[(x - 2F) % count]
//                  otherwise  HugeClassSize(chain) - 8 D + x % (16 D)
//                On 4 KiB pages that is x % 8193, class (x >> 2) % 255,
//                (x & 0x3FFF) % count and HugeClassSize(chain) - 128 + (x & 0xFF).
//     kSlot      varint r: the (r mod k)-th slot this thread defined before
//                the op; with k = 0 the op is dropped
//     kSlotPage  varint v: page v & 15, slot (v >> 4) mod the program's slot
//                count; with no slots at all the op is dropped
//     kValue     varint v: value v % (kMaxOpValue + 1)
//     kNone      nothing
//     bulk malloc  a size code as kSize's; varint c: members
//                2 + c % 255, fewer if the program's bulk marks would pass
//                kMaxBulkMarks
//     bulk free  varint r, the first slot as kSlot's (dropped when the thread
//                has none); varint c: members as above, and no more than the
//                thread's slots from the first on
//
// Ops of different threads may interleave in the bytes; each thread's ops
// keep their order, and slots are numbered thread 0's first, as in the text.
// Random bytes spend about a quarter of their sizes on each of the four size
// forms, so class edges and huge_class_size come up often.
//
// Example:
//   Program p = DecodeProgram(data, size);           // never fails
//   std::vector<uint8_t> bytes = EncodeProgram(p);
//   assert(DecodeProgram(bytes.data(), bytes.size()) == p);
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "oracle/program/program.h"
#include "oracle/program/sizes.h"

namespace zsfuzz {

// A size code is as many bytes as the exact form (kMaxMallocSize + 1 values)
// needs with the two form bits above it: 2 on 4 KiB pages, 3 on 16 KiB.
inline constexpr int kSizeCodeBytes = (std::bit_width(kMaxMallocSize) + 2 + 7) / 8;
inline constexpr uint32_t kSizeCodeForm = 1u << (8 * kSizeCodeBytes - 2);  // F in the table above
// The near-huge form's window around huge_class_size: eight classes either side.
inline constexpr uint32_t kHugeWindow = 16 * kClassDelta;

// The op byte rows of the bulk ops (ops.def may grow to 30 rows).
inline constexpr int kBulkFreeRow = 30;
inline constexpr int kBulkMallocRow = 31;

// The program `data` encodes; any bytes, any size (nullptr with size 0 too).
Program DecodeProgram(const uint8_t* data, size_t size);

// The canonical bytes of `p`, which must be valid (Validate(p) empty):
// threads' ops in thread order, sizes in the exact form, varints minimal.
std::vector<uint8_t> EncodeProgram(const Program& p);

// The size a size code x (below 4 kSizeCodeForm) stands for in a program of
// chain `chain` (the table above), and the code the encoder writes for
// `size` (<= kMaxMallocSize).
uint32_t SizeFromCode(uint32_t x, unsigned int chain);
inline uint32_t SizeCode(uint32_t size) { return size; }
// The code of the near-huge form that stands for HugeClassSize(chain) + delta
// whatever the chain (-kHugeWindow / 2 <= delta < kHugeWindow / 2).
inline constexpr uint32_t HugeSizeCode(int delta) {
  return 3 * kSizeCodeForm + static_cast<uint32_t>(static_cast<int>(kHugeWindow / 2) + delta);
}

// The bytes of one op of thread `thread` as EncodeProgram writes them, with
// its slot reference `ref` already in the encoded form (the thread-local
// index for kSlot, the slot for kSlotPage). For the dictionary.
std::vector<uint8_t> EncodeOpBytes(const Op& op, int thread, uint32_t ref);
// The same for a bulk op of `members` (2..kMaxBulk) whose first is `first`.
std::vector<uint8_t> EncodeBulkOpBytes(const Op& first, int thread, uint32_t ref, uint32_t members);

}  // namespace zsfuzz
