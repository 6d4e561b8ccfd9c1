// Schedule text form: printing and parsing.
#include "allocator/kernel/sched/schedule.h"

#include <charconv>
#include <cstdio>

namespace zs_sched {
namespace {

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::vector<std::string_view> Tokens(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) i++;
    const size_t start = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) i++;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

const char* KeysFor(Strategy s) {
  switch (s) {
    case Strategy::kRandom:
      return "seed, data";
    case Strategy::kPct:
      return "depth, seed, steps, data";
    case Strategy::kRoundRobin:
      return "quantum, seed, data";
  }
  return "";
}

bool KeyApplies(Strategy s, std::string_view key) {
  if (key == "seed" || key == "data") return true;
  if (key == "depth" || key == "steps") return s == Strategy::kPct;
  if (key == "quantum") return s == Strategy::kRoundRobin;
  return false;
}

// "0,1,2" (or, for the bare form, one number per token).
bool ParseData(std::string_view list, std::vector<uint32_t>* data, std::string* bad) {
  size_t i = 0;
  while (i <= list.size()) {
    size_t comma = list.find(',', i);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string_view item = list.substr(i, comma - i);
    uint64_t v;
    if (!ParseU64(item, &v) || v > UINT32_MAX) {
      *bad = std::string(item);
      return false;
    }
    data->push_back(static_cast<uint32_t>(v));
    i = comma + 1;
  }
  return true;
}

}  // namespace

const char* StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kRandom:
      return "random";
    case Strategy::kPct:
      return "pct";
    case Strategy::kRoundRobin:
      return "rr";
  }
  return "?";
}

std::optional<Strategy> ParseStrategy(std::string_view name) {
  if (name == "random") return Strategy::kRandom;
  if (name == "pct") return Strategy::kPct;
  if (name == "rr") return Strategy::kRoundRobin;
  return std::nullopt;
}

std::string Schedule::ToString() const {
  std::string out = "schedule ";
  out += StrategyName(strategy);
  char buf[64];
  switch (strategy) {
    case Strategy::kRandom:
      std::snprintf(buf, sizeof buf, " seed=%llu", static_cast<unsigned long long>(seed));
      out += buf;
      break;
    case Strategy::kPct:
      std::snprintf(buf, sizeof buf, " depth=%d seed=%llu", depth, static_cast<unsigned long long>(seed));
      out += buf;
      if (steps != kDefaultPctSteps) {
        std::snprintf(buf, sizeof buf, " steps=%llu", static_cast<unsigned long long>(steps));
        out += buf;
      }
      break;
    case Strategy::kRoundRobin:
      if (quantum != 1) {
        std::snprintf(buf, sizeof buf, " quantum=%u", quantum);
        out += buf;
      }
      if (seed != 0) {
        std::snprintf(buf, sizeof buf, " seed=%llu", static_cast<unsigned long long>(seed));
        out += buf;
      }
      break;
  }
  if (!data.empty()) {
    out += " data=";
    for (size_t i = 0; i < data.size(); i++) {
      if (i) out += ',';
      out += std::to_string(data[i]);
    }
  }
  return out;
}

std::optional<Schedule> Schedule::Parse(std::string_view text, std::string* error) {
  std::vector<std::string_view> tok = Tokens(text);
  size_t i = 0;
  if (i < tok.size() && tok[i] == "schedule") i++;
  auto fail = [&](const std::string& what) {
    *error = "schedule: " + what;
    return std::nullopt;
  };
  if (i == tok.size()) return fail("missing strategy (expected random, pct, rr or schedule data)");

  Schedule s;
  // Bare data: "schedule 0 1 1 2 0".
  uint64_t first;
  if (ParseU64(tok[i], &first)) {
    for (; i < tok.size(); i++) {
      uint64_t v;
      if (!ParseU64(tok[i], &v) || v > UINT32_MAX)
        return fail("bad schedule data " + Quote(tok[i]) + " (expected a number 0..4294967295)");
      s.data.push_back(static_cast<uint32_t>(v));
    }
    return s;
  }
  std::optional<Strategy> strat = ParseStrategy(tok[i]);
  if (!strat) return fail("unknown strategy " + Quote(tok[i]) + " (expected random, pct or rr)");
  s.strategy = *strat;
  i++;

  std::vector<std::string_view> seen;
  for (; i < tok.size(); i++) {
    const std::string_view t = tok[i];
    const size_t eq = t.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return fail("expected key=value, got " + Quote(t) + " (keys for " + StrategyName(s.strategy) + ": " +
                  KeysFor(s.strategy) + ")");
    const std::string_view key = t.substr(0, eq);
    const std::string_view value = t.substr(eq + 1);
    if (!KeyApplies(s.strategy, key))
      return fail("unknown key " + Quote(key) + " for " + StrategyName(s.strategy) + " (expected " +
                  KeysFor(s.strategy) + ")");
    for (std::string_view k : seen)
      if (k == key) return fail("key " + Quote(key) + " given twice");
    seen.push_back(key);

    if (key == "data") {
      std::string bad;
      if (!ParseData(value, &s.data, &bad))
        return fail("bad schedule data " + Quote(bad) + " in " + Quote(t) +
                    " (expected comma-separated numbers 0..4294967295)");
      continue;
    }
    uint64_t v;
    if (!ParseU64(value, &v)) return fail("bad number " + Quote(value) + " for " + std::string(key));
    if (key == "seed") {
      s.seed = v;
    } else if (key == "depth") {
      if (v < 1 || v > kMaxPctDepth)
        return fail("pct depth must be 1.." + std::to_string(kMaxPctDepth) + ", got " + std::string(value));
      s.depth = static_cast<int>(v);
    } else if (key == "steps") {
      if (v < 1) return fail("pct steps must be at least 1, got " + std::string(value));
      s.steps = v;
    } else if (key == "quantum") {
      if (v < 1 || v > UINT32_MAX) return fail("rr quantum must be 1..4294967295, got " + std::string(value));
      s.quantum = static_cast<uint32_t>(v);
    }
  }
  return s;
}

bool Schedule::operator==(const Schedule& o) const {
  if (strategy != o.strategy || seed != o.seed || data != o.data) return false;
  switch (strategy) {
    case Strategy::kRandom:
      return true;
    case Strategy::kPct:
      return depth == o.depth && steps == o.steps;
    case Strategy::kRoundRobin:
      return quantum == o.quantum;
  }
  return false;
}

}  // namespace zs_sched
