// Starting a program with its output in files (spawn.h).
#include "fuzzers/campaign/spawn.h"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

namespace zsfuzz {

pid_t SpawnToFiles(const std::vector<std::string>& argv, const std::string& out_path,
                   const std::string& err_path, char* const* envp, int* error) {
  std::vector<std::string> store = argv;
  std::vector<char*> args;
  args.reserve(store.size() + 1);
  for (std::string& a : store) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *error = rc;
    return -1;
  }
  return pid;
}

}  // namespace zsfuzz
