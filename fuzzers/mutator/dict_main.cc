// zs_dict_gen OUT: writes ProgramDictionary() to OUT (run by the build).
#include <cstdio>

#include "fuzzers/mutator/dict.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: zs_dict_gen OUT\n");
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "w");
  if (f == nullptr) {
    std::perror(argv[1]);
    return 2;
  }
  const std::string dict = zsfuzz::ProgramDictionary();
  const bool ok = std::fwrite(dict.data(), 1, dict.size(), f) == dict.size();
  return std::fclose(f) == 0 && ok ? 0 : 2;
}
