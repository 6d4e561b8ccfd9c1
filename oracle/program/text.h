// File: program/text.h
//
// The text form of an op program: corpus seeds, reports, reproducers.
//
//   # zsfuzz program v1
//   threads 3
//   t0: malloc 1200 -> a ; write a ; read a ; free a
//   t1: malloc 40 -> b ; compact ; free b
//   t2: migrate b page 0 ; flush
//   schedule pct depth=2 seed=17
//
// Grammar, one statement a line; '#' starts a comment to the end of the line,
// blank lines are ignored:
//   # zsfuzz program v1     the header: marks a file as text (see
//                           program_file.h); optional here, but a header
//                           naming another version is an error
//   threads N               1..8, once, before the thread lines
//   chain N                 CONFIG_ZSMALLOC_CHAIN_SIZE, 4..16; optional, default 8
//   tI: OP ; OP ; ...       thread I's ops. Thread lines go in order t0, t1, ...;
//                           several lines of one thread continue it; every
//                           thread has at least one line ("t2:" for no ops)
//   schedule ...            zs_sched::Schedule's text form; optional, default
//                           "schedule random seed=0"
// Ops, by their ops.def args:
//   malloc N -> S           N 0..kMaxMallocSize (8192 on 4 KiB pages); S a
//                           new slot name: a lowercase letter, then
//                           lowercase letters, digits or '_'
//   malloc N x K -> S       a bulk malloc (program.h, "Bulk ops"): K (1..256)
//                           slots, S and then S+1 .. S+(K-1)
//   free S, write S, read S, read_sg S       S malloc'd earlier by this thread
//   free S x K              a bulk free of S and the K-1 slots after it, all
//                           malloc'd earlier by this thread
// A slot is named S, or S+I for member I of the bulk malloc that defined S.
//   isolate S page P, migrate S page P, putback S page P
//                           S any slot of any thread, also one defined later;
//                           P 0..15
//   shrink_scan N, fail_pages N, fail_slab N, pressure N    N 0..1024
//   compact, shrink_count, flush, stat_pages, stat_pool, stat_classes
// Slots are numbered in order of definition (thread 0's first), whatever
// their names; PrintProgram names them a, b, ..., z, aa, ... (SlotName), and
// the later members of a bulk malloc by their first: a+1, a+2, ...
//
// PrintProgram's form is canonical: the header, "threads N", "chain N" unless
// 8, the thread lines (" ; " between ops, a new "tI:" line before one would
// pass 100 columns), Schedule::ToString(); each line ends in '\n'.
// ParseProgram(PrintProgram(p)) == p for every valid p.
//
// Example:
//   absl::StatusOr<Program> p = ParseProgram(text);
//   if (!p.ok()) std::cerr << p.status().message();  // "line 3, column 8: ..."
//   std::string again = PrintProgram(*p);
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "oracle/program/program.h"

namespace zsfuzz {

// The first line of every printed program starts so, and files that do are
// read as text (program_file.h).
inline constexpr std::string_view kTextHeader = "# zsfuzz program";

// The canonical text of `p` (valid; see Validate).
std::string PrintProgram(const Program& p);

// One op as the text writes it, its slot named by SlotName ("free c").
std::string PrintOp(const Op& op);
// Op `index` of thread `thread` of `p`, its slots named as PrintProgram names
// them; a bulk op's member also says which: "free a+3, member 4 of free a x 8".
std::string PrintOpAt(const Program& p, int thread, size_t index);

// Where and why a text does not parse. line and column count from 1; an
// error at the end of the input has line = lines + 1, column 1.
struct ProgramParseError {
  int line = 0;
  int column = 0;
  std::string message;  // "what is wrong, what was expected", one line

  // "line L, column C: message".
  std::string ToString() const;
};

// The program `text` describes, or nullopt with *error set to its first
// problem. The program comes out valid and normalized.
std::optional<Program> ParseProgram(std::string_view text, ProgramParseError* error);

// The same, with the error as InvalidArgument("line L, column C: ...").
absl::StatusOr<Program> ParseProgram(std::string_view text);

}  // namespace zsfuzz
