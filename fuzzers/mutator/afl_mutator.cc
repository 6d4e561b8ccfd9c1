// libzsfuzz_afl_mutator.so: the structure-aware program mutator
// (program/mutator.h) behind AFL++'s custom mutator API, for afl-fuzz with
// AFL_CUSTOM_MUTATOR_LIBRARY (README.md in this folder). It is what
// LLVMFuzzerCustomMutator / CustomCrossOver are to libFuzzer:
//
//   afl_custom_init      state seeded from afl-fuzz's seed: the same seed and
//                        the same calls give the same outputs (zsfuzz::Prng;
//                        no clock, no addresses)
//   afl_custom_fuzz      MutateProgramBytes on the input; when afl-fuzz passes
//                        another queue entry (add_buf) then, one time in
//                        kSplicePercent, CrossOverProgramBytes of the two
//                        instead. A text input (the seeds) is encoded to the
//                        binary form first, as the targets read it. The output
//                        is in a buffer the mutator owns, at most
//                        min(max_size, ZSFUZZ_MAX_INPUT_LEN) bytes (afl-fuzz
//                        passes 1 MB; the targets' max_len is 2048), and
//                        decodes to a valid program different from the input's.
//   afl_custom_describe  "zsprog" or "zsprog-splice", for queue file names
//   afl_custom_deinit    frees the state
//
// The seq target keeps its corpus one-threaded, as its libFuzzer mutator
// does: with ZSFUZZ_AFL_TARGET=seq, or when afl-fuzz's command line names
// zs_diff_seq_fuzzer, every output is one thread: the mutated program's
// threads' ops in thread order, what the seq target runs anyway.
//
// Built with the plain compiler (never AFL-instrumented: afl-fuzz dlopen()s
// it), from the program library's sources alone: no allocator, no oracle.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzzers/mutator/mutator.h"
#include "oracle/program/binary.h"
#include "oracle/program/prng.h"
#include "oracle/program/program.h"
#include "oracle/program/program_file.h"
#include "oracle/program/text.h"

#define ZS_AFL_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using zsfuzz::Program;

constexpr size_t kMaxLen = ZSFUZZ_MAX_INPUT_LEN;
// How often an afl_custom_fuzz call with an add_buf splices instead of
// mutating. afl-fuzz passes an add_buf on nearly every call once its queue
// has two entries, and a splice swaps whole threads or schedules, so most
// calls stay the small steps of MutateProgramBytes.
constexpr unsigned kSplicePercent = 20;
// seq: tries at an output whose flattened program differs from the input's.
constexpr int kOneThreadTries = 4;

struct AflMutator {
  zsfuzz::Prng rng;
  bool one_thread = false;      // the seq target
  std::vector<uint8_t> out;     // afl_custom_fuzz's output, owned here
  std::vector<uint8_t> input;   // the input as binary
  std::vector<uint8_t> other;   // add_buf as binary
  const char* last = "zsprog";  // what the latest afl_custom_fuzz did
  std::string description;      // afl_custom_describe's answer when truncated

  explicit AflMutator(unsigned int seed) : rng(zsfuzz::Prng::StreamSeed(seed, 0x61666c)) {}
};

// Every thread's ops in one thread, in thread order (slots are numbered in
// thread order, so every reference stays valid): what the seq target runs.
Program OneThread(Program p) {
  if (p.threads.size() <= 1) return p;
  std::vector<zsfuzz::Op> all;
  for (const std::vector<zsfuzz::Op>& t : p.threads) all.insert(all.end(), t.begin(), t.end());
  p.threads.clear();
  p.threads.push_back(std::move(all));
  return p;
}

// The bytes of `flat` (one thread) in at most `limit` bytes: its encoding,
// or when that is longer the encoding of a prefix of it (a prefix of any
// bytes decodes to a valid program, of one thread as the header byte says).
std::vector<uint8_t> EncodeOneThreadWithin(const Program& flat, size_t limit) {
  std::vector<uint8_t> full = zsfuzz::EncodeProgram(flat);
  if (full.size() <= limit) return full;
  size_t cut = limit;
  for (int attempt = 0; attempt < 16; attempt++) {
    std::vector<uint8_t> bytes = zsfuzz::EncodeProgram(zsfuzz::DecodeProgram(full.data(), cut));
    if (bytes.size() <= limit) return bytes;
    const size_t excess = bytes.size() - limit;
    cut = cut > excess ? cut - excess : 0;
  }
  return std::vector<uint8_t>(full.begin(), full.begin() + static_cast<ptrdiff_t>(limit));
}

// The program an input stands for, as the targets read it: the text form if
// it starts with the text header and parses, else the binary form.
Program DecodeAny(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (zsfuzz::IsTextProgram(bytes)) {
    zsfuzz::ProgramParseError error;
    if (std::optional<Program> p = zsfuzz::ParseProgram(bytes, &error)) return *std::move(p);
  }
  return zsfuzz::DecodeProgram(data, size);
}

// The input's bytes in the binary form: a copy, or the text's encoding.
void ToBinary(const uint8_t* data, size_t size, std::vector<uint8_t>* bytes) {
  if (zsfuzz::IsTextProgram(std::string_view(reinterpret_cast<const char*>(data), size))) {
    *bytes = zsfuzz::EncodeProgram(DecodeAny(data, size));
  } else {
    bytes->assign(data, data + size);
  }
}

// True if afl-fuzz's command line (this process's) names the seq target.
bool CommandLineNamesSeqTarget() {
  std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    std::string_view arg(all.data() + start, end - start);
    if (const size_t slash = arg.rfind('/'); slash != std::string_view::npos) arg.remove_prefix(slash + 1);
    if (arg == "zs_diff_seq_fuzzer") return true;
    start = end + 1;
  }
  return false;
}

// One mutation or splice of m->input (add_buf in m->other if `splice`) into
// m->out; returns the output size (<= limit).
size_t MutateOnce(AflMutator* m, bool splice, size_t limit) {
  const auto seed = static_cast<unsigned int>(m->rng.Next());
  m->out.assign(std::max(m->input.size(), limit), 0);
  if (splice) {
    const size_t n = zsfuzz::CrossOverProgramBytes(m->input.data(), m->input.size(), m->other.data(),
                                                   m->other.size(), m->out.data(), limit, seed);
    // A splice that lands on the input (a's ops under an equal schedule, a
    // prefix and suffix that rebuild it) gets a mutation on top.
    if (zsfuzz::DecodeProgram(m->out.data(), n) != zsfuzz::DecodeProgram(m->input.data(), m->input.size()))
      return n;
    return zsfuzz::MutateProgramBytes(m->out.data(), n, limit, seed ^ 0x5eed5eedU);
  }
  std::copy(m->input.begin(), m->input.end(), m->out.begin());
  return zsfuzz::MutateProgramBytes(m->out.data(), m->input.size(), limit, seed);
}

}  // namespace

ZS_AFL_EXPORT void* afl_custom_init(void* /*afl*/, unsigned int seed) {
  auto* m = new (std::nothrow) AflMutator(seed);
  if (m == nullptr) return nullptr;
  const char* target = std::getenv("ZSFUZZ_AFL_TARGET");
  if (target != nullptr && target[0] != '\0') {
    const std::string_view t(target);
    if (t != "seq" && t != "conc") {
      std::fprintf(stderr, "libzsfuzz_afl_mutator: error: ZSFUZZ_AFL_TARGET=%s: expected seq or conc\n",
                   target);
      delete m;
      return nullptr;
    }
    m->one_thread = t == "seq";
  } else {
    m->one_thread = CommandLineNamesSeqTarget();
  }
  m->out.reserve(kMaxLen);
  return m;
}

ZS_AFL_EXPORT size_t afl_custom_fuzz(void* data, unsigned char* buf, size_t buf_size, unsigned char** out_buf,
                                     unsigned char* add_buf, size_t add_buf_size, size_t max_size) {
  auto* m = static_cast<AflMutator*>(data);
  const size_t limit = std::min(max_size, kMaxLen);
  ToBinary(buf, buf_size, &m->input);
  const bool splice = add_buf != nullptr && add_buf_size > 0 && m->rng.Percent(kSplicePercent);
  if (splice) ToBinary(add_buf, add_buf_size, &m->other);
  m->last = splice ? "zsprog-splice" : "zsprog";

  size_t n = 0;
  if (limit > 0) {
    n = MutateOnce(m, splice, limit);
    if (m->one_thread) {
      const Program before = OneThread(zsfuzz::DecodeProgram(m->input.data(), m->input.size()));
      for (int attempt = 0;; attempt++) {
        const Program p = zsfuzz::DecodeProgram(m->out.data(), n);
        if (p.threads.size() > 1) {
          const std::vector<uint8_t> bytes = EncodeOneThreadWithin(OneThread(p), limit);
          std::copy(bytes.begin(), bytes.end(), m->out.begin());
          n = bytes.size();
        }
        if (zsfuzz::DecodeProgram(m->out.data(), n) != before || attempt + 1 == kOneThreadTries) break;
        n = MutateOnce(m, splice, limit);
      }
    }
  }
  if (m->out.empty()) m->out.resize(1);  // afl-fuzz treats a null out_buf as an error
  *out_buf = m->out.data();
  return n;
}

ZS_AFL_EXPORT const char* afl_custom_describe(void* data, size_t max_description_len) {
  auto* m = static_cast<AflMutator*>(data);
  if (std::strlen(m->last) <= max_description_len) return m->last;
  m->description.assign(m->last, max_description_len);
  return m->description.c_str();
}

ZS_AFL_EXPORT void afl_custom_deinit(void* data) { delete static_cast<AflMutator*>(data); }
