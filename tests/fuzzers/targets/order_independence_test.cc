// What an input's check says does not depend on what ran before it in the
// process: every seed of corpus/diff_seq (seq target) and corpus/diff_conc
// (conc target), on pre,post and on post,mut-fullness (a seeded mutant whose
// runs end in a BUG and abandon their pool, or leave pages behind), checked in
// corpus order and then in reverse order in this one process, gets the verdict,
// signature and trace hash that `zsfuzz repro` gets for it first in a fresh
// process. Each order puts BUG-ing inputs before most others, of chain size
// 8 before chain4_class_edges' chain size 4. Without kernel_reset() in the
// executor this fails: PFNs and trace hashes shift after a run that kept
// pages, and a pool abandoned with chain size 8 made the mutant's next pool
// of chain size 4 fail to be created.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/variants/mutants/mutants.h"
#include "fuzzers/targets/diff_target.h"
#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz::targets {
namespace {

struct Input {
  std::string file;
  TargetKind kind;
  std::string variants;

  std::string Name() const {
    return std::string(TargetShortName(kind)) + " " + std::filesystem::path(file).filename().string() + " " +
           variants;
  }
};

// The parts of FormatVerdict's text that must not depend on the process:
// the verdict's first line, the signature and the trace hash. (The rest of
// the message shows lock addresses, which differ between processes.)
struct Outcome {
  std::string verdict, signature, trace_hash;
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "{" << o.verdict << " | " << o.signature << " | " << o.trace_hash << "}";
}

// From FormatVerdict's text, alone or at the end of `zsfuzz repro`'s output
// (which prints the message before it too: the last verdict line counts).
Outcome Parse(std::string_view text) {
  Outcome o;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (line.starts_with("verdict: ")) o = Outcome{std::string(line), "", ""};
    if (line.starts_with("signature: ")) o.signature = line;
    if (line.starts_with("trace-hash: ")) o.trace_hash = line;
    at = end + 1;
  }
  return o;
}

std::vector<Input> SeedInputs() {
  std::vector<Input> inputs;
  for (const auto& [dir, kind] :
       {std::pair{"diff_seq", TargetKind::kSeq}, {"diff_conc", TargetKind::kConc}}) {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(ZS_SOURCE_DIR "/corpus/") + dir))
      if (entry.path().extension() == ".txt") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      inputs.push_back({f, kind, "pre,post"});
      inputs.push_back({f, kind, "post,mut-fullness"});
    }
  }
  return inputs;
}

Outcome CheckHere(const Input& in) {
  std::ifstream file(in.file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const Program p =
      ProgramForTarget(in.kind, DecodeInput(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  std::string error;
  const std::optional<VariantPair> pair = ParseVariantPair(in.variants, &error);
  if (!pair) {
    ADD_FAILURE() << error;
    return {};
  }
  return Parse(FormatVerdict(CheckForTarget(in.kind, p, *pair, /*record_trace=*/false)));
}

Outcome CheckFirstInAProcess(const Input& in) {
  const zsfuzz_test::ToolRun r = zsfuzz_test::RunZsfuzz(
      {"repro", in.file, "--variants", in.variants, "--target", TargetShortName(in.kind)});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << in.Name() << "\n" << r.err;
  return Parse(r.out);
}

TEST(OrderIndependenceTest, SeedsAndBugsGiveTheSameVerdictInAnyOrder) {
  SetExtraVariantLookup(
      [](std::string_view name) -> const zs_variant_ops* {
        const SeededMutant* m = FindSeededMutant(name);
        return m ? m->ops : nullptr;
      },
      "mut-fullness");
  const std::vector<Input> inputs = SeedInputs();
  ASSERT_GT(inputs.size(), 20u) << "the seed corpus is missing: " ZS_SOURCE_DIR "/corpus";

  std::vector<Outcome> first;
  for (const Input& in : inputs) first.push_back(CheckFirstInAProcess(in));
  int bugs = 0;
  for (const Outcome& o : first) bugs += o.signature.starts_with("signature: kernel:BUG");
  ASSERT_GT(bugs, 10) << "post,mut-fullness no longer BUGs: the test needs runs that abandon their pool";

  std::vector<size_t> order(inputs.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  for (const char* name : {"corpus order", "reverse order"}) {
    for (size_t i : order) {
      EXPECT_EQ(CheckHere(inputs[i]), first[i])
          << inputs[i].Name() << ", in " << name << ", against the same input first in a process";
    }
    std::reverse(order.begin(), order.end());
  }
  SetExtraVariantLookup(nullptr, "");
}

}  // namespace
}  // namespace zsfuzz::targets
