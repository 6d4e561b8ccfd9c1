// `zsfuzz encode TEXTFILE -o FILE`: a text program in the binary form.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzzers/tool/flag_table.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "oracle/program/binary.h"
#include "oracle/program/program_file.h"

namespace zsfuzz {
namespace {

// Bytes no text file has: a binary program given by mistake.
bool LooksBinary(std::string_view bytes) {
  return std::any_of(bytes.begin(), bytes.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0 || (u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7f;
  });
}

absl::StatusOr<int> RunEncode() {
  const std::string& in = CommandArgs()[0];
  const std::string out = Flags().out;
  if (out.empty()) return absl::InvalidArgumentError("'encode' needs -o FILE, the binary file to write");
  absl::StatusOr<std::string> bytes = ReadFileBytes(in);
  if (!bytes.ok()) return bytes.status();
  if (!IsTextProgram(*bytes) && LooksBinary(*bytes))
    return absl::InvalidArgumentError(absl::StrCat(
        in, " is not a text program (it holds binary bytes); 'zsfuzz print ", in, "' shows it as text"));
  absl::StatusOr<Program> p = ReadTextProgramFile(in);
  if (!p.ok()) return p.status();
  if (absl::Status s = WriteFileBytes(out, EncodeProgram(*p)); !s.ok()) return s;
  return kExitClean;
}

}  // namespace

const Subcommand& EncodeCommand() {
  static const Subcommand cmd{
      "encode",
      "Write a text program file in the binary form the fuzzers read.",
      "TEXTFILE -o FILE",
      "TEXTFILE is the text form (text.h; the '# zsfuzz program v1' header is optional here). A bad text\n"
      "is one error line, TEXTFILE:LINE:COLUMN: what is wrong, what was expected. 'zsfuzz print FILE'\n"
      "turns the result back into the same text, canonically.",
      kCmdEncode,
      &RunEncode,
      1,
      1,
      {{"-o", "out"}},
  };
  return cmd;
}

}  // namespace zsfuzz
