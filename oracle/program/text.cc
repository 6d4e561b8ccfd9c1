// The text program form: the canonical printer (the parser is text_parse.cc).
#include <string>

#include "absl/strings/str_cat.h"
#include "oracle/program/text.h"

namespace zsfuzz {
namespace {

constexpr size_t kMaxLineColumns = 100;

std::string OpText(const Op& op) {
  const char* name = OpName(op.code);
  switch (ArgsOf(op.code)) {
    case OpArgs::kSize:
      return absl::StrCat(name, " ", op.size, " -> ", SlotName(op.slot));
    case OpArgs::kSlot:
      return absl::StrCat(name, " ", SlotName(op.slot));
    case OpArgs::kSlotPage:
      return absl::StrCat(name, " ", SlotName(op.slot), " page ", op.page);
    case OpArgs::kValue:
      return absl::StrCat(name, " ", op.value);
    case OpArgs::kNone:
      break;
  }
  return name;
}

}  // namespace

std::string PrintProgram(const Program& p) {
  std::string out = absl::StrCat("# zsfuzz program v", p.version, "\n");
  absl::StrAppend(&out, "threads ", p.threads.size(), "\n");
  if (p.chain_size != kDefaultChainSize) absl::StrAppend(&out, "chain ", p.chain_size, "\n");
  for (size_t t = 0; t < p.threads.size(); t++) {
    const std::string label = absl::StrCat("t", t, ":");
    std::string line = label;
    bool line_empty = true;
    for (const Op& op : p.threads[t]) {
      const std::string item = OpText(op);
      // Long threads continue on another line of the same thread.
      if (!line_empty && line.size() + 3 + item.size() > kMaxLineColumns) {
        absl::StrAppend(&out, line, "\n");
        line = label;
        line_empty = true;
      }
      absl::StrAppend(&line, line_empty ? " " : " ; ", item);
      line_empty = false;
    }
    absl::StrAppend(&out, line, "\n");
  }
  absl::StrAppend(&out, p.schedule.ToString(), "\n");
  return out;
}

std::string ProgramParseError::ToString() const {
  return absl::StrCat("line ", line, ", column ", column, ": ", message);
}

absl::StatusOr<Program> ParseProgram(std::string_view text) {
  ProgramParseError error;
  std::optional<Program> p = ParseProgram(text, &error);
  if (!p) return absl::InvalidArgumentError(error.ToString());
  return *std::move(p);
}

}  // namespace zsfuzz
