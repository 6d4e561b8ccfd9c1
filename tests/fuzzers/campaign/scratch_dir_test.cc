// Where zsfuzz run keeps its working directory (fuzzers/campaign/scratch_dir.h).
#include "fuzzers/campaign/scratch_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace zsfuzz {
namespace {

// Sets TMPDIR for one test and puts the old value back.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const char* value) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    if (value != nullptr) {
      setenv("TMPDIR", value, 1);
    } else {
      unsetenv("TMPDIR");
    }
  }
  ~ScopedTmpdir() {
    if (old_.empty()) {
      unsetenv("TMPDIR");
    } else {
      setenv("TMPDIR", old_.c_str(), 1);
    }
  }
  ScopedTmpdir(const ScopedTmpdir&) = delete;
  ScopedTmpdir& operator=(const ScopedTmpdir&) = delete;

 private:
  std::string old_;
};

TEST(ScratchDir, TmpdirWins) {
  const std::string mine = std::filesystem::temp_directory_path() / "zsfuzz-scratch-test";
  std::filesystem::create_directories(mine);
  const ScopedTmpdir tmpdir(mine.c_str());
  EXPECT_EQ(ScratchRoot(), mine);
  const std::string dir = MakeScratchDir("zsfuzz-run-");
  ASSERT_FALSE(dir.empty());
  EXPECT_EQ(dir.rfind(mine + "/zsfuzz-run-", 0), 0u) << dir;
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  std::filesystem::remove_all(mine);
}

TEST(ScratchDir, WithoutTmpdirARamFileSystemFirst) {
  const ScopedTmpdir tmpdir(nullptr);
  const std::string expected = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
  EXPECT_EQ(ScratchRoot(), expected);
  const ScopedTmpdir empty("");
  EXPECT_EQ(ScratchRoot(), expected) << "an empty TMPDIR counts as unset";
}

TEST(ScratchDir, AMissingRootIsAnEmptyPath) {
  const ScopedTmpdir tmpdir("/nonexistent/zsfuzz");
  EXPECT_EQ(MakeScratchDir("zsfuzz-run-"), "");
  EXPECT_NE(errno, 0);
}

}  // namespace
}  // namespace zsfuzz
