// `zsfuzz list`: the registered variants, one a line.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "allocator/zsmalloc/zs_variant.h"
#include "fuzzers/tool/subcommand.h"

namespace zsfuzz {
namespace {

absl::StatusOr<int> RunList() {
  size_t count = 0;
  const zs_variant_ops* const* all = zs_variants(&count);
  int width = 0;
  for (size_t i = 0; i < count; i++) width = std::max(width, static_cast<int>(std::strlen(all[i]->name)));
  for (size_t i = 0; i < count; i++) std::printf("%-*s  %s\n", width, all[i]->name, all[i]->description);
  return kExitClean;
}

}  // namespace

const Subcommand& ListCommand() {
  static const Subcommand cmd{
      "list",   "List the zsmalloc variants linked into zsfuzz: name and one-line description.",
      "",       "",
      kCmdList, &RunList,
  };
  return cmd;
}

}  // namespace zsfuzz
