// File: program/mutator.h
//
// The structure-aware mutator: decodes the fuzz input into a Program, changes
// the program (not its bytes), and encodes it again, so every output is a
// valid program one meaningful step away from its input. The fuzz targets
// call these from LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver.
//
// Deterministic: the same input and seed give the same output, on every
// machine (zsfuzz::Prng; nothing else is random).
//
// Example (in a fuzz target):
//   extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size,
//                                             size_t max_size, unsigned int seed) {
//     return zsfuzz::MutateProgramBytes(data, size, max_size, seed);
//   }
#pragma once

#include <cstddef>
#include <cstdint>

#include "oracle/program/prng.h"
#include "oracle/program/program.h"

namespace zsfuzz {

// One kind of change. Each names what it does to the program.
enum class Mutation {
  kInsertOp,             // a new op (a malloc of an edge size, or an op on an existing slot)
  kDeleteOp,             // removes an op (ops that used a deleted malloc's slot move to another or go)
  kDuplicateOp,          // copies an op to another place in its thread (a copied malloc defines a new slot)
  kMoveOp,               // moves an op within its thread
  kRetargetOp,           // moves an op to another thread
  kReplaceOp,            // another op code, keeping the arguments that still apply
  kChangeSize,           // a malloc size: class edges, huge_class_size, 0, 4097, near or random
  kChangeSlot,           // the slot an op names
  kChangePage,           // the page of isolate/migrate/putback
  kChangeValue,          // the N of shrink_scan, fail_pages, fail_slab, pressure
  kAddThread,            // a new thread: a copy of part of another, or a few new ops
  kRemoveThread,         // drops a thread
  kChangeChain,          // CONFIG_ZSMALLOC_CHAIN_SIZE
  kChangeStrategy,       // random / pct / rr
  kChangeSeed,           // the schedule's PRNG seed
  kChangeScheduleParam,  // pct depth or steps, rr quantum
  kChangeScheduleData,   // the explicit decisions: insert, delete, change, truncate
  kInsertBulk,           // a bulk malloc (mostly of a small class) or a bulk free of own slots in a row
  kResizeBulk,           // a bulk op's members: doubled, halved, one more or one fewer
};
inline constexpr int kNumMutations = static_cast<int>(Mutation::kResizeBulk) + 1;

// "insert_op", "change_schedule_data", ...
const char* MutationName(Mutation m);

// Applies `m` to `p` (valid) with choices from `rng`; `p` stays valid.
// Returns false, leaving `p` as it was, when `m` cannot apply (no ops to
// delete, one thread to retarget to, a random schedule's parameters). It may
// return true with `p` unchanged when the choice lands on the same value.
bool ApplyMutation(Mutation m, Program* p, Prng* rng);

// A splice of two valid programs: threads taken from either, or a thread made
// of a prefix of one and a suffix of the other, or b's threads added to a's;
// the chain and schedule of either. Slots are renumbered; references that
// lose their malloc move to another slot or go.
Program CrossOver(const Program& a, const Program& b, Prng* rng);

// LLVMFuzzerCustomMutator's contract: mutates data[0, size) in place into at
// most max_size bytes and returns the new size. Applies one to four
// mutations; the output decodes to a valid program different from the input
// whenever one exists within max_size (ops are dropped to fit).
size_t MutateProgramBytes(uint8_t* data, size_t size, size_t max_size, unsigned int seed);

// LLVMFuzzerCustomCrossOver's contract: writes a splice of the programs in
// data1 and data2 to out (at most max_out_size bytes) and returns its size.
size_t CrossOverProgramBytes(const uint8_t* data1, size_t size1, const uint8_t* data2, size_t size2,
                             uint8_t* out, size_t max_out_size, unsigned int seed);

}  // namespace zsfuzz
