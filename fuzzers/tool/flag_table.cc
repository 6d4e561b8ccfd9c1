#include "fuzzers/tool/flag_table.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace zsfuzz {
namespace {

constexpr FlagType TypeOf(const bool*) { return FlagType::kBool; }
constexpr FlagType TypeOf(const uint32_t*) { return FlagType::kUint32; }
constexpr FlagType TypeOf(const uint64_t*) { return FlagType::kUint64; }
constexpr FlagType TypeOf(const double*) { return FlagType::kDouble; }
constexpr FlagType TypeOf(const std::string*) { return FlagType::kString; }

// The forms Abseil's flag parser took, so command lines keep their meaning:
// true/false, t/f, yes/no, y/n, 1/0 in any case; integers in decimal or
// with 0x in hex, surrounding blanks ignored, no sign for unsigned types.
bool ParseValue(absl::string_view text, bool* out) { return absl::SimpleAtob(text, out); }

template <typename Int>
bool ParseInt(absl::string_view text, Int* out) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  Int v = 0;
  const bool ok = absl::StartsWithIgnoreCase(t, "0x") ? absl::SimpleHexAtoi(t, &v) : absl::SimpleAtoi(t, &v);
  if (ok) *out = v;
  return ok;
}
bool ParseValue(absl::string_view text, uint32_t* out) { return ParseInt(text, out); }
bool ParseValue(absl::string_view text, uint64_t* out) { return ParseInt(text, out); }

// Decimal, as Abseil's double flags took it; "inf" and "nan" parse too, so a
// command checks the range it wants (bench: --seconds above zero).
bool ParseValue(absl::string_view text, double* out) {
  return absl::SimpleAtod(absl::StripAsciiWhitespace(text), out);
}

bool ParseValue(absl::string_view text, std::string* out) {
  *out = std::string(text);
  return true;
}

}  // namespace

FlagValues& MutableFlags() {
  static FlagValues* values = new FlagValues;
  return *values;
}

const FlagValues& Flags() { return MutableFlags(); }

const std::vector<FlagInfo>& AllFlags() {
  static const std::vector<FlagInfo>* table = new std::vector<FlagInfo>{
#define ZS_FLAG(name, type, default_value, commands, help)            \
  FlagInfo{#name,          TypeOf(static_cast<const type*>(nullptr)), \
           #default_value, commands,                                  \
           help,           [](absl::string_view text) { return ParseValue(text, &MutableFlags().name); }},
#include "fuzzers/tool/flags.def"
  };
  return *table;
}

const FlagInfo* FindFlag(absl::string_view name) {
  const std::vector<FlagInfo>& all = AllFlags();
  auto it = std::find_if(all.begin(), all.end(), [&](const FlagInfo& f) { return name == f.name; });
  return it == all.end() ? nullptr : &*it;
}

std::vector<const FlagInfo*> FlagsOf(CommandBit command) {
  std::vector<const FlagInfo*> out;
  for (const FlagInfo& f : AllFlags())
    if ((f.commands & command) != 0) out.push_back(&f);
  return out;
}

}  // namespace zsfuzz
