// The text program form: the parser (grammar in text.h).
//
// Two passes. The first reads statements and ops, numbering malloc slots in
// text order (thread lines come in thread order, so that is slot order); the
// second resolves the slot names ops refer to, since isolate/migrate/putback
// may name a slot defined further down.
#include <charconv>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "oracle/program/text.h"

namespace zsfuzz {
namespace {

struct Token {
  std::string_view text;
  int column = 0;  // 1-based
};

// This Abseil's string_view is its own type; StrCat takes only it.
absl::string_view AV(std::string_view s) { return {s.data(), s.size()}; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Words, and the separators ';', ':' and '->' as tokens of their own.
std::vector<Token> Lex(std::string_view line) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < line.size()) {
    if (IsSpace(line[i])) {
      i++;
      continue;
    }
    const size_t start = i;
    if (line[i] == ';' || line[i] == ':') {
      i++;
    } else if (line.substr(i, 2) == "->") {
      i += 2;
    } else {
      while (i < line.size() && !IsSpace(line[i]) && line[i] != ';' && line[i] != ':' &&
             line.substr(i, 2) != "->")
        i++;
    }
    out.push_back({line.substr(start, i - start), static_cast<int>(start) + 1});
  }
  return out;
}

bool ParseNumber(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool IsSlotName(std::string_view s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string Quote(std::string_view s) { return absl::StrCat("'", AV(s), "'"); }

std::string AllOpNames() {
  std::vector<std::string> names;
  names.reserve(kNumOpCodes);
  for (int i = 0; i < kNumOpCodes; i++) names.emplace_back(OpName(static_cast<OpCode>(i)));
  return absl::StrJoin(names, ", ");
}

// An op whose slot name is not resolved yet.
struct PendingRef {
  int thread = 0;
  size_t index = 0;  // in its thread
  std::string_view name;
  uint32_t offset = 0;  // "name+offset": a member of name's bulk malloc
  uint32_t member = 0;  // the member of a bulk free: the slot `member` after
  int line = 0;
  int column = 0;
};

struct SlotDef {
  uint32_t slot = 0;
  int thread = 0;
  size_t index = 0;
  int line = 0;
  int column = 0;
  uint32_t members = 1;  // a bulk malloc's, for its first member's name
};

class Parser {
 public:
  std::optional<Program> Run(std::string_view text, ProgramParseError* error);

 private:
  // Each returns false with error_ set.
  bool Statement(std::string_view content, const std::vector<Token>& tok);
  bool Header(std::string_view comment, int column);
  bool ThreadsLine(const std::vector<Token>& tok);
  bool ChainLine(const std::vector<Token>& tok);
  bool ScheduleLine(std::string_view content, const std::vector<Token>& tok);
  bool ThreadLine(const std::vector<Token>& tok);
  bool OneOp(const std::vector<Token>& tok, size_t* i, int thread);
  bool Number(const Token& t, const char* what, uint64_t max, uint64_t* out);
  // "x K" after a malloc's size or a free's slot: *members = K (1 without it).
  bool Times(const std::vector<Token>& tok, size_t* i, OpCode code, uint32_t* members);
  bool AtEnd();
  // Second pass; returns false with error_ set.
  bool Resolve(bool after_syntax_error);

  bool Fail(int column, std::string message) {
    error_ = {line_, column, std::move(message)};
    return false;
  }
  // The column just past token i-1 (where a missing token was expected).
  static int After(const std::vector<Token>& tok, size_t i) {
    return tok[i - 1].column + static_cast<int>(tok[i - 1].text.size());
  }

  Program p_;
  ProgramParseError error_;
  int line_ = 0;
  int threads_line_ = 0;
  int chain_line_ = 0;
  int schedule_line_ = 0;
  int current_thread_ = -1;
  uint32_t next_slot_ = 0;
  uint32_t bulk_marks_ = 0;
  absl::flat_hash_map<std::string_view, SlotDef> slots_;
  std::vector<SlotDef> slot_defs_;  // by slot number
  std::vector<PendingRef> refs_;
};

std::optional<Program> Parser::Run(std::string_view text, ProgramParseError* error) {
  bool ok = true;
  size_t pos = 0;
  int lines = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    line_ = ++lines;
    const size_t hash = line.find('#');
    if (hash != std::string_view::npos && !Header(line.substr(hash), static_cast<int>(hash) + 1)) {
      ok = false;
      break;
    }
    const std::string_view content = line.substr(0, hash);
    const std::vector<Token> tok = Lex(content);
    if (!tok.empty() && !Statement(content, tok)) {
      ok = false;
      break;
    }
  }
  if (ok) {
    line_ = lines + 1;
    ok = AtEnd();
  }
  const ProgramParseError syntax = error_;
  // A slot error before the syntax error is the first problem, unless it
  // names a slot the rest of the text, unread, might define.
  if (!Resolve(!ok)) {
    if (ok || error_.line < syntax.line || (error_.line == syntax.line && error_.column < syntax.column)) {
      *error = error_;
      return std::nullopt;
    }
  }
  if (!ok) {
    *error = syntax;
    return std::nullopt;
  }
  return std::move(p_);
}

bool Parser::Header(std::string_view comment, int column) {
  if (column != 1 || comment.substr(0, kTextHeader.size()) != kTextHeader) return true;
  std::string_view rest = comment.substr(kTextHeader.size());
  if (!rest.empty() && !IsSpace(rest[0])) return true;  // "# zsfuzz programs ...": a comment
  const std::vector<Token> tok = Lex(rest);
  const int base = column + static_cast<int>(kTextHeader.size()) - 1;
  if (tok.empty())
    return Fail(
        base + static_cast<int>(rest.size()) + 1,
        absl::StrCat("the header has no version, expected '", AV(kTextHeader), " v", kProgramVersion, "'"));
  if (tok[0].text != absl::StrCat("v", kProgramVersion))
    return Fail(base + tok[0].column, absl::StrCat("unsupported program version ", Quote(tok[0].text),
                                                   ", expected v", kProgramVersion));
  if (tok.size() > 1)
    return Fail(base + tok[1].column, absl::StrCat("unexpected ", Quote(tok[1].text),
                                                   " after the version, expected the end of the line"));
  return true;
}

bool Parser::Statement(std::string_view content, const std::vector<Token>& tok) {
  const std::string_view word = tok[0].text;
  if (word == "threads") return ThreadsLine(tok);
  if (word == "chain") return ChainLine(tok);
  if (word == "schedule") return ScheduleLine(content, tok);
  if (word.size() > 1 && word[0] == 't' &&
      word.find_first_not_of("0123456789", 1) == std::string_view::npos && tok.size() > 1 &&
      tok[1].text == ":")
    return ThreadLine(tok);
  if (word.size() > 1 && word[0] == 't' && word.find_first_not_of("0123456789", 1) == std::string_view::npos)
    return Fail(After(tok, 1),
                absl::StrCat("expected ':' after ", AV(word), " ('", AV(word), ": OP ; OP ...')"));
  if (OpCodeFromName(word))
    return Fail(tok[0].column, absl::StrCat("op ", Quote(word),
                                            " outside a thread line, expected 'tI: ", AV(word), " ...'"));
  return Fail(tok[0].column, absl::StrCat("unknown statement ", Quote(word),
                                          ", expected threads, chain, tI:, schedule or a # comment"));
}

bool Parser::Number(const Token& t, const char* what, uint64_t max, uint64_t* out) {
  if (!ParseNumber(t.text, out))
    return Fail(t.column, absl::StrCat("bad ", what, " ", Quote(t.text), ", expected a number 0..", max));
  if (*out > max)
    return Fail(t.column, absl::StrCat(what, " ", AV(t.text), " is out of range, expected 0..", max));
  return true;
}

bool Parser::ThreadsLine(const std::vector<Token>& tok) {
  if (threads_line_ != 0)
    return Fail(tok[0].column, absl::StrCat("'threads' given twice (first at line ", threads_line_,
                                            "), expected one threads line"));
  if (tok.size() < 2)
    return Fail(After(tok, 1),
                absl::StrCat("threads needs a count, expected 'threads N' with N 1..", kMaxThreads));
  uint64_t n = 0;
  if (!ParseNumber(tok[1].text, &n))
    return Fail(tok[1].column, absl::StrCat("bad thread count ", Quote(tok[1].text),
                                            ", expected a number 1..", kMaxThreads));
  if (n < 1 || n > static_cast<uint64_t>(kMaxThreads))
    return Fail(tok[1].column, absl::StrCat(n > 1 ? "too many threads: " : "no threads: ", AV(tok[1].text),
                                            ", expected 1..", kMaxThreads));
  if (tok.size() > 2)
    return Fail(tok[2].column,
                absl::StrCat("unexpected ", Quote(tok[2].text), ", expected the end of the line"));
  threads_line_ = line_;
  p_.threads.resize(n);
  return true;
}

bool Parser::ChainLine(const std::vector<Token>& tok) {
  if (chain_line_ != 0)
    return Fail(tok[0].column, absl::StrCat("'chain' given twice (first at line ", chain_line_,
                                            "), expected one chain line"));
  if (tok.size() < 2)
    return Fail(After(tok, 1), absl::StrCat("chain needs a size, expected 'chain N' with N ", kMinChainSize,
                                            "..", kMaxChainSize));
  uint64_t n = 0;
  if (!ParseNumber(tok[1].text, &n) || n < kMinChainSize || n > kMaxChainSize)
    return Fail(tok[1].column, absl::StrCat("bad chain size ", Quote(tok[1].text), ", expected ",
                                            kMinChainSize, "..", kMaxChainSize));
  if (tok.size() > 2)
    return Fail(tok[2].column,
                absl::StrCat("unexpected ", Quote(tok[2].text), ", expected the end of the line"));
  chain_line_ = line_;
  p_.chain_size = static_cast<unsigned int>(n);
  return true;
}

bool Parser::ScheduleLine(std::string_view content, const std::vector<Token>& tok) {
  if (schedule_line_ != 0)
    return Fail(tok[0].column, absl::StrCat("'schedule' given twice (first at line ", schedule_line_,
                                            "), expected one schedule line"));
  // Schedule::Parse reads whitespace-separated words; hand it the raw text.
  const size_t start = static_cast<size_t>(tok[0].column - 1) + std::string_view("schedule").size();
  std::string schedule_error;
  std::optional<zs_sched::Schedule> s = zs_sched::Schedule::Parse(content.substr(start), &schedule_error);
  if (!s) {
    // The column of the word that breaks it: the shortest failing prefix.
    std::vector<std::string_view> words;
    std::vector<int> columns;
    size_t i = start;
    while (i < content.size()) {
      while (i < content.size() && IsSpace(content[i])) i++;
      const size_t w = i;
      while (i < content.size() && !IsSpace(content[i])) i++;
      if (i > w) {
        words.push_back(content.substr(w, i - w));
        columns.push_back(static_cast<int>(w) + 1);
      }
    }
    int column = static_cast<int>(start) + 2;  // after "schedule ": a missing strategy
    for (size_t k = 1; k <= words.size(); k++) {
      std::string ignored;
      if (!zs_sched::Schedule::Parse(
              absl::StrJoin(
                  std::vector<std::string>(words.begin(), words.begin() + static_cast<ptrdiff_t>(k)), " "),
              &ignored)) {
        column = columns[k - 1];
        break;
      }
    }
    // Schedule::Parse says what it expected, or what a value must be, but not always.
    if (schedule_error.find("expected") == std::string::npos &&
        schedule_error.find("must be") == std::string::npos)
      schedule_error += ", expected the form zsfuzz prints, e.g. 'schedule pct depth=2 seed=17'";
    return Fail(column, schedule_error);
  }
  schedule_line_ = line_;
  p_.schedule = *s;
  return true;
}

bool Parser::ThreadLine(const std::vector<Token>& tok) {
  uint64_t t = 0;
  const std::string_view label = tok[0].text;
  if (threads_line_ == 0)
    return Fail(tok[0].column,
                absl::StrCat("thread line ", AV(label), ": before 'threads N', expected 'threads N' first"));
  const uint64_t n = p_.threads.size();
  if (!ParseNumber(label.substr(1), &t) || t >= n)
    return Fail(
        tok[0].column,
        absl::StrCat("thread ", AV(label), " but 'threads ", n, "' (line ", threads_line_, ") declares t0..t",
                     n - 1, ", expected one of those or more threads (at most ", kMaxThreads, ")"));
  const int64_t current = current_thread_;
  if (static_cast<int64_t>(t) != current && static_cast<int64_t>(t) != current + 1) {
    const std::string expected = current < 0 ? "t0" : absl::StrCat("t", current, " or t", current + 1);
    return Fail(tok[0].column, absl::StrCat("thread line ", AV(label), " out of order, expected ", expected,
                                            " (thread lines go t0, t1, ..., each thread's together)"));
  }
  current_thread_ = static_cast<int>(t);

  size_t i = 2;
  if (i == tok.size()) return true;  // "t2:": no ops, or none on this line
  while (true) {
    if (tok[i].text == ";") return Fail(tok[i].column, "expected an op before ';'");
    if (!OneOp(tok, &i, static_cast<int>(t))) return false;
    if (i == tok.size()) return true;
    if (tok[i].text != ";")
      return Fail(tok[i].column, absl::StrCat("unexpected ", Quote(tok[i].text), " after the ",
                                              OpName(p_.threads[t].back().code),
                                              " op, expected ';' or the end of the line"));
    i++;
    if (i == tok.size()) return Fail(After(tok, i), "expected an op after ';'");
  }
}

bool Parser::OneOp(const std::vector<Token>& tok, size_t* i, int thread) {
  const Token& name = tok[*i];
  std::optional<OpCode> code = OpCodeFromName(name.text);
  if (!code)
    return Fail(name.column,
                absl::StrCat("unknown op ", Quote(name.text), ", expected one of ", AllOpNames()));
  (*i)++;
  Op op;
  op.code = *code;
  const OpArgs args = ArgsOf(*code);
  // The next token, or an error saying what was expected there.
  auto next = [&](const std::string& expected) -> const Token* {
    if (*i < tok.size() && tok[*i].text != ";") return &tok[(*i)++];
    Fail(*i < tok.size() ? tok[*i].column : After(tok, *i), absl::StrCat(OpName(*code), " needs ", expected));
    return nullptr;
  };
  // Resolved in the second pass; recorded only once the whole op parsed.
  std::optional<PendingRef> ref;
  auto slot_ref = [&](const Token& t) {
    std::string_view name = t.text;
    uint64_t offset = 0;
    if (const size_t plus = name.find('+'); plus != std::string_view::npos) {
      if (!ParseNumber(name.substr(plus + 1), &offset) || offset == 0 || offset >= kMaxBulk)
        return Fail(t.column + static_cast<int>(plus) + 1,
                    absl::StrCat("bad member ", Quote(name.substr(plus)), " in ", Quote(name),
                                 ", expected '+I' with I 1..", kMaxBulk - 1,
                                 " ('S+I': member I of S's bulk malloc)"));
      name = name.substr(0, plus);
    }
    if (!IsSlotName(name))
      return Fail(t.column,
                  absl::StrCat("bad slot name ", Quote(name),
                               ", expected a lowercase letter, then lowercase letters, digits or '_'"));
    ref = PendingRef{thread,  p_.threads[thread].size(), name, static_cast<uint32_t>(offset), 0, line_,
                     t.column};
    return true;
  };
  uint32_t members = 1;
  uint64_t v = 0;
  switch (args) {
    case OpArgs::kSize: {
      const std::string usage =
          absl::StrCat("a size, expected 'malloc N -> SLOT' with N 0..", kMaxMallocSize);
      const Token* size = next(usage);
      if (size == nullptr || !Number(*size, "size", kMaxMallocSize, &v)) return false;
      op.size = static_cast<uint32_t>(v);
      if (!Times(tok, i, *code, &members)) return false;
      const Token* arrow = next("'->' after the size, expected 'malloc N -> SLOT'");
      if (arrow == nullptr) return false;
      if (arrow->text != "->")
        return Fail(arrow->column, absl::StrCat("unexpected ", Quote(arrow->text),
                                                ", expected '->' and a slot name ('malloc N -> SLOT')"));
      const Token* slot = next("a slot name after '->', expected 'malloc N -> SLOT'");
      if (slot == nullptr) return false;
      if (!IsSlotName(slot->text))
        return Fail(slot->column,
                    absl::StrCat("bad slot name ", Quote(slot->text),
                                 ", expected a lowercase letter, then lowercase letters, digits or '_'"));
      if (auto it = slots_.find(slot->text); it != slots_.end())
        return Fail(slot->column,
                    absl::StrCat("slot ", Quote(slot->text), " is already defined (line ", it->second.line,
                                 ", column ", it->second.column, "), expected a new slot name"));
      const SlotDef def{next_slot_, thread, p_.threads[thread].size(), line_, slot->column, members};
      slots_[slot->text] = def;
      for (uint32_t k = 0; k < members; k++) {
        slot_defs_.push_back(def);
        slot_defs_.back().slot += k;
        slot_defs_.back().index += k;
      }
      op.slot = next_slot_;
      next_slot_ += members;
      break;
    }
    case OpArgs::kSlot: {
      const Token* slot = next(absl::StrCat("a slot, expected '", OpName(*code), " SLOT'"));
      if (slot == nullptr || !slot_ref(*slot)) return false;
      if (*code == OpCode::kFree && !Times(tok, i, *code, &members)) return false;
      break;
    }
    case OpArgs::kSlotPage: {
      const std::string usage = absl::StrCat("'", OpName(*code), " SLOT page P'");
      const Token* slot = next(absl::StrCat("a slot, expected ", usage));
      if (slot == nullptr || !slot_ref(*slot)) return false;
      const Token* page = next(absl::StrCat("'page P' after the slot, expected ", usage));
      if (page == nullptr) return false;
      if (page->text != "page")
        return Fail(page->column, absl::StrCat("unexpected ", Quote(page->text), ", expected ", usage));
      const Token* number = next(absl::StrCat("a page index, expected ", usage, " with P 0..", kMaxPage));
      if (number == nullptr || !Number(*number, "page", kMaxPage, &v)) return false;
      op.page = static_cast<uint32_t>(v);
      break;
    }
    case OpArgs::kValue: {
      const Token* value =
          next(absl::StrCat("a number, expected '", OpName(*code), " N' with N 0..", kMaxOpValue));
      if (value == nullptr || !Number(*value, "value", kMaxOpValue, &v)) return false;
      op.value = static_cast<uint32_t>(v);
      break;
    }
    case OpArgs::kNone:
      break;
  }
  if (bulk_marks_ + members - 1 > kMaxBulkMarks)
    return Fail(name.column, absl::StrCat("this bulk op takes the program past ", kMaxBulkMarks,
                                          " bulk members after the first of each, expected fewer"));
  bulk_marks_ += members - 1;
  for (uint32_t k = 0; k < members; k++) {
    if (ref) {
      refs_.push_back(*ref);
      refs_.back().index += k;
      refs_.back().member = k;
    }
    p_.threads[thread].push_back(op);
    op.bulk = true;
    if (*code == OpCode::kMalloc) op.slot++;
  }
  return true;
}

bool Parser::Times(const std::vector<Token>& tok, size_t* i, OpCode code, uint32_t* members) {
  *members = 1;
  if (*i >= tok.size() || tok[*i].text != "x") return true;
  (*i)++;
  const bool malloc = code == OpCode::kMalloc;
  const std::string usage = malloc ? "'malloc N x K -> SLOT'" : "'free SLOT x K'";
  if (*i >= tok.size() || tok[*i].text == ";")
    return Fail(After(tok, *i), absl::StrCat("a count after 'x', expected ", usage, " with K 1..", kMaxBulk));
  uint64_t k = 0;
  if (!Number(tok[*i], "count", kMaxBulk, &k)) return false;
  if (k == 0) return Fail(tok[*i].column, absl::StrCat("count 0, expected ", usage, " with K 1..", kMaxBulk));
  (*i)++;
  *members = static_cast<uint32_t>(k);
  return true;
}

bool Parser::AtEnd() {
  if (threads_line_ == 0)
    return Fail(1, absl::StrCat("end of input without a 'threads N' line, expected 'threads N' (1..",
                                kMaxThreads, ") and a 'tI:' line per thread"));
  const int n = static_cast<int>(p_.threads.size());
  if (current_thread_ < n - 1)
    return Fail(1, absl::StrCat("end of input without a line for t", current_thread_ + 1, ", expected a 't",
                                current_thread_ + 1, ":' line ('threads ", n, "' at line ", threads_line_,
                                " declares t0..t", n - 1, ")"));
  return true;
}

bool Parser::Resolve(bool after_syntax_error) {
  for (const PendingRef& ref : refs_) {
    Op& op = p_.threads[ref.thread][ref.index];
    const char* name = OpName(op.code);
    auto it = slots_.find(ref.name);
    line_ = ref.line;
    if (it == slots_.end()) {
      if (after_syntax_error) continue;  // the unread rest might define it
      if (ArgsOf(op.code) == OpArgs::kSlot)
        return Fail(ref.column,
                    absl::StrCat("unknown slot ", Quote(ref.name), ", expected a slot t", ref.thread,
                                 " malloc'd earlier ('malloc N -> ", AV(ref.name), "')"));
      return Fail(ref.column, absl::StrCat("unknown slot ", Quote(ref.name),
                                           ", expected a slot some thread defines with 'malloc N -> ",
                                           AV(ref.name), "'"));
    }
    const SlotDef& named = it->second;
    if (ref.offset >= named.members)
      return Fail(ref.column, absl::StrCat("slot ", Quote(absl::StrCat(AV(ref.name), "+", ref.offset)), ": ",
                                           Quote(ref.name), " (line ", named.line, ") has ", named.members,
                                           " member(s), expected an offset below that"));
    const uint32_t slot = named.slot + ref.offset + ref.member;
    if (slot >= slot_defs_.size())
      return Fail(ref.column, absl::StrCat(name, " ", Quote(ref.name), " x ", ref.member + 1,
                                           " runs past the last slot, expected fewer members"));
    const SlotDef& def = slot_defs_[slot];
    const std::string what =
        ref.member == 0 ? Quote(ref.name) : absl::StrCat(Quote(ref.name), "'s member ", ref.member + 1);
    if (ArgsOf(op.code) == OpArgs::kSlot) {
      if (def.thread != ref.thread)
        return Fail(ref.column, absl::StrCat("slot ", what, " belongs to t", def.thread, " (line ", def.line,
                                             "), expected a slot t", ref.thread, " malloc'd earlier: ", name,
                                             " acts only on its own thread's handles"));
      if (def.index >= ref.index)
        return Fail(ref.column,
                    absl::StrCat("slot ", what, " is used before it is defined (line ", def.line, ", column ",
                                 def.column, "), expected a slot t", ref.thread, " malloc'd earlier"));
    }
    op.slot = slot;
  }
  return true;
}

}  // namespace

std::optional<Program> ParseProgram(std::string_view text, ProgramParseError* error) {
  Parser parser;
  return parser.Run(text, error);
}

}  // namespace zsfuzz
