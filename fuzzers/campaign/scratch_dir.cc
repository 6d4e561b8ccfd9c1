#include "fuzzers/campaign/scratch_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace zsfuzz {

std::string ScratchRoot() {
  if (const char* tmpdir = std::getenv("TMPDIR"); tmpdir != nullptr && tmpdir[0] != '\0') return tmpdir;
  if (access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  return "/tmp";
}

std::string MakeScratchDir(const std::string& prefix) {
  const std::string path = ScratchRoot() + "/" + prefix + "XXXXXX";
  std::vector<char> tmpl(path.begin(), path.end());
  tmpl.push_back('\0');
  if (mkdtemp(tmpl.data()) == nullptr) return std::string();
  return tmpl.data();
}

}  // namespace zsfuzz
