// libzsfuzz_afl_mutator.so as afl-fuzz uses it: dlopen()ed, afl_custom_init
// with a seed, then afl_custom_fuzz on seeded random inputs and on the seed
// corpus (text and binary), with and without an add_buf, under max_size from
// 0 to afl-fuzz's 1 MB. Every output must fit in max_size and the targets'
// max_len, decode to a valid program in its canonical bytes, differ from its
// input in most calls, and repeat exactly for the same seed.
#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "oracle/program/binary.h"
#include "oracle/program/prng.h"
#include "oracle/program/program.h"
#include "oracle/program/program_file.h"
#include "oracle/program/text.h"

namespace zsfuzz {
namespace {

constexpr size_t kMaxLen = ZSFUZZ_MAX_INPUT_LEN;
constexpr size_t kAflMaxFile = size_t{1} << 20;  // afl-fuzz's max_size (MAX_FILE)

using InitFn = void* (*)(void*, unsigned int);
using FuzzFn = size_t (*)(void*, unsigned char*, size_t, unsigned char**, unsigned char*, size_t, size_t);
using DescribeFn = const char* (*)(void*, size_t);
using DeinitFn = void (*)(void*);

// The library's entry points, looked up as afl-fuzz does.
struct AflMutatorLib {
  void* handle = nullptr;
  InitFn init = nullptr;
  FuzzFn fuzz = nullptr;
  DescribeFn describe = nullptr;
  DeinitFn deinit = nullptr;
};

const AflMutatorLib& Lib() {
  static const AflMutatorLib lib = [] {
    AflMutatorLib l;
    l.handle = dlopen(ZS_AFL_MUTATOR, RTLD_NOW | RTLD_LOCAL);
    if (l.handle == nullptr) return l;
    l.init = reinterpret_cast<InitFn>(dlsym(l.handle, "afl_custom_init"));
    l.fuzz = reinterpret_cast<FuzzFn>(dlsym(l.handle, "afl_custom_fuzz"));
    l.describe = reinterpret_cast<DescribeFn>(dlsym(l.handle, "afl_custom_describe"));
    l.deinit = reinterpret_cast<DeinitFn>(dlsym(l.handle, "afl_custom_deinit"));
    return l;
  }();
  return lib;
}

// The program an input stands for, as the targets read it.
Program ProgramOf(const std::vector<uint8_t>& bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (IsTextProgram(text)) {
    ProgramParseError error;
    if (std::optional<Program> p = ParseProgram(text, &error)) return *p;
  }
  return DecodeProgram(bytes.data(), bytes.size());
}

// The seed corpus, each program as its text and as its binary form.
std::vector<std::vector<uint8_t>> SeedInputs() {
  std::vector<std::vector<uint8_t>> seeds;
  for (const char* dir : {"corpus/diff_seq", "corpus/diff_conc"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(ZS_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".txt") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::vector<uint8_t> text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const Program p = ProgramOf(text);
      seeds.push_back(std::move(text));
      seeds.push_back(EncodeProgram(p));
    }
  }
  return seeds;
}

std::vector<uint8_t> RandomBytes(Prng* rng) {
  const size_t len = rng->Percent(25) ? rng->Below(64) : rng->Below(2 * kMaxLen + 1);
  std::vector<uint8_t> bytes(len);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng->Next());
  return bytes;
}

size_t PickMaxSize(Prng* rng) {
  switch (rng->Below(8)) {
    case 0:
      return rng->Below(64);  // 0 and sizes too small for most programs
    case 1:
      return 64 + rng->Below(kMaxLen);
    case 2:
      return kMaxLen;
    default:
      return kAflMaxFile;
  }
}

struct Tally {
  int calls = 0;
  int changed = 0;  // of the calls whose max_size leaves room (>= 256)
  int roomy = 0;
  int splices = 0;
  int with_add = 0;
};

// One afl_custom_fuzz call, checked; `add` may be null.
void FuzzAndCheck(void* state, const std::vector<uint8_t>& input, const std::vector<uint8_t>* add,
                  size_t max_size, bool one_thread, Tally* tally) {
  const AflMutatorLib& lib = Lib();
  std::vector<uint8_t> buf = input;  // afl-fuzz passes a writable copy
  std::vector<uint8_t> add_copy = add != nullptr ? *add : std::vector<uint8_t>();
  unsigned char* out = nullptr;
  const size_t n = lib.fuzz(state, buf.data(), buf.size(), &out, add != nullptr ? add_copy.data() : nullptr,
                            add_copy.size(), max_size);
  tally->calls++;
  ASSERT_NE(out, nullptr) << "call " << tally->calls;
  ASSERT_LE(n, max_size) << "call " << tally->calls;
  ASSERT_LE(n, kMaxLen) << "call " << tally->calls;
  ASSERT_TRUE(out < buf.data() || out >= buf.data() + buf.size())
      << "the output must be the mutator's buffer";
  EXPECT_EQ(buf, input) << "the input buffer must be left as it was";

  const std::vector<uint8_t> bytes(out, out + n);
  const Program p = DecodeProgram(bytes.data(), bytes.size());
  ASSERT_EQ(Validate(p), "") << "call " << tally->calls;
  // Above the largest header an output is the canonical encoding (nothing cut off).
  if (std::min(max_size, kMaxLen) >= 64) EXPECT_EQ(EncodeProgram(p), bytes) << "call " << tally->calls;
  if (one_thread) EXPECT_LE(p.threads.size(), 1u) << "call " << tally->calls;

  const std::string_view what = lib.describe(state, 64);
  EXPECT_TRUE(what == "zsprog" || what == "zsprog-splice") << what;
  if (add != nullptr) tally->with_add++;
  if (what == "zsprog-splice") {
    EXPECT_NE(add, nullptr) << "a splice without an add_buf";
    tally->splices++;
  }
  if (std::min(max_size, kMaxLen) >= 256) {
    tally->roomy++;
    if (p != ProgramOf(input)) tally->changed++;
  }
}

void RunCampaign(unsigned int seed, bool one_thread, Tally* tally) {
  void* state = Lib().init(nullptr, seed);
  ASSERT_NE(state, nullptr);
  const std::vector<std::vector<uint8_t>> seeds = SeedInputs();
  ASSERT_GE(seeds.size(), 10u);
  Prng rng(seed);
  for (int i = 0; i < 3000; i++) {
    const bool seedlike = rng.Percent(50);
    const std::vector<uint8_t> input = seedlike ? seeds[rng.Below(seeds.size())] : RandomBytes(&rng);
    std::vector<uint8_t> add;
    const bool with_add = rng.Percent(60);
    if (with_add) add = rng.Percent(50) ? seeds[rng.Below(seeds.size())] : RandomBytes(&rng);
    FuzzAndCheck(state, input, with_add ? &add : nullptr, PickMaxSize(&rng), one_thread, tally);
    if (testing::Test::HasFatalFailure()) break;
  }
  Lib().deinit(state);
  std::printf(
      "seed %u: %d calls; %d of %d with room for a change changed; %d splices in %d calls with add_buf\n",
      seed, tally->calls, tally->changed, tally->roomy, tally->splices, tally->with_add);
}

TEST(AflMutatorTest, ExportsTheCustomMutatorApi) {
  const AflMutatorLib& lib = Lib();
  ASSERT_NE(lib.handle, nullptr) << dlerror();
  EXPECT_NE(lib.init, nullptr);
  EXPECT_NE(lib.fuzz, nullptr);
  EXPECT_NE(lib.describe, nullptr);
  EXPECT_NE(lib.deinit, nullptr);
}

TEST(AflMutatorTest, OutputsFitDecodeAndChange) {
  ASSERT_NE(Lib().fuzz, nullptr);
  unsetenv("ZSFUZZ_AFL_TARGET");
  Tally t;
  RunCampaign(1234, /*one_thread=*/false, &t);
  EXPECT_EQ(t.calls, 3000);
  EXPECT_GE(t.changed * 100, t.roomy * 95) << t.changed << " of " << t.roomy << " outputs differ";
  // add_buf is spliced about one time in five (kSplicePercent).
  EXPECT_GE(t.splices * 100, t.with_add * 10) << t.splices << " splices in " << t.with_add;
  EXPECT_LE(t.splices * 100, t.with_add * 30) << t.splices << " splices in " << t.with_add;
}

TEST(AflMutatorTest, SeqTargetKeepsOneThread) {
  ASSERT_NE(Lib().fuzz, nullptr);
  setenv("ZSFUZZ_AFL_TARGET", "seq", 1);
  Tally t;
  RunCampaign(99, /*one_thread=*/true, &t);
  unsetenv("ZSFUZZ_AFL_TARGET");
  EXPECT_GE(t.changed * 100, t.roomy * 90) << t.changed << " of " << t.roomy << " outputs differ";
}

TEST(AflMutatorTest, RejectsAnUnknownTarget) {
  ASSERT_NE(Lib().init, nullptr);
  setenv("ZSFUZZ_AFL_TARGET", "both", 1);
  EXPECT_EQ(Lib().init(nullptr, 1), nullptr);
  unsetenv("ZSFUZZ_AFL_TARGET");
}

// The same seed and calls give the same outputs; another seed other outputs.
TEST(AflMutatorTest, DeterministicFromTheSeed) {
  const AflMutatorLib& lib = Lib();
  ASSERT_NE(lib.fuzz, nullptr);
  unsetenv("ZSFUZZ_AFL_TARGET");
  auto outputs = [&](unsigned int seed) {
    void* state = lib.init(nullptr, seed);
    std::vector<std::vector<uint8_t>> all;
    const std::vector<std::vector<uint8_t>> seeds = SeedInputs();
    for (size_t i = 0; i < 200; i++) {
      std::vector<uint8_t> buf = seeds[i % seeds.size()];
      std::vector<uint8_t> add = seeds[(i * 7 + 3) % seeds.size()];
      unsigned char* out = nullptr;
      const size_t n = lib.fuzz(state, buf.data(), buf.size(), &out, add.data(), add.size(), kAflMaxFile);
      all.emplace_back(out, out + n);
    }
    lib.deinit(state);
    return all;
  };
  const auto a = outputs(7);
  EXPECT_EQ(a, outputs(7));
  const auto b = outputs(8);
  int same = 0;
  for (size_t i = 0; i < a.size(); i++) same += a[i] == b[i] ? 1 : 0;
  EXPECT_LT(same, 20) << same << " of " << a.size() << " outputs alike under another seed";
}

TEST(AflMutatorTest, DescribeFitsItsLimit) {
  const AflMutatorLib& lib = Lib();
  ASSERT_NE(lib.fuzz, nullptr);
  void* state = lib.init(nullptr, 3);
  std::vector<uint8_t> buf = SeedInputs().front();
  unsigned char* out = nullptr;
  lib.fuzz(state, buf.data(), buf.size(), &out, nullptr, 0, kAflMaxFile);
  EXPECT_STREQ(lib.describe(state, 64), "zsprog");
  EXPECT_STREQ(lib.describe(state, 3), "zsp");
  EXPECT_STREQ(lib.describe(state, 0), "");
  // max_size 0: nothing to write, but afl-fuzz still wants a buffer.
  EXPECT_EQ(lib.fuzz(state, buf.data(), buf.size(), &out, nullptr, 0, 0), 0u);
  EXPECT_NE(out, nullptr);
  lib.deinit(state);
}

}  // namespace
}  // namespace zsfuzz
