// `zsfuzz print FILE`: a program file, binary or text, as canonical text.
#include <cstdio>

#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "oracle/program/program_file.h"
#include "oracle/program/text.h"

namespace zsfuzz {
namespace {

absl::StatusOr<int> RunPrint() {
  absl::StatusOr<Program> p = ReadProgramFile(CommandArgs()[0]);
  if (!p.ok()) return p.status();
  std::fputs(PrintProgram(*p).c_str(), stdout);
  return kExitClean;
}

}  // namespace

const Subcommand& PrintCommand() {
  static const Subcommand cmd{
      "print",
      "Print a program file, binary or text, as canonical text on stdout.",
      "FILE",
      "A file starting with '# zsfuzz program' is text: it is parsed and printed again in the canonical\n"
      "form (a bad text is one error line, FILE:LINE:COLUMN: what is wrong). Any other file is the binary\n"
      "form the fuzzers use; every byte string decodes into a program.",
      kCmdPrint,
      &RunPrint,
      1,
      1,
  };
  return cmd;
}

}  // namespace zsfuzz
