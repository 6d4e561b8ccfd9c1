// The text program form: the canonical printer (the parser is text_parse.cc).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "oracle/program/text.h"

namespace zsfuzz {
namespace {

constexpr size_t kMaxLineColumns = 100;

// Slot names as the text writes them: a slot a malloc defines by itself
// gets its canonical name (SlotName), a later member of a bulk malloc is its
// first member's name plus its offset ("a+5").
std::vector<std::string> SlotTexts(const Program& p) {
  std::vector<std::string> names;
  names.reserve(static_cast<size_t>(p.NumSlots()));
  uint32_t first = 0;
  for (const std::vector<Op>& ops : p.threads) {
    for (const Op& op : ops) {
      if (op.code != OpCode::kMalloc) continue;
      if (!op.bulk) first = op.slot;
      names.push_back(op.bulk ? absl::StrCat(SlotName(first), "+", op.slot - first) : SlotName(op.slot));
    }
  }
  return names;
}

// One op, or a bulk op of `members` (> 1) whose first member is `op`.
std::string OpText(const Op& op, uint32_t members, const std::vector<std::string>& names) {
  const char* name = OpName(op.code);
  const std::string slot = op.slot < names.size() ? names[op.slot] : SlotName(op.slot);
  const std::string times = members > 1 ? absl::StrCat(" x ", members) : "";
  switch (ArgsOf(op.code)) {
    case OpArgs::kSize:
      return absl::StrCat(name, " ", op.size, times, " -> ", slot);
    case OpArgs::kSlot:
      return absl::StrCat(name, " ", slot, times);
    case OpArgs::kSlotPage:
      return absl::StrCat(name, " ", slot, " page ", op.page);
    case OpArgs::kValue:
      return absl::StrCat(name, " ", op.value);
    case OpArgs::kNone:
      break;
  }
  return name;
}

}  // namespace

std::string PrintOp(const Op& op) { return OpText(op, 1, {}); }

std::string PrintOpAt(const Program& p, int thread, size_t index) {
  const std::vector<Op>& ops = p.threads[thread];
  const std::vector<std::string> names = SlotTexts(p);
  std::string text = OpText(ops[index], 1, names);
  const auto [first, end] = BulkOpAt(ops, index);
  if (end - first > 1)
    absl::StrAppend(&text, ", member ", index - first + 1, " of ",
                    OpText(ops[first], static_cast<uint32_t>(end - first), names));
  return text;
}

std::string PrintProgram(const Program& p) {
  std::string out = absl::StrCat("# zsfuzz program v", p.version, "\n");
  absl::StrAppend(&out, "threads ", p.threads.size(), "\n");
  if (p.chain_size != kDefaultChainSize) absl::StrAppend(&out, "chain ", p.chain_size, "\n");
  const std::vector<std::string> names = SlotTexts(p);
  for (size_t t = 0; t < p.threads.size(); t++) {
    const std::string label = absl::StrCat("t", t, ":");
    std::string line = label;
    bool line_empty = true;
    const std::vector<Op>& ops = p.threads[t];
    for (size_t i = 0; i < ops.size(); i++) {
      const size_t end = BulkOpAt(ops, i).second;
      const std::string item = OpText(ops[i], static_cast<uint32_t>(end - i), names);
      i = end - 1;
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
