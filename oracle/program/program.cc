// Program basics: slot names, the op table's names and kinds, Validate and
// Normalize.
#include "oracle/program/program.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"

namespace zsfuzz {
namespace {

struct OpRow {
  const char* name;
  OpArgs args;
};

constexpr OpRow kOpRows[] = {
#define ZS_OP(name, text, args) {text, OpArgs::args},
#include "oracle/program/ops.def"
#undef ZS_OP
};
static_assert(std::size(kOpRows) == kNumOpCodes);

bool UsesSize(OpArgs a) { return a == OpArgs::kSize; }
bool UsesSlot(OpArgs a) { return a == OpArgs::kSize || a == OpArgs::kSlot || a == OpArgs::kSlotPage; }
bool UsesPage(OpArgs a) { return a == OpArgs::kSlotPage; }
bool UsesValue(OpArgs a) { return a == OpArgs::kValue; }

// "t1 op 3 (free): " for error messages.
std::string Where(size_t thread, size_t index, OpCode code) {
  return absl::StrFormat("t%d op %d (%s): ", thread, index, OpName(code));
}

std::string ValidateSchedule(const zs_sched::Schedule& s) {
  switch (s.strategy) {
    case zs_sched::Strategy::kRandom:
      return "";
    case zs_sched::Strategy::kPct:
      if (s.depth < 1 || s.depth > zs_sched::Schedule::kMaxPctDepth)
        return absl::StrFormat("schedule: pct depth %d is outside 1..%d", s.depth,
                               zs_sched::Schedule::kMaxPctDepth);
      if (s.steps < 1) return "schedule: pct steps must be at least 1";
      return "";
    case zs_sched::Strategy::kRoundRobin:
      if (s.quantum < 1) return "schedule: rr quantum must be at least 1";
      return "";
  }
  return "schedule: unknown strategy";
}

// Whether `op` may carry a bulk mark after `prev`, its thread's previous op,
// in a bulk op that has `members` members before it (program.h, "Bulk ops").
bool BulkMarkFits(const Op& prev, const Op& op, uint32_t members) {
  if (members >= kMaxBulk || prev.code != op.code) return false;
  if (op.code == OpCode::kMalloc) return prev.size == op.size;
  return op.code == OpCode::kFree && op.slot == prev.slot + 1;
}

}  // namespace

int Program::NumSlots() const {
  int n = 0;
  for (const std::vector<Op>& ops : threads)
    for (const Op& op : ops) n += op.code == OpCode::kMalloc;
  return n;
}

std::string SlotName(uint32_t slot) {
  // Bijective base 26: a..z, aa..zz, aaa...
  std::string name;
  uint64_t n = uint64_t{slot} + 1;
  while (n > 0) {
    n--;
    name.insert(name.begin(), static_cast<char>('a' + n % 26));
    n /= 26;
  }
  return name;
}

const char* OpName(OpCode code) {
  const auto i = static_cast<size_t>(code);
  return i < std::size(kOpRows) ? kOpRows[i].name : "?";
}

OpArgs ArgsOf(OpCode code) {
  const auto i = static_cast<size_t>(code);
  return i < std::size(kOpRows) ? kOpRows[i].args : OpArgs::kNone;
}

std::optional<OpCode> OpCodeFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kOpRows); i++)
    if (name == kOpRows[i].name) return static_cast<OpCode>(i);
  return std::nullopt;
}

std::string Validate(const Program& p) {
  if (p.version != kProgramVersion)
    return absl::StrFormat("version %d, expected %d", p.version, kProgramVersion);
  if (p.chain_size < kMinChainSize || p.chain_size > kMaxChainSize)
    return absl::StrFormat("chain %u is outside %u..%u", p.chain_size, kMinChainSize, kMaxChainSize);
  if (p.threads.empty() || p.threads.size() > static_cast<size_t>(kMaxThreads))
    return absl::StrFormat("%d threads, expected 1..%d", p.threads.size(), kMaxThreads);

  const uint32_t num_slots = static_cast<uint32_t>(p.NumSlots());
  std::vector<int> owner(num_slots, -1);  // thread of each slot defined so far
  uint32_t next_slot = 0;
  uint32_t marks = 0;
  for (size_t t = 0; t < p.threads.size(); t++) {
    uint32_t members = 1;  // of the bulk op the previous op belongs to
    for (size_t i = 0; i < p.threads[t].size(); i++) {
      const Op& op = p.threads[t][i];
      if (static_cast<int>(op.code) >= kNumOpCodes)
        return absl::StrFormat("t%d op %d: op code %d is not in ops.def", t, i, static_cast<int>(op.code));
      const OpArgs args = ArgsOf(op.code);
      const std::string where = Where(t, i, op.code);
      if (op.bulk) {
        if (i == 0 || !BulkMarkFits(p.threads[t][i - 1], op, members))
          return where + "bulk mark where no bulk op continues (not normalized)";
        if (++marks > kMaxBulkMarks) return where + absl::StrFormat("more than %u bulk marks", kMaxBulkMarks);
      }
      members = op.bulk ? members + 1 : 1;
      if (!UsesSize(args) && op.size != 0) return where + "size must be 0 (not normalized)";
      if (!UsesSlot(args) && op.slot != 0) return where + "slot must be 0 (not normalized)";
      if (!UsesPage(args) && op.page != 0) return where + "page must be 0 (not normalized)";
      if (!UsesValue(args) && op.value != 0) return where + "value must be 0 (not normalized)";
      switch (args) {
        case OpArgs::kSize:
          if (op.size > kMaxMallocSize)
            return where + absl::StrFormat("size %u is above %u", op.size, kMaxMallocSize);
          if (op.slot != next_slot)
            return where + absl::StrFormat("defines slot %u, expected %u (slots count up in thread order)",
                                           op.slot, next_slot);
          owner[next_slot++] = static_cast<int>(t);
          break;
        case OpArgs::kSlot:
          if (op.slot >= next_slot || owner[op.slot] != static_cast<int>(t)) {
            if (op.slot < num_slots && op.slot < next_slot)
              return where + absl::StrFormat("slot '%s' belongs to t%d, not this thread", SlotName(op.slot),
                                             owner[op.slot]);
            return where +
                   absl::StrFormat("slot '%s' is not defined earlier in this thread", SlotName(op.slot));
          }
          break;
        case OpArgs::kSlotPage:
          if (op.slot >= num_slots)
            return where + absl::StrFormat("slot %u does not exist (%u slots)", op.slot, num_slots);
          if (op.page > kMaxPage) return where + absl::StrFormat("page %u is above %u", op.page, kMaxPage);
          break;
        case OpArgs::kValue:
          if (op.value > kMaxOpValue)
            return where + absl::StrFormat("value %u is above %u", op.value, kMaxOpValue);
          break;
        case OpArgs::kNone:
          break;
      }
    }
  }
  return ValidateSchedule(p.schedule);
}

void Normalize(Program* p) {
  // Old malloc slot number -> new one; the first malloc naming a number wins.
  absl::flat_hash_map<uint32_t, uint32_t> renamed;
  uint32_t next_slot = 0;
  for (std::vector<Op>& ops : p->threads) {
    for (Op& op : ops) {
      const OpArgs args = ArgsOf(op.code);
      if (!UsesSize(args)) op.size = 0;
      if (!UsesSlot(args)) op.slot = 0;
      if (!UsesPage(args)) op.page = 0;
      if (!UsesValue(args)) op.value = 0;
      if (args == OpArgs::kSize) {
        renamed.try_emplace(op.slot, next_slot);
        op.slot = next_slot++;
      }
    }
  }
  for (std::vector<Op>& ops : p->threads) {
    for (Op& op : ops) {
      const OpArgs args = ArgsOf(op.code);
      if (args != OpArgs::kSlot && args != OpArgs::kSlotPage) continue;
      auto it = renamed.find(op.slot);
      // A reference to no malloc gets a number no slot has, for Validate.
      op.slot = it != renamed.end() ? it->second : next_slot;
    }
  }
  uint32_t marks = 0;
  for (std::vector<Op>& ops : p->threads) {
    uint32_t members = 1;
    for (size_t i = 0; i < ops.size(); i++) {
      Op& op = ops[i];
      if (op.bulk) op.bulk = i > 0 && marks < kMaxBulkMarks && BulkMarkFits(ops[i - 1], op, members);
      marks += op.bulk;
      members = op.bulk ? members + 1 : 1;
    }
  }

  zs_sched::Schedule& s = p->schedule;
  if (s.strategy != zs_sched::Strategy::kPct) {
    s.depth = zs_sched::Schedule::kDefaultPctDepth;
    s.steps = zs_sched::Schedule::kDefaultPctSteps;
  }
  if (s.strategy != zs_sched::Strategy::kRoundRobin) s.quantum = 1;
}

}  // namespace zsfuzz
