// File: failure.h
//
// One failed check, as every check of the oracle reports it, before check.cc
// turns the first one into a Verdict. Checks are pure functions of a run's
// record (exec/executor.h), so tests feed them crafted records too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace zsfuzz::oracle {

// The check families, strongest first; also the tie-break between failures
// at the same position.
enum class Level { kKernel, kModel, kInvariant, kInflight, kDiff, kReplay };
// "kernel", "model", "invariant", "inflight", "sequential-diff" / "concurrent-diff",
// "linearization" (level 5, linearization.h).
const char* LevelCheckName(Level level, bool sequential);

struct Failure {
  Level level = Level::kModel;
  // Stable name of what failed, e.g. "class.obj_allocated" (Verdict::signature
  // is check + ":" + field; no number that depends on the program).
  std::string field;
  // The verdict's first line: field and values, e.g. "class 17 obj_allocated: pre=60 post=64".
  std::string headline;
  // Where it was seen: "after t0 op 4 (free c)", "after the drain".
  std::string where;
  // The run it is about (for a differential, variant b's).
  std::string variant;
  // Order among failures of one check: sequential runs use thread 0's op
  // index, then kPosDrained.. for the end of the run; concurrent runs use the
  // kPos* phases only. The smallest position wins, then the lowest level.
  uint64_t position = 0;
  // The program thread and op it happened in, for the trace excerpt (-1: none).
  int thread = -1;
  long op = -1;
};

// Positions after the last op (sequential) or by phase (concurrent).
inline constexpr uint64_t kPosOps = 0;  // a concurrent run's ops
inline constexpr uint64_t kPosDrained = uint64_t{1} << 40;
inline constexpr uint64_t kPosInflight = kPosDrained + 1;
inline constexpr uint64_t kPosCompared = kPosDrained + 2;
inline constexpr uint64_t kPosEmptied = kPosDrained + 3;
inline constexpr uint64_t kPosTeardown = kPosDrained + 4;

// Keeps the earlier of two failures in *best.
void KeepFirst(std::optional<Failure>* best, std::optional<Failure> f);

// The stats index names of zs_class_info::stats: "ratio_0" (empty zspages,
// not in the debugfs table), "10%" .. "99%", "100%", "obj_allocated", "obj_used".
const char* ClassStatName(int i);
// The order the checks compare a class's stats in: obj_allocated and
// obj_used first (what a user reads), then the fullness groups 0..11.
inline constexpr int kClassStatOrder[14] = {12, 13, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
// The fullness group of a zspage with `inuse` of `objs` objects (reference 1.4).
int FullnessGroup(unsigned int inuse, unsigned int objs);

}  // namespace zsfuzz::oracle
