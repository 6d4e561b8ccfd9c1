// File: program/dict.h
//
// The AFL++ / libFuzzer dictionary of the binary program form, generated from
// ops.def and sizes.h so it never drifts from the decoder. The build writes it
// to build/<preset>/bin/zs_diff.dict (program/CMakeLists.txt, zs_dict_gen).
//
// Entries: one per ops.def row, the op as thread 0 encodes it with zero
// arguments (op_malloc="\x00\x00\x00"); one malloc per edge size of the
// default chain (malloc_4097="\x00\x01\x10" on 4 KiB pages); the bare size
// codes of those sizes (size_4097="\x01\x10"); and the header of each strategy.
#pragma once

#include <string>

namespace zsfuzz {

// The dictionary file's text: a comment line, then name="\xNN..." lines.
std::string ProgramDictionary();

}  // namespace zsfuzz
