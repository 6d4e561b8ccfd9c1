// `zsfuzz print FILE`: a program file, binary or text, as canonical text.
#include <cstdio>
#include <string>

#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "oracle/program/program_file.h"
#include "oracle/program/text.h"

namespace zsfuzz {
namespace {

absl::StatusOr<int> RunPrint() {
  const std::string& file = CommandArgs()[0];
  ProgramFileForm form;
  absl::StatusOr<Program> p = ReadProgramFile(file, &form);
  if (!p.ok()) return p.status();
  // Which form it was, on stderr: stdout is the text alone, ready to save.
  std::fprintf(stderr, "read: %s (%s)\n", file.c_str(), DescribeForm(form).c_str());
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
      "form (a bad text is one error line, FILE:LINE:COLUMN: what is wrong). So is a file of printable\n"
      "ASCII whose first statement is 'threads' (a text without the header). Any other file is the binary\n"
      "form the fuzzers use; every byte string decodes into a program. stderr says which form was read:\n"
      "'read: FILE (text)' or 'read: FILE (binary, N bytes)'.",
      kCmdPrint,
      &RunPrint,
      1,
      1,
  };
  return cmd;
}

}  // namespace zsfuzz
