// File: program/program_file.h
//
// Reading a program from a file in either form, for `zsfuzz print`,
// `encode`, `repro` and the corpus tools.
//
// A file is text when it starts with the header "# zsfuzz program" (the
// text form's first line, see text.h), or when it is a text without that
// header (IsHeaderlessText: printable ASCII only, first statement `threads`);
// anything else is the binary form. The binary encoder never writes '#'
// first, so its files never look like text. Only files make that second
// guess: the fuzz targets take text by the header alone, as every byte
// string must stay a binary program for them.
//
// Example:
//   absl::StatusOr<Program> p = ReadProgramFile("corpus/diff_conc/free_vs_migrate.txt");
//   if (!p.ok()) return p.status();  // "FILE:3:8: unknown op 'mallc', ..."
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "oracle/program/program.h"
#include "oracle/program/text.h"

namespace zsfuzz {

// True if `bytes` start with kTextHeader.
bool IsTextProgram(std::string_view bytes);

// True if `bytes` are a text program that lacks the header: every byte is
// printable ASCII, a tab, CR or LF, and the first line that is neither blank
// nor a '#' comment starts with the word `threads`, the text form's first
// statement. A binary program that meets both is possible but never
// written by the encoder or met in practice: its first bytes would have to
// spell "threads" and no byte could be a control or high one.
bool IsHeaderlessText(std::string_view bytes);

// How ReadProgramFile read a file.
struct ProgramFileForm {
  bool text = false;
  bool header = false;  // a text that starts with kTextHeader
  size_t size = 0;      // the file's bytes
};

// "text", "text without the '# zsfuzz program v1' header" or "binary, 37 bytes".
std::string DescribeForm(const ProgramFileForm& form);

// The file's bytes, or InvalidArgument("cannot read FILE: <strerror>").
absl::StatusOr<std::string> ReadFileBytes(const std::string& path);

// Writes `bytes` to `path`, or InvalidArgument("cannot write FILE: ...").
absl::Status WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes);

// The program in `path`, text (IsTextProgram or IsHeaderlessText) or binary;
// `form`, if given, says which. A text that does not parse is
// InvalidArgument("FILE:L:C: message"); an unreadable file as ReadFileBytes
// says.
absl::StatusOr<Program> ReadProgramFile(const std::string& path, ProgramFileForm* form = nullptr);

// The program in a text file, whether or not it has the header; errors as
// ReadProgramFile's.
absl::StatusOr<Program> ReadTextProgramFile(const std::string& path);

}  // namespace zsfuzz
