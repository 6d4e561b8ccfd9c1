// Programs the program-format tests share.
#pragma once

#include <string>

#include "oracle/program/program.h"

namespace zsfuzz_test {

// The example of DESIGN.md and program.h, character for character.
inline constexpr const char* kDesignExample =
    "# zsfuzz program v1\n"
    "threads 3\n"
    "t0: malloc 1200 -> a ; write a ; read a ; free a\n"
    "t1: malloc 40 -> b ; compact ; free b\n"
    "t2: migrate b page 0 ; flush\n"
    "schedule pct depth=2 seed=17\n";

// Three threads using every ops.def row, a pct schedule with decisions and
// chain 4: something for every mutation to act on.
inline constexpr const char* kRichProgram =
    "# zsfuzz program v1\n"
    "threads 3\n"
    "chain 4\n"
    "t0: malloc 1560 -> a ; write a ; malloc 4097 -> b ; read a ; read_sg a ; fail_pages 2 ; malloc 3625 -> c"
    " ; free a\n"
    "t1: malloc 32 -> d ; isolate a page 1 ; migrate a page 1 ; putback a page 1 ; compact ; shrink_count"
    " ; shrink_scan 64\n"
    "t2: malloc 0 -> e ; flush ; stat_pages ; stat_pool ; stat_classes ; fail_slab 1 ; pressure 3 ; free e\n"
    "schedule pct depth=3 seed=99 data=0,1,2,2,1\n";

// ParseProgram's result, failing the test if it does not parse.
zsfuzz::Program MustParse(const std::string& text);

}  // namespace zsfuzz_test
