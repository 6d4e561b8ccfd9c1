// `zsfuzz coverage`: the gate (every path a variant has is reached by the
// built-in seeds, and no path a variant lacks is ever hit), the table's
// shape, --html, a corpus that misses paths (exit 1), and usage errors.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "allocator/zsmalloc/zs_path.h"
#include "gtest/gtest.h"
#include "tests/fuzzers/tool/run_tool.h"

namespace zsfuzz_test {
namespace {

std::string TempDir(const char* what) {
  const std::string dir = ::testing::TempDir() + "zsfuzz_coverage_" + what + "_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  return dir;
}

// The gate: the seeds reach every applicable path on every variant.
TEST(ZsfuzzCoverage, BuiltInSeedsReachEveryPathOfEveryVariant) {
  const std::string dir = TempDir("html");
  // Under TSan, RFC v2's lockless handle load races migration by design
  // (HasKnownTsanRace); tests of their own require that race. Here it is
  // suppressed, so that the column of post-rfc-v2 is about its paths.
  std::vector<std::string> env;
  if (BuiltWithTsan()) {
    std::ofstream(dir + "/tsan.supp") << "race:zs_post_rfc_v2::handle_to_obj\n";
    env.push_back("TSAN_OPTIONS=halt_on_error=1:suppressions=" + dir + "/tsan.supp");
  }
  const ToolRun run = RunZsfuzz({"coverage", "--html", dir + "/paths.html"}, env);
  std::stringstream html;
  html << std::ifstream(dir + "/paths.html").rdbuf();
  std::filesystem::remove_all(dir);
  EXPECT_EQ(run.exit_code, 0) << run.err << run.out;
  const std::string summary = "coverage: " + std::to_string(ZS_PATH_COUNT) + " paths, 0 with zero hits";
  EXPECT_NE(run.out.find(summary), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find(" 0 !"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find(" ?"), std::string::npos) << "a path marked n/a was hit\n" << run.out;
  EXPECT_EQ(run.out.find("finding"), std::string::npos) << run.out;
  for (const zs_path_info& info : zs_path_table) {
    EXPECT_NE(run.out.find("\n" + std::string(info.name) + " "), std::string::npos) << info.name;
    EXPECT_NE(html.str().find(std::string(">") + info.name + "<"), std::string::npos) << info.name;
  }
  for (const std::string& v : VariantNames()) EXPECT_NE(run.out.find(" " + v), std::string::npos) << v;
  EXPECT_NE(html.str().find(summary), std::string::npos);
  EXPECT_EQ(html.str().find("<script"), std::string::npos);
}

// A corpus that frees nothing concurrently misses paths: they show as "0 !"
// and the exit status is 1, so CI can gate on it.
TEST(ZsfuzzCoverage, ACorpusThatMissesPathsExitsOne) {
  const std::string dir = TempDir("small");
  std::ofstream(dir + "/a.txt") << "# zsfuzz program v1\nthreads 1\nt0: malloc 100 -> a ; free a\n";
  const ToolRun run = RunZsfuzz({"coverage", "--corpus", dir});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(run.exit_code, 1) << run.err << run.out;
  EXPECT_NE(run.out.find("0 !"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("n/a"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("coverage: " + std::to_string(ZS_PATH_COUNT) + " paths, 0 with"), std::string::npos)
      << run.out;
}

TEST(ZsfuzzCoverage, UsageErrorsAreOneLine) {
  ExpectOneLineError(RunZsfuzz({"coverage", "--corpus", "/nonexistent/zsfuzz"}),
                     "--corpus /nonexistent/zsfuzz: not a folder");
  ExpectOneLineError(RunZsfuzz({"coverage", "/nonexistent/zsfuzz"}), "/nonexistent/zsfuzz: not a folder");
  ExpectOneLineError(RunZsfuzz({"coverage", "--seed", "1"}), "");
  ExpectOneLineError(RunZsfuzz({"coverage", "--html"}), "");
}

}  // namespace
}  // namespace zsfuzz_test
