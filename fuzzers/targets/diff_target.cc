#include "fuzzers/targets/diff_target.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "allocator/kernel/sched/trace.h"
#include "fuzzers/mutator/mutator.h"
#include "fuzzers/targets/interleaving_coverage.h"
#include "fuzzers/targets/occupancy_feedback.h"
#include "kernel/page_alloc.h"
#include "oracle/program/binary.h"
#include "oracle/program/program_file.h"
#include "oracle/program/text.h"

namespace zsfuzz::targets {
namespace {

TargetConfig g_config;
VariantLookup g_extra_lookup = nullptr;
std::string g_extra_names;
bool g_configured = false;
std::atomic<uint64_t> g_inputs{0};

std::string VariantList() {
  size_t count = 0;
  const zs_variant_ops* const* all = zs_variants(&count);
  std::string names;
  for (size_t i = 0; i < count; i++) absl::StrAppend(&names, i ? ", " : "", all[i]->name);
  if (!g_extra_names.empty()) absl::StrAppend(&names, "; mutants: ", g_extra_names);
  return names;
}

// FNV-1a, for finding file names: stable across runs and machines.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// "class 17 obj_allocated: pre=60 post=64" -> "class-17-obj_allocated-pre-60-post-64", at most 48 chars.
std::string Slug(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (keep) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= 48) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "finding" : out;
}

void MaybeReportStats() {
  using Clock = std::chrono::steady_clock;
  static Clock::time_point next = Clock::now() + std::chrono::seconds(1);
  const Clock::time_point now = Clock::now();
  if (now < next) return;
  next = now + std::chrono::seconds(1);
  std::fprintf(stderr, "zsfuzz-stats: execs=%llu\n", static_cast<unsigned long long>(g_inputs.load()));
}

// Returns (kExit only) when the finding's signature is known and the kernel
// came back clean, so the process may go on with the next input.
void HandleFinding(const Program& p, const Verdict& v) {
  const std::string text = PrintProgram(p);
  const std::string repro_variants = g_config.variants.ToString();
  // seq's check differs from the default for programs of several threads
  // only; the flag is given whenever it matters.
  const std::string target_flag = KindForProgram(p) == g_config.kind
                                      ? ""
                                      : absl::StrFormat(" --target %s", TargetShortName(g_config.kind));
  if (g_config.action == FindingAction::kAbort) {
    std::fprintf(
        stderr,
        "==zsfuzz== FINDING in %s (variants %s)\n%sprogram:\n%srepro: zsfuzz repro <the saved input> "
        "--variants %s%s\n",
        TargetBinaryName(g_config.kind), repro_variants.c_str(), FormatVerdict(v).c_str(), text.c_str(),
        repro_variants.c_str(), target_flag.c_str());
    std::fflush(stderr);
    std::abort();
  }
  const bool known = std::find(g_config.known_signatures.begin(), g_config.known_signatures.end(),
                               v.signature) != g_config.known_signatures.end();
  if (known) {
    // A known bug must not stop the campaign on every input that shows it;
    // going on is safe only if the check left no page behind.
    if (kernel::nr_pages_in_use() == 0) {
      std::fprintf(stderr, "zsfuzz-finding: known-continue %s\n", v.signature.c_str());
      return;
    }
    std::fprintf(stderr, "zsfuzz-finding: known %s\n", v.signature.c_str());
  } else {
    const std::string path =
        absl::StrFormat("%s/%s-%s-%08x.txt", g_config.findings_dir, TargetShortName(g_config.kind),
                        Slug(v.signature), static_cast<uint32_t>(Fnv1a(text)));
    const std::string first_line = v.message.substr(0, v.message.find('\n'));
    const std::string body = AnnotatedProgramText(
        p, {absl::StrFormat("%s: %s", v.check, first_line), "signature: " + v.signature,
            "trace-hash: " + zs_sched::HashHex(v.trace_hash), "variants: " + repro_variants});
    if (absl::Status s = WriteFileBytes(path, std::vector<uint8_t>(body.begin(), body.end())); !s.ok()) {
      std::fprintf(stderr, "zsfuzz-finding-error: %s\n", std::string(s.message()).c_str());
    } else {
      // The inputs this process checked, this one included: the campaign's
      // executions to the finding.
      std::fprintf(stderr, "zsfuzz-finding: new %s\t%s\t%s\texecs=%llu\n", path.c_str(), v.signature.c_str(),
                   target_flag.c_str(), static_cast<unsigned long long>(g_inputs.load()));
    }
  }
  std::fflush(stderr);
  _exit(kFindingExitCode);
}

// Re-encodes a text input in place so the mutator sees bytes it decodes.
size_t TextToBinary(uint8_t* data, size_t size, size_t max_size) {
  if (!IsTextProgram(std::string_view(reinterpret_cast<const char*>(data), size))) return size;
  const std::vector<uint8_t> bytes = EncodeProgram(DecodeInput(data, size));
  if (bytes.size() > max_size) return size;
  std::memcpy(data, bytes.data(), bytes.size());
  return bytes.size();
}

// seq keeps its corpus one-threaded, so its inputs and crash files read as
// what the target checked.
size_t KeepOneThread(uint8_t* data, size_t size, size_t max_size) {
  if (g_config.kind != TargetKind::kSeq) return size;
  Program p = DecodeProgram(data, size);
  if (p.threads.size() == 1) return size;
  const std::vector<uint8_t> bytes = EncodeProgram(ProgramForTarget(TargetKind::kSeq, std::move(p)));
  if (bytes.size() > max_size) return size;
  std::memcpy(data, bytes.data(), bytes.size());
  return bytes.size();
}

}  // namespace

const char* TargetShortName(TargetKind kind) { return kind == TargetKind::kSeq ? "seq" : "conc"; }

const char* TargetBinaryName(TargetKind kind) {
  return kind == TargetKind::kSeq ? "zs_diff_seq_fuzzer" : "zs_diff_conc_fuzzer";
}

std::optional<TargetKind> ParseTargetKind(std::string_view name) {
  if (name == "seq" || name == "zs_diff_seq_fuzzer") return TargetKind::kSeq;
  if (name == "conc" || name == "zs_diff_conc_fuzzer") return TargetKind::kConc;
  return std::nullopt;
}

std::string VariantPair::ToString() const { return absl::StrFormat("%s,%s", a->name, b->name); }

std::optional<VariantPair> ParseVariantPair(std::string_view text, std::string* error) {
  const std::vector<std::string> names = absl::StrSplit(absl::string_view(text.data(), text.size()), ',');
  if (names.size() != 2 || names[0].empty() || names[1].empty()) {
    *error = absl::StrFormat("variants '%s' must be two names A,B; variants: %s", std::string(text),
                             VariantList());
    return std::nullopt;
  }
  VariantPair pair;
  for (int i = 0; i < 2; i++) {
    const zs_variant_ops* v = zs_find_variant(names[i].c_str());
    if (v == nullptr && g_extra_lookup != nullptr) v = g_extra_lookup(names[i]);
    if (v == nullptr) {
      *error =
          absl::StrFormat("unknown variant '%s'; variants: %s (see 'zsfuzz list')", names[i], VariantList());
      return std::nullopt;
    }
    if (absl::StatusOr<VariantTraits> traits = TraitsFor(v); !traits.ok()) {
      *error = std::string(traits.status().message());
      return std::nullopt;
    }
    (i == 0 ? pair.a : pair.b) = v;
  }
  if (pair.a == pair.b) {
    *error = absl::StrFormat("variants '%s' name the same variant twice; give two different ones", text);
    return std::nullopt;
  }
  return pair;
}

void SetExtraVariantLookup(VariantLookup lookup, std::string names) {
  g_extra_lookup = lookup;
  g_extra_names = std::move(names);
}

Program DecodeInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (IsTextProgram(bytes)) {
    ProgramParseError error;
    if (std::optional<Program> p = ParseProgram(bytes, &error)) return *std::move(p);
  }
  return DecodeProgram(data, size);
}

Program ProgramForTarget(TargetKind kind, Program p) {
  if (kind == TargetKind::kConc || p.threads.size() <= 1) return p;
  // Slots are numbered in thread order, so concatenating in thread order
  // keeps every slot's number and every reference valid.
  std::vector<Op> all;
  for (const std::vector<Op>& t : p.threads) all.insert(all.end(), t.begin(), t.end());
  p.threads.clear();
  p.threads.push_back(std::move(all));
  return p;
}

TargetKind KindForProgram(const Program& p) {
  return p.threads.size() <= 1 ? TargetKind::kSeq : TargetKind::kConc;
}

Verdict CheckForTarget(TargetKind kind, const Program& p, const VariantPair& variants, bool record_trace,
                       bool linearization) {
  CheckOptions options;
  options.record_trace = record_trace;
  options.linearization = linearization;
  // Variant a's states only: b's are the same when the check is clean.
  options.on_run = [a = variants.a](const ExecResult& r) {
    if (r.variant == a) RecordOccupancy(r);
  };
  if (kind == TargetKind::kSeq) return CheckSequential(p, variants.a, variants.b, options);
  return CheckProgram(p, variants.a, variants.b, options);
}

std::string FormatVerdict(const Verdict& v) {
  std::string out;
  if (v.finding) {
    out = absl::StrFormat("verdict: FINDING %s: %s\nsignature: %s\n", v.check, v.message, v.signature);
  } else {
    out = "verdict: clean\n";
  }
  absl::StrAppendFormat(&out, "trace-hash: %s\n", zs_sched::HashHex(v.trace_hash));
  return out;
}

std::string AnnotatedProgramText(const Program& p, const std::vector<std::string>& comments) {
  std::string text = PrintProgram(p);
  const size_t header_end = text.find('\n') + 1;
  std::string notes;
  for (const std::string& c : comments)
    absl::StrAppend(&notes, "# ", absl::StrReplaceAll(c, {{"\n", " "}}), "\n");
  text.insert(header_end, notes);
  return text;
}

std::string CrashSignature(std::string_view summary) {
  std::vector<std::string> words;
  for (absl::string_view w :
       absl::StrSplit(absl::string_view(summary.data(), summary.size()), ' ', absl::SkipEmpty())) {
    if (absl::StrContains(w, "/")) continue;
    std::string out;
    for (char c : w) {
      if (c >= '0' && c <= '9') {
        if (out.empty() || out.back() != 'N') out += 'N';
      } else {
        out += c;
      }
    }
    words.push_back(out);
  }
  return words.empty() ? "crash" : absl::StrCat("crash:", absl::StrJoin(words, " "));
}

void ConfigureTarget(const TargetConfig& config) {
  g_config = config;
  g_configured = true;
  InstallInterleavingCoverage();
}

void InitStandaloneTarget(TargetKind kind, int argc, char** argv) {
  std::string text = "pre,post";
  std::string source = "the default";
  if (const char* env = std::getenv("ZSFUZZ_VARIANTS"); env != nullptr && env[0] != '\0') {
    text = env;
    source = "ZSFUZZ_VARIANTS";
  }
  bool linearization = true;
  for (int i = 1; i < argc; i++) {
    if (std::strncmp(argv[i], "-variants=", 10) == 0) {
      text = argv[i] + 10;
      source = "-variants";
    } else if (std::strcmp(argv[i], "-linearization=0") == 0) {
      linearization = false;
    } else if (std::strncmp(argv[i], "-linearization=", 15) == 0 &&
               std::strcmp(argv[i], "-linearization=1") != 0) {
      std::fprintf(stderr, "%s: error: %s: use -linearization=0 or 1\n", TargetBinaryName(kind), argv[i]);
      std::exit(2);
    }
  }
  std::string error;
  std::optional<VariantPair> pair = ParseVariantPair(text, &error);
  if (!pair) {
    std::fprintf(stderr, "%s: error: %s: %s\n", TargetBinaryName(kind), source.c_str(), error.c_str());
    std::exit(2);
  }
  TargetConfig config;
  config.kind = kind;
  config.variants = *pair;
  config.linearization = linearization;
  ConfigureTarget(config);
  std::fprintf(stderr, "%s: comparing %s%s\n", TargetBinaryName(kind), pair->ToString().c_str(),
               linearization ? "" : " (no linearization replay)");
}

int TestOneInput(const uint8_t* data, size_t size) {
  if (!g_configured) {
    std::fprintf(stderr, "zsfuzz targets: TestOneInput before ConfigureTarget\n");
    std::abort();
  }
  const Program p = ProgramForTarget(g_config.kind, DecodeInput(data, size));
  const Verdict v =
      CheckForTarget(g_config.kind, p, g_config.variants, /*record_trace=*/false, g_config.linearization);
  if (!v.error.empty()) {
    // ParseVariantPair refuses such a pair first; a pair set up otherwise ends here.
    std::fprintf(stderr, "%s: error: %s\n", TargetBinaryName(g_config.kind), v.error.c_str());
    std::exit(2);
  }
  g_inputs.fetch_add(1, std::memory_order_relaxed);
  if (g_config.report_stats) MaybeReportStats();
  if (v.finding) {
    HandleFinding(p, v);
    return -1;  // a known finding: libFuzzer keeps the input out of the corpus
  }
  return 0;
}

size_t CustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  size = TextToBinary(data, size, max_size);
  size = MutateProgramBytes(data, size, max_size, seed);
  return KeepOneThread(data, size, max_size);
}

size_t CustomCrossOver(const uint8_t* data1, size_t size1, const uint8_t* data2, size_t size2, uint8_t* out,
                       size_t max_out_size, unsigned int seed) {
  // Text inputs are re-encoded into buffers of their own (the inputs are const).
  std::vector<uint8_t> b1, b2;
  if (IsTextProgram(std::string_view(reinterpret_cast<const char*>(data1), size1))) {
    b1 = EncodeProgram(DecodeInput(data1, size1));
    data1 = b1.data();
    size1 = b1.size();
  }
  if (IsTextProgram(std::string_view(reinterpret_cast<const char*>(data2), size2))) {
    b2 = EncodeProgram(DecodeInput(data2, size2));
    data2 = b2.data();
    size2 = b2.size();
  }
  const size_t n = CrossOverProgramBytes(data1, size1, data2, size2, out, max_out_size, seed);
  return KeepOneThread(out, n, max_out_size);
}

uint64_t ExecutedInputs() { return g_inputs.load(std::memory_order_relaxed); }

}  // namespace zsfuzz::targets
