// `zsfuzz classes`: a fresh pool's size-class table, as debugfs shows it,
// plus the geometry numbers that differ when the class layout does.
#include <cstdio>

#include "allocator/zsmalloc/zs_introspect.h"
#include "fuzzers/tool/flag_table.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/variant_arg.h"
#include "kernel/seq_file.h"

namespace zsfuzz {
namespace {

absl::StatusOr<int> RunClasses() {
  absl::StatusOr<const zs_variant_ops*> v = FindVariantOrError(Flags().variant);
  if (!v.ok()) return v.status();
  const uint32_t chain = Flags().chain;
  if (absl::Status s = CheckFlagRange("chain", chain, 4, 16); !s.ok()) return s;

  zs_pool* pool = (*v)->create_pool("zsfuzz-classes", chain);
  if (pool == nullptr) {
    std::fprintf(stderr, "zsfuzz: classes: create_pool(chain %u) of variant %s returned NULL\n", chain,
                 (*v)->name);
    return kExitFinding;
  }
  kernel::seq_file table;
  (*v)->classes_show(pool, &table);
  std::fputs(table.buf.c_str(), stdout);

  // Indices that name a class of their own; the others are merged into a
  // larger index with the same pages_per_zspage and objs_per_zspage.
  unsigned indices = 0;
  unsigned canonical = 0;
  zs_class_info info;
  for (unsigned i = 0; (*v)->introspect->class_info(pool, i, &info); i++) {
    indices++;
    if (info.index == i) canonical++;
  }
  std::printf("indices %u canonical %u huge_class_size %zu\n", indices, canonical,
              (*v)->huge_class_size(pool));
  (*v)->destroy_pool(pool);
  return kExitClean;
}

}  // namespace

const Subcommand& ClassesCommand() {
  static const Subcommand cmd{
      "classes",
      "Print a new pool's size-class table (debugfs zsmalloc/<pool>/classes) and a geometry summary.",
      "--variant V [--chain N]",
      "The last line is 'indices I canonical K huge_class_size H': I size-class indices, K of them\n"
      "classes of their own (the rest merged), and zs_huge_class_size().",
      kCmdClasses,
      &RunClasses,
  };
  return cmd;
}

}  // namespace zsfuzz
