// Draft <-> Program: labels to slot numbers, with the repairs of draft.h.
#include "fuzzers/mutator/draft.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace zsfuzz {

Draft ToDraft(const Program& p, uint32_t label_base) {
  Draft d;
  d.chain_size = p.chain_size;
  d.schedule = p.schedule;
  d.threads.resize(p.threads.size());
  for (size_t t = 0; t < p.threads.size(); t++) {
    d.threads[t].reserve(p.threads[t].size());
    for (const Op& op : p.threads[t]) {
      const OpArgs args = ArgsOf(op.code);
      const bool has_slot = args == OpArgs::kSize || args == OpArgs::kSlot || args == OpArgs::kSlotPage;
      d.threads[t].push_back({op, has_slot ? label_base + op.slot : 0});
    }
  }
  d.next_label = label_base + static_cast<uint32_t>(p.NumSlots());
  return d;
}

Program FromDraft(const Draft& d) {
  Program p;
  p.chain_size = std::clamp(d.chain_size, kMinChainSize, kMaxChainSize);
  p.schedule = d.schedule;
  const size_t threads = std::clamp<size_t>(d.threads.size(), 1, kMaxThreads);
  p.threads.resize(threads);

  struct Def {
    uint32_t slot;
    size_t thread;
    size_t index;
  };
  absl::flat_hash_map<uint32_t, Def> defs;
  uint32_t total = 0;
  for (size_t t = 0; t < std::min(threads, d.threads.size()); t++) {
    for (size_t i = 0; i < d.threads[t].size(); i++) {
      const DraftOp& op = d.threads[t][i];
      if (op.op.code == OpCode::kMalloc) defs.try_emplace(op.label, Def{total++, t, i});
    }
  }

  uint32_t next_slot = 0;
  for (size_t t = 0; t < std::min(threads, d.threads.size()); t++) {
    bool have_own = false;
    uint32_t latest_own = 0;  // this thread's latest slot so far
    for (size_t i = 0; i < d.threads[t].size(); i++) {
      const DraftOp& in = d.threads[t][i];
      Op op = in.op;
      switch (ArgsOf(op.code)) {
        case OpArgs::kSize:
          op.size = std::min(op.size, kMaxMallocSize);
          op.slot = next_slot++;
          have_own = true;
          latest_own = op.slot;
          break;
        case OpArgs::kSlot: {
          auto it = defs.find(in.label);
          if (it != defs.end() && it->second.thread == t && it->second.index < i) {
            op.slot = it->second.slot;
          } else if (have_own) {
            op.slot = latest_own;
          } else {
            continue;  // nothing of its own to act on: dropped
          }
          break;
        }
        case OpArgs::kSlotPage: {
          auto it = defs.find(in.label);
          if (it != defs.end()) {
            op.slot = it->second.slot;
          } else if (total > 0) {
            op.slot = in.label % total;
          } else {
            continue;  // no slot anywhere: dropped
          }
          op.page = std::min(op.page, kMaxPage);
          break;
        }
        case OpArgs::kValue:
          op.value = std::min(op.value, kMaxOpValue);
          break;
        case OpArgs::kNone:
          break;
      }
      p.threads[t].push_back(op);
    }
  }
  Normalize(&p);
  return p;
}

}  // namespace zsfuzz
