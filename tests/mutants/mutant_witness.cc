// mutant_witness NAME: checks the seeded mutant NAME against its base on its
// witness program and prints the verdict (exit 1 on a finding, 0 clean, 2 for
// an unknown name). For ctest runs that must see the process itself, e.g. a
// TSan report, which ends the process before any verdict.
#include <cstdio>

#include "allocator/variants/mutants/mutants.h"
#include "oracle/check.h"
#include "oracle/program/text.h"

int main(int argc, char** argv) {
  const zsfuzz::SeededMutant* m = argc == 2 ? zsfuzz::FindSeededMutant(argv[1]) : nullptr;
  if (m == nullptr) {
    std::fprintf(stderr, "usage: mutant_witness NAME (a seeded mutant, tests/mutants/CMakeLists.txt)\n");
    return 2;
  }
  absl::StatusOr<zsfuzz::Program> p = zsfuzz::ParseProgram(m->witness);
  if (!p.ok()) {
    std::fprintf(stderr, "mutant_witness: %s: %s\n", m->name, std::string(p.status().message()).c_str());
    return 2;
  }
  const zsfuzz::Verdict v = zsfuzz::CheckProgram(*p, zs_find_variant(m->base), m->ops, {});
  std::printf("%s: %s\n%s", m->name, v.finding ? v.signature.c_str() : "clean", v.message.c_str());
  return v.finding ? 1 : 0;
}
