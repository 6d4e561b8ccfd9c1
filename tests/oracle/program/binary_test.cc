// binary.h: every byte string decodes into a valid program; programs round-trip.
#include "oracle/program/binary.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "oracle/program/prng.h"
#include "oracle/program/sizes.h"
#include "oracle/program/text.h"
#include "tests/oracle/program/program_test_util.h"

namespace zsfuzz {
namespace {

using zsfuzz_test::kDesignExample;
using zsfuzz_test::kRichProgram;
using zsfuzz_test::MustParse;

Program Decode(const std::vector<uint8_t>& bytes) { return DecodeProgram(bytes.data(), bytes.size()); }

// Encode, decode, print, parse, encode: all must agree.
void ExpectRoundTrips(const Program& p) {
  ASSERT_EQ(Validate(p), "");
  const std::vector<uint8_t> bytes = EncodeProgram(p);
  EXPECT_EQ(Decode(bytes), p);
  const std::string text = PrintProgram(p);
  absl::StatusOr<Program> parsed = ParseProgram(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << text;
  EXPECT_EQ(*parsed, p) << text;
  EXPECT_EQ(EncodeProgram(*parsed), bytes);
}

// Each ops.def row, with arguments that are not zero, in a program that
// gives it a slot to name: bytes -> program -> text -> program -> bytes.
class OpRowTest : public ::testing::TestWithParam<int> {};

TEST_P(OpRowTest, RoundTripsThroughBytesAndText) {
  const auto code = static_cast<OpCode>(GetParam());
  Program p;
  p.threads.resize(2);
  Op a;
  a.code = OpCode::kMalloc;
  a.size = 1560;
  a.slot = 0;
  Op b = a;
  b.size = 4097;
  b.slot = 1;
  p.threads[0] = {a};
  p.threads[1] = {b};
  Op op;
  op.code = code;
  switch (ArgsOf(code)) {
    case OpArgs::kSize:
      op.size = 3625;
      op.slot = 2;
      break;
    case OpArgs::kSlot:
      op.slot = 1;  // thread 1's own
      break;
    case OpArgs::kSlotPage:
      op.slot = 0;  // thread 0's: any thread may
      op.page = 15;
      break;
    case OpArgs::kValue:
      op.value = kMaxOpValue;
      break;
    case OpArgs::kNone:
      break;
  }
  p.threads[1].push_back(op);
  ExpectRoundTrips(p);

  const std::vector<uint8_t> bytes = EncodeProgram(p);
  const Program from_bytes = Decode(bytes);
  ASSERT_EQ(from_bytes.threads[1].size(), 2u);
  EXPECT_EQ(from_bytes.threads[1][1], op);
  EXPECT_NE(PrintProgram(p).find(OpName(code)), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(EveryRow, OpRowTest, ::testing::Range(0, kNumOpCodes),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(OpName(static_cast<OpCode>(info.param)));
                         });

TEST(BinaryTest, ExamplesRoundTrip) {
  ExpectRoundTrips(MustParse(kDesignExample));
  ExpectRoundTrips(MustParse(kRichProgram));
  ExpectRoundTrips(
      MustParse("threads 8\nt0:\nt1:\nt2:\nt3:\nt4:\nt5:\nt6:\nt7: malloc 8192 -> a\nschedule rr "
                "quantum=4294967295\n"));
  ExpectRoundTrips(
      MustParse("threads 1\nchain 16\nt0:\nschedule pct depth=64 seed=18446744073709551615 "
                "steps=18446744073709551615 data=4294967295\n"));
  ExpectRoundTrips(MustParse("threads 1\nchain 4\nt0:\nschedule pct depth=1 seed=0 steps=999\n"));
  ExpectRoundTrips(MustParse("threads 1\nt0:\nschedule pct depth=1 seed=0 steps=1001\n"));
}

TEST(BinaryTest, EverySizeRoundTrips) {
  for (uint32_t size = 0; size <= kMaxMallocSize; size++) {
    for (unsigned int chain : {4u, 8u, 16u}) ASSERT_EQ(SizeFromCode(SizeCode(size), chain), size);
  }
}

TEST(BinaryTest, SizeCodesReachTheEdges) {
  EXPECT_EQ(SizeFromCode(0x0000, 8), 0u);
  EXPECT_EQ(SizeFromCode(0x1001, 8), 4097u);
  EXPECT_EQ(SizeFromCode(0x3fff, 8), 16383u % 8193u);
  // Class edges: class i at (0x4000 | i << 2 | edge), edges +0, +1, -1, -8.
  EXPECT_EQ(SizeFromCode(0x4000 | (96 << 2) | 0, 8), 1568u);
  EXPECT_EQ(SizeFromCode(0x4000 | (96 << 2) | 1, 8), 1569u);
  EXPECT_EQ(SizeFromCode(0x4000 | (96 << 2) | 2, 8), 1567u);
  EXPECT_EQ(SizeFromCode(0x4000 | (96 << 2) | 3, 8), 1560u);
  EXPECT_EQ(SizeFromCode(0x4000 | (254 << 2) | 1, 8), 4097u);
  // The edge table, and huge_class_size's neighbourhood, follow the chain.
  for (unsigned int chain : {4u, 8u, 16u}) {
    const std::vector<uint32_t>& edges = EdgeSizes(chain);
    for (size_t i = 0; i < edges.size(); i++) EXPECT_EQ(SizeFromCode(0x8000 + i, chain), edges[i]);
    EXPECT_EQ(SizeFromCode(0xC080, chain), HugeClassSize(chain));
    EXPECT_EQ(SizeFromCode(0xC07F, chain), HugeClassSize(chain) - 1);
    EXPECT_EQ(SizeFromCode(0xC000, chain), HugeClassSize(chain) - 128);
    EXPECT_EQ(SizeFromCode(0xFFFF, chain), HugeClassSize(chain) + 127);
  }
  uint32_t max = 0;
  for (uint32_t x = 0; x <= 0xffff; x++) max = std::max(max, SizeFromCode(static_cast<uint16_t>(x), 4));
  EXPECT_EQ(max, kMaxMallocSize);
}

TEST(BinaryTest, EmptyInputIsTheDefaultProgram) {
  const Program p = DecodeProgram(nullptr, 0);
  Program want;
  want.threads.resize(1);
  EXPECT_EQ(p, want);
  EXPECT_EQ(p.chain_size, 8u);
  EXPECT_EQ(p.schedule.strategy, zs_sched::Strategy::kRandom);
  EXPECT_EQ(Validate(p), "");
}

TEST(BinaryTest, TruncatedInputReadsAsZeros) {
  // Header only: 2 threads, pct; its depth and steps bytes are missing: defaults.
  Program p = Decode({0x09});
  EXPECT_EQ(p.threads.size(), 2u);
  EXPECT_EQ(p.schedule, zs_sched::Schedule::Pct(3, 0));
  // A malloc whose size's high byte is missing: size 0x10.
  p = Decode({0x00, 0x00, 0x00, 0x00, 0x00, 0x10});
  ASSERT_EQ(p.threads[0].size(), 1u);
  EXPECT_EQ(p.threads[0][0].size, 16u);
  EXPECT_EQ(Decode({0x00, 0x00, 0x00, 0x00, 0x00, 0x10}), Decode({0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00}));
  // Every prefix of an encoded program decodes into a valid program.
  const std::vector<uint8_t> bytes = EncodeProgram(MustParse(kRichProgram));
  for (size_t n = 0; n <= bytes.size(); n++) {
    const Program q = DecodeProgram(bytes.data(), n);
    ASSERT_EQ(Validate(q), "") << n;
    const std::vector<uint8_t> again = EncodeProgram(q);
    ASSERT_EQ(Decode(again), q) << n;
  }
}

TEST(BinaryTest, OpsWithoutASlotAreDropped) {
  // free (row 1) in a thread with no malloc: dropped, its ref byte read;
  // migrate (row 9) with no slot anywhere: dropped; compacts (row 5) stay.
  Program p = Decode({0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 0x09, 0x00, 0x05});
  ASSERT_EQ(p.threads[0].size(), 2u);
  EXPECT_EQ(p.threads[0][0].code, OpCode::kCompact);
  EXPECT_EQ(p.threads[0][1].code, OpCode::kCompact);
  // Thread bits and slot references wrap: 2 threads, t1 (0x20) mallocs, t1
  // frees ref 7 -> its only slot, t0 (0x40 wraps to 0) migrates slot 5 -> 0.
  p = Decode({0x01, 0x00, 0x00, 0x00, 0x20, 0x10, 0x00, 0x21, 0x07, 0x49, 0x53});
  ASSERT_EQ(Validate(p), "");
  ASSERT_EQ(p.threads[1].size(), 2u);
  EXPECT_EQ(p.threads[1][1].code, OpCode::kFree);
  EXPECT_EQ(p.threads[1][1].slot, 0u);
  ASSERT_EQ(p.threads[0].size(), 1u);
  EXPECT_EQ(p.threads[0][0].code, OpCode::kMigrate);
  EXPECT_EQ(p.threads[0][0].page, 3u);
}

TEST(BinaryTest, BulkRowsExpandIntoMarkedOps) {
  // Row 31: a bulk malloc of size 48 (code 0x0030), count varint 1 -> 3
  // members; row 30 (t0): a bulk free from ref 1, count 200 -> 2 + 200 % 255,
  // cut to the 2 slots from ref 1 on.
  Program p = Decode({0x00, 0x00, 0x00, 0x00, 0x1f, 0x30, 0x00, 0x01, 0x1e, 0x01, 0xc8, 0x01});
  ASSERT_EQ(Validate(p), "");
  ASSERT_EQ(p.threads[0].size(), 5u);
  for (uint32_t k = 0; k < 3; k++) {
    EXPECT_EQ(p.threads[0][k].code, OpCode::kMalloc);
    EXPECT_EQ(p.threads[0][k].size, 48u);
    EXPECT_EQ(p.threads[0][k].slot, k);
    EXPECT_EQ(p.threads[0][k].bulk, k > 0);
  }
  EXPECT_EQ(p.threads[0][3].code, OpCode::kFree);
  EXPECT_EQ(p.threads[0][3].slot, 1u);
  EXPECT_FALSE(p.threads[0][3].bulk);
  EXPECT_EQ(p.threads[0][4].slot, 2u);
  EXPECT_TRUE(p.threads[0][4].bulk);
  EXPECT_EQ(PrintProgram(p),
            "# zsfuzz program v1\nthreads 1\nt0: malloc 48 x 3 -> a ; free a+1 x 2\n"
            "schedule random seed=0\n");
  EXPECT_EQ(Decode(EncodeProgram(p)), p);
  // A bulk free in a thread with no slot is dropped, both varints read.
  p = Decode({0x00, 0x00, 0x00, 0x00, 0x1e, 0x05, 0x07, 0x05});
  ASSERT_EQ(p.threads[0].size(), 1u);
  EXPECT_EQ(p.threads[0][0].code, OpCode::kCompact);
}

TEST(BinaryTest, BulkMarksStopAtTheCap) {
  // Bulk mallocs of kMaxBulk members until the marks run out: the last one
  // is cut to what is left, and later ones are single mallocs.
  std::vector<uint8_t> bytes = {0x00, 0x00, 0x00, 0x00};
  const uint32_t full = kMaxBulkMarks / (kMaxBulk - 1) + 2;
  for (uint32_t i = 0; i < full; i++)
    for (uint8_t b : {0x1f, 0x20, 0x00, 0xfe, 0x01}) bytes.push_back(b);  // 32 bytes x (2 + 254)
  const Program p = Decode(bytes);
  ASSERT_EQ(Validate(p), "");
  size_t marks = 0;
  for (const Op& op : p.threads[0]) marks += op.bulk;
  EXPECT_EQ(marks, kMaxBulkMarks);
  EXPECT_EQ(p.threads[0].size(), kMaxBulkMarks + full);
  EXPECT_EQ(Decode(EncodeProgram(p)), p);
}

TEST(BinaryTest, HeaderFieldsDecode) {
  // rr with quantum 3, chain code 0 -> 8, code 9 -> 4, seed 300, 2 decisions.
  Program p = Decode({0x12, 0x09, 0xac, 0x02, 0x02, 0x02, 0x05, 0x01});
  EXPECT_EQ(p.threads.size(), 3u);
  EXPECT_EQ(p.chain_size, 4u);
  EXPECT_EQ(p.schedule.strategy, zs_sched::Strategy::kRoundRobin);
  EXPECT_EQ(p.schedule.seed, 300u);
  EXPECT_EQ(p.schedule.quantum, 3u);
  EXPECT_EQ(p.schedule.data, (std::vector<uint32_t>{5, 1}));
  // Strategy 3 reads as random; version bits are ignored.
  p = Decode({0xf8});
  EXPECT_EQ(p.schedule.strategy, zs_sched::Strategy::kRandom);
  // A decision count beyond the input is cut to what is left.
  p = Decode({0x00, 0x00, 0x00, 0x7f, 0x01, 0x02});
  EXPECT_EQ(p.schedule.data, (std::vector<uint32_t>{1, 2}));
  // The encoder's first byte is never '#'.
  EXPECT_LT(EncodeProgram(MustParse(kRichProgram))[0], 0x20);
}

TEST(BinaryTest, OneMegabyteOfRandomBytesDecodesValid) {
  Prng rng(20260101);
  size_t total = 0;
  size_t programs = 0;
  size_t mallocs = 0;
  size_t edge_sized = 0;
  std::vector<uint8_t> chunk;
  std::vector<uint32_t> class_edges;  // every class size +0, +1, -1, -8
  for (uint32_t i = 0; i < kNumSizeClasses; i++)
    for (int d : {0, 1, -1, -8}) class_edges.push_back(ClassSize(i) + d);
  std::sort(class_edges.begin(), class_edges.end());
  while (total < (1u << 20)) {
    chunk.resize(rng.Percent(90) ? rng.Below(300) : rng.Below(5000));
    for (uint8_t& b : chunk) b = static_cast<uint8_t>(rng.Next());
    total += chunk.size();
    const Program p = Decode(chunk);
    ASSERT_EQ(Validate(p), "") << "chunk " << programs;
    const std::vector<uint8_t> bytes = EncodeProgram(p);
    ASSERT_EQ(Decode(bytes), p) << "chunk " << programs;
    if (programs % 8 == 0) {  // the text form too, for a share of them
      absl::StatusOr<Program> parsed = ParseProgram(PrintProgram(p));
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      ASSERT_EQ(*parsed, p);
    }
    for (const auto& ops : p.threads) {
      for (const Op& op : ops) {
        if (op.code != OpCode::kMalloc) continue;
        mallocs++;
        const std::vector<uint32_t>& edges = EdgeSizes(p.chain_size);
        edge_sized += std::binary_search(class_edges.begin(), class_edges.end(), op.size) ||
                      std::binary_search(edges.begin(), edges.end(), op.size);
      }
    }
    programs++;
  }
  EXPECT_GT(programs, 2000u);
  // The bias table: a class edge or an edge size for far more than uniform sizes give (~20%).
  EXPECT_GT(edge_sized * 100, mallocs * 45) << edge_sized << " of " << mallocs;
}

}  // namespace
}  // namespace zsfuzz
