// File: program/draft.h
//
// A program under edit, for the mutator: slot references are labels instead
// of slot numbers, so ops can move, vanish, be copied and cross threads
// without renumbering anything by hand. FromDraft numbers the slots again and
// repairs what the edit broke, the same way every time.
//
// Example:
//   Draft d = ToDraft(p);
//   d.threads[1].push_back(d.threads[0][0]);  // copy t0's first op into t1
//   Program q = FromDraft(d);                  // valid, normalized
#pragma once

#include <cstdint>
#include <vector>

#include "oracle/program/program.h"

namespace zsfuzz {

struct DraftOp {
  Op op;           // op.slot is not used; label says which slot
  uint32_t label;  // malloc: the label it defines; kSlot/kSlotPage: the label it names
};

struct Draft {
  unsigned int chain_size = kDefaultChainSize;
  std::vector<std::vector<DraftOp>> threads;
  zs_sched::Schedule schedule;
  uint32_t next_label = 0;  // above every label in use

  uint32_t NewLabel() { return next_label++; }
};

// Labels are the slot numbers plus `label_base` (to keep two programs' labels
// apart when they are spliced).
Draft ToDraft(const Program& p, uint32_t label_base = 0);

// The valid, normalized program of `d`. Repairs: 1..kMaxThreads threads (an
// empty draft gets one empty thread, threads past 8 are dropped); a malloc
// whose label an earlier malloc already defines still defines its own slot,
// but references go to the first; free/write/read/read_sg naming no malloc
// earlier in their thread take the thread's latest slot before them, or are
// dropped if it has none; isolate/migrate/putback naming no malloc take slot
// label % slot count, or are dropped if there are no slots; sizes, pages and
// values are clamped to their ranges.
Program FromDraft(const Draft& d);

}  // namespace zsfuzz
