// Where `zsfuzz run` keeps its working directory: the live corpora, findings
// and artifacts of its fuzz children, removed when the campaign ends.
#pragma once

#include <string>

namespace zsfuzz {

// $TMPDIR if set; else /dev/shm if it is a writable directory (a RAM-backed
// tmpfs on Linux: libFuzzer writes every new input as a file, dozens a
// second, and creating them on a disk file system cost a conc campaign about
// 6 % of its CPU time in ext4's inode allocation); else /tmp.
std::string ScratchRoot();

// Makes a fresh directory `<ScratchRoot()>/<prefix>XXXXXX`. Returns its path,
// or an empty string with errno set.
std::string MakeScratchDir(const std::string& prefix);

}  // namespace zsfuzz
