// File: program/program_file.h
//
// Reading a program from a file in either form, for `zsfuzz print`,
// `encode`, `repro` and the corpus tools.
//
// A file is text when it starts with the header "# zsfuzz program" (the
// text form's first line, see text.h); anything else is the binary form.
// The binary encoder never writes '#' first, so its files never look like
// text.
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

// The file's bytes, or InvalidArgument("cannot read FILE: <strerror>").
absl::StatusOr<std::string> ReadFileBytes(const std::string& path);

// Writes `bytes` to `path`, or InvalidArgument("cannot write FILE: ...").
absl::Status WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes);

// The program in `path`, text or binary (IsTextProgram). A text that does not
// parse is InvalidArgument("FILE:L:C: message"); an unreadable file as
// ReadFileBytes says.
absl::StatusOr<Program> ReadProgramFile(const std::string& path);

// The program in a text file, whether or not it has the header; errors as
// ReadProgramFile's.
absl::StatusOr<Program> ReadTextProgramFile(const std::string& path);

}  // namespace zsfuzz
