// File: stress_program.h
//
// The op program `zsfuzz stress` runs: one long random stream of ops per
// thread, drawn from Prng::StreamSeed(seed, thread), that the program
// executor (oracle/exec) runs and the oracle (oracle/check.h, CheckVariant)
// judges, exactly as it judges the fuzz targets' programs.
//
// Each thread works on objects it allocated (the program's slot rule): malloc
// of every size class (0 and > PAGE_SIZE for the error paths) followed by a write,
// write, read, read_sg, free, page migration of one of its objects' zspage
// pages, zs_compact, the shrinker, a flush of the deferred free and stats
// reads, weighted as the stress engine always was; the live-set target swings
// every 2048 ops so whole zspages empty (free_zspage, the deferred free and
// the compactor). After its ops each thread reads back every object it still
// holds, with both read paths; the executor's drain then frees them.
//
// Example:
//   zsfuzz::StressProgram sp = zsfuzz::MakeStressProgram(opt);
//   zsfuzz::VariantCheck c = zsfuzz::CheckVariant(sp.program, opt.variant, {});
#pragma once

#include <cstdint>
#include <vector>

#include "fuzzers/stress/stress.h"
#include "oracle/program/program.h"

namespace zsfuzz {

struct StressProgram {
  Program program;
  // Per thread: [random_begin, random_end) are its opt.ops_per_thread random
  // ops (a malloc and the write after it count as one); before them the
  // zone-pressure op, after them the final read-back.
  std::vector<uint32_t> random_begin;
  std::vector<uint32_t> random_end;
};

// The program of `opt` (threads, ops_per_thread, seed, chain_size,
// zone_pressure, migrate, compact), with `schedule` as its schedule (it only
// matters on the deterministic backend).
StressProgram MakeStressProgram(const StressOptions& opt, const zs_sched::Schedule& schedule);

}  // namespace zsfuzz
