#include "tests/fuzzers/tool/run_tool.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "allocator/zsmalloc/zs_variant.h"
#include "fuzzers/campaign/spawn.h"

extern char** environ;

namespace zsfuzz_test {
namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<std::string> ToolRun::OutLines() const { return SplitLines(out); }
std::vector<std::string> ToolRun::ErrLines() const { return SplitLines(err); }

ToolRun RunBinary(const std::string& binary, const std::vector<std::string>& args,
                  const std::vector<std::string>& env) {
  const std::string base = ::testing::TempDir() + "zsfuzz_tool_" + std::to_string(getpid());
  const std::string out_path = base + ".out";
  const std::string err_path = base + ".err";

  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env_store = env;
  std::vector<char*> envp;
  envp.reserve(env_store.size() + 1);
  for (std::string& e : env_store) envp.push_back(e.data());
  for (char** e = environ; *e != nullptr; e++) envp.push_back(*e);
  envp.push_back(nullptr);

  ToolRun run;
  int error = 0;
  const pid_t pid = zsfuzz::SpawnToFiles(argv, out_path, err_path, envp.data(), &error);
  if (pid < 0) {
    ADD_FAILURE() << "posix_spawn " << binary << ": " << error;
    return run;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  run.out = Slurp(out_path);
  run.err = Slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return run;
}

ToolRun RunZsfuzz(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  return RunBinary(ZSFUZZ_BINARY, args, env);
}

void ExpectOneLineError(const ToolRun& run, const std::string& want) {
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(run.out, "");
  ASSERT_EQ(run.ErrLines().size(), 1u) << run.err;
  EXPECT_EQ(run.err.back(), '\n');
  EXPECT_EQ(run.ErrLines()[0].rfind("zsfuzz: error: " + want, 0), 0u) << run.err;
}

std::vector<std::string> VariantNames() {
  size_t count = 0;
  const zs_variant_ops* const* all = zs_variants(&count);
  std::vector<std::string> names;
  names.reserve(count);
  for (size_t i = 0; i < count; i++) names.push_back(all[i]->name);
  return names;
}

bool BuiltWithTsan() {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return true;
#endif
#endif
  return false;
}

bool HasKnownTsanRace(const std::string& variant) { return variant == "post-rfc-v2"; }

std::string VariantTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

}  // namespace zsfuzz_test
