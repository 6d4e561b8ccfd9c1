// File: seeds.h
//
// The seed corpus built into zsfuzz: every file of corpus/diff_seq and
// corpus/diff_conc at build time (cmake/EmbedSeeds.cmake writes seeds.cc), so
// `zsfuzz run` starts from the seeds wherever the binary is.
//
// Example:
//   for (const EmbeddedSeed& s : EmbeddedSeeds())
//     if (s.dir == "diff_conc") Use(ParseProgram(s.bytes));
#pragma once

#include <string_view>
#include <vector>

namespace zsfuzz {

struct EmbeddedSeed {
  std::string_view dir;    // "diff_seq" or "diff_conc"
  std::string_view name;   // the file name, e.g. "free_vs_migrate.txt"
  std::string_view bytes;  // the file's contents (text programs)
};

const std::vector<EmbeddedSeed>& EmbeddedSeeds();

}  // namespace zsfuzz
