// Program files: read either form, write bytes.
#include "oracle/program/program_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "oracle/program/binary.h"

namespace zsfuzz {

bool IsTextProgram(std::string_view bytes) { return bytes.substr(0, kTextHeader.size()) == kTextHeader; }

bool IsHeaderlessText(std::string_view bytes) {
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u >= 0x7f) return false;
  }
  size_t at = 0;
  while (at < bytes.size()) {
    const size_t end = std::min(bytes.find('\n', at), bytes.size());
    std::string_view line = bytes.substr(at, end - at);
    at = end + 1;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    line.remove_prefix(first);
    constexpr std::string_view kThreads = "threads";
    return line.substr(0, kThreads.size()) == kThreads &&
           (line.size() == kThreads.size() || line[kThreads.size()] == ' ' || line[kThreads.size()] == '\t' ||
            line[kThreads.size()] == '\r');
  }
  return false;
}

std::string DescribeForm(const ProgramFileForm& form) {
  if (!form.text) return absl::StrCat("binary, ", form.size, " bytes");
  if (form.header) return "text";
  return absl::StrCat("text without the '", std::string(kTextHeader), " v", kProgramVersion, "' header");
}

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

absl::StatusOr<Program> ReadProgramFile(const std::string& path, ProgramFileForm* form) {
  absl::StatusOr<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  ProgramFileForm f;
  f.size = bytes->size();
  f.header = IsTextProgram(*bytes);
  f.text = f.header || IsHeaderlessText(*bytes);
  if (form != nullptr) *form = f;
  if (f.text) return ParseText(path, *bytes);
  return DecodeProgram(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
}

}  // namespace zsfuzz
