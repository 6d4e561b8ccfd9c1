// Program files: read either form, write bytes.
#include "oracle/program/program_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "oracle/program/binary.h"

namespace zsfuzz {

bool IsTextProgram(std::string_view bytes) { return bytes.substr(0, kTextHeader.size()) == kTextHeader; }

absl::StatusOr<std::string> ReadFileBytes(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  std::string bytes;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int saved = errno;
  std::fclose(f);
  if (failed)
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": ", std::strerror(saved)));
  return bytes;
}

absl::Status WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr)
    return absl::InvalidArgumentError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  const bool wrote = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const int saved = errno;
  if (std::fclose(f) != 0 || !wrote)
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(wrote ? errno : saved)));
  return absl::OkStatus();
}

namespace {

absl::StatusOr<Program> ParseText(const std::string& path, std::string_view text) {
  ProgramParseError error;
  std::optional<Program> p = ParseProgram(text, &error);
  if (!p)
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", error.line, ":", error.column, ": ", error.message));
  return *std::move(p);
}

}  // namespace

absl::StatusOr<Program> ReadTextProgramFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  return ParseText(path, *bytes);
}

absl::StatusOr<Program> ReadProgramFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  if (IsTextProgram(*bytes)) return ParseText(path, *bytes);
  return DecodeProgram(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
}

}  // namespace zsfuzz
