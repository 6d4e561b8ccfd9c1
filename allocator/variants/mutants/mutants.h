// File: mutants.h
//
// The seeded mutants (tests/mutants/): deliberately broken variants, each one
// known bug shape in one function file, with the check that must catch it and
// a witness program that makes that check fire. They are variants like any
// other (zs_add_variant) but not in the variant registry; this is their
// registry, for the mutant suite and for tools that want to prove the oracle
// still catches them (DESIGN.md "Two full implementations").
//
// Example:
//   for (const zsfuzz::SeededMutant& m : zsfuzz::SeededMutants()) {
//     zsfuzz::Verdict v = zsfuzz::CheckProgram(*zsfuzz::ParseProgram(m.witness),
//                                              zs_find_variant(m.base), m.ops, {});
//     if (v.signature != m.check) printf("%s survived\n", m.name);
//   }
#pragma once

#include <string_view>
#include <vector>

#include "allocator/zsmalloc/zs_variant.h"

namespace zsfuzz {

struct SeededMutant {
  const char* name;  // its variant name, "mut-pages-leak"
  const zs_variant_ops* ops;
  const char* base;     // the variant it breaks: compare the mutant against it
  const char* check;    // the verdict signature ("check:field") that must catch it
  const char* witness;  // a program (text form) on which that check fires
  // In this build a sanitizer reports the bug on the witness before any
  // verdict, ending the process: that report is the detection here, and
  // tests/mutants checks it in a ctest of its own (zs_add_mutant ASAN/TSAN).
  bool sanitizer_reports;
};

// Every mutant, in the order of tests/mutants/CMakeLists.txt.
const std::vector<SeededMutant>& SeededMutants();
// The mutant named `name`, or null.
const SeededMutant* FindSeededMutant(std::string_view name);

}  // namespace zsfuzz
