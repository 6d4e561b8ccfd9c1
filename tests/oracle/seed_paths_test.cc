// The seeds of corpus/ reach the paths their comments claim (corpus/README.md),
// on pre and on post, under their own schedules: a seed edit, or a change in
// the port, that leaves a path unreached fails here instead of silently
// leaving the fuzzers without it (the compaction seeds once filled a single
// zspage, so zs_compact never moved an object).
#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "allocator/zsmalloc/zs_introspect.h"
#include "kernel/shrinker.h"
#include "tests/oracle/oracle_test_util.h"

namespace zsfuzz_test {
namespace {

using zsfuzz::ExecResult;
using zsfuzz::OpCode;
using zsfuzz::OpStatus;
using zsfuzz::Program;

enum class Path {
  kCompactionMoves,  // a compact or shrink_scan freed pages (objects moved: migrate_zspage)
  kDeferredFree,     // zs_free left an empty zspage to the deferred work (schedule_work)
  kMallocFails,      // a malloc of a valid size failed with -ENOMEM
  kMigration,        // a page migration succeeded
  kHugeObject,       // a live object in a huge class (one object, one page)
};

const char* PathName(Path p) {
  switch (p) {
    case Path::kCompactionMoves:
      return "compaction moves objects";
    case Path::kDeferredFree:
      return "deferred free";
    case Path::kMallocFails:
      return "malloc fails with -ENOMEM";
    case Path::kMigration:
      return "page migration";
    case Path::kHugeObject:
      return "huge object";
  }
  return "?";
}

bool Reached(Path path, const Program& p, const ExecResult& r) {
  for (size_t t = 0; t < p.threads.size(); t++) {
    for (size_t i = 0; i < p.threads[t].size(); i++) {
      const zsfuzz::Op& op = p.threads[t][i];
      const zsfuzz::OpResult& o = r.ops[t][i];
      if (o.status != OpStatus::kDone) continue;
      if (path == Path::kCompactionMoves && (op.code == OpCode::kCompact || op.code == OpCode::kShrinkScan) &&
          o.value > 0 && o.value != kernel::SHRINK_STOP)
        return true;
      if (path == Path::kMallocFails && op.code == OpCode::kMalloc && o.err == -ENOMEM) return true;
      if (path == Path::kMigration && op.code == OpCode::kMigrate && o.err == 0) return true;
    }
  }
  if (path == Path::kDeferredFree) {
    // kick_deferred_free() is zsmalloc's only schedule_work().
    for (const zs_sched::TraceStep& s : r.run.trace)
      if (std::string_view(s.site) == "schedule_work") return true;
  }
  if (path == Path::kHugeObject) {
    for (const zsfuzz::Snapshot& snap : r.after_op)
      for (const zsfuzz::SlotView& slot : snap.live)
        for (const zs_class_info& ci : snap.classes)
          if (ci.index == slot.class_index && ci.objs_per_zspage == 1 && ci.pages_per_zspage == 1)
            return true;
  }
  return false;
}

struct SeedPath {
  const char* seed;  // under corpus/
  Path path;
};

void PrintTo(const SeedPath& c, std::ostream* os) { *os << c.seed << ": " << PathName(c.path); }

class SeedPathTest : public ::testing::TestWithParam<SeedPath> {};

TEST_P(SeedPathTest, ReachedOnPreAndPost) {
  const SeedPath& c = GetParam();
  std::ifstream in(std::string(ZS_SOURCE_DIR) + "/corpus/" + c.seed);
  ASSERT_TRUE(in) << c.seed;
  std::stringstream text;
  text << in.rdbuf();
  const Program p = ProgramFromText(text.str());
  for (const char* variant : {"pre", "post"}) {
    const ExecResult r = Exec(text.str(), variant, nullptr, /*trace=*/true);
    EXPECT_TRUE(Reached(c.path, p, r))
        << c.seed << " does not reach '" << PathName(c.path) << "' on " << variant;
  }
}

// The checks can fail: one sparse class zspage gives compaction nothing to
// move (the old compaction seeds' mistake), and plain malloc/write/free reaches
// none of the paths.
TEST(SeedPathCheck, UnreachedPathsAreSeen) {
  const std::string one_zspage =
      "threads 1\nt0: malloc 80 -> a ; malloc 80 -> b ; malloc 80 -> c ; free b ; compact ; shrink_scan 64\n";
  const Program p = ProgramFromText(one_zspage);
  for (const char* variant : {"pre", "post"}) {
    const ExecResult r = Exec(one_zspage, variant, nullptr, /*trace=*/true);
    for (Path path : {Path::kCompactionMoves, Path::kDeferredFree, Path::kMallocFails, Path::kMigration,
                      Path::kHugeObject})
      EXPECT_FALSE(Reached(path, p, r)) << PathName(path) << " on " << variant;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, SeedPathTest,
    ::testing::Values(SeedPath{"diff_seq/compact_after_frees.txt", Path::kCompactionMoves},
                      SeedPath{"diff_seq/compact_spanning_objects.txt", Path::kCompactionMoves},
                      SeedPath{"diff_conc/compaction_races_free.txt", Path::kCompactionMoves},
                      SeedPath{"diff_conc/free_empties_zspage_while_migrate_holds_page_lock.txt",
                               Path::kDeferredFree},
                      SeedPath{"diff_conc/free_vs_two_migrators_deferred.txt", Path::kDeferredFree},
                      SeedPath{"diff_conc/deferred_free_flush_race.txt", Path::kDeferredFree},
                      SeedPath{"diff_conc/isolated_page_freed_then_putback.txt", Path::kDeferredFree},
                      SeedPath{"diff_seq/alloc_failure_pages.txt", Path::kMallocFails},
                      SeedPath{"diff_seq/alloc_failure_slab.txt", Path::kMallocFails},
                      SeedPath{"diff_conc/alloc_failure_concurrent.txt", Path::kMallocFails},
                      SeedPath{"diff_seq/migrate_steps.txt", Path::kMigration},
                      SeedPath{"diff_conc/migrate_during_free.txt", Path::kMigration},
                      SeedPath{"diff_conc/huge_object_migrate_race.txt", Path::kMigration},
                      SeedPath{"diff_seq/huge_objects.txt", Path::kHugeObject}),
    [](const ::testing::TestParamInfo<SeedPath>& info) {
      std::string name = info.param.seed;
      for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return name.substr(0, name.size() - 4);  // no "_txt"
    });

}  // namespace
}  // namespace zsfuzz_test
