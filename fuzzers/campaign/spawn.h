// File: spawn.h
//
// Starting a program with its stdout and stderr in files, for the tools that
// run a child and read what it printed afterwards (zsfuzz mutants' stress
// baseline, the CLI tests).
//
// Example:
//   int error = 0;
//   const pid_t pid = SpawnToFiles({"/bin/echo", "hi"}, "/tmp/o", "/tmp/e", environ, &error);
//   int status = 0;
//   if (pid > 0) waitpid(pid, &status, 0);
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace zsfuzz {

// Starts `argv` (argv[0] is the program's path, not searched for) with the
// environment `envp` (null-terminated), its stdout in `out_path` and its
// stderr in `err_path` (made or truncated, mode 0600). Returns its pid, or
// -1 with posix_spawn's error number in *error.
pid_t SpawnToFiles(const std::vector<std::string>& argv, const std::string& out_path,
                   const std::string& err_path, char* const* envp, int* error);

}  // namespace zsfuzz
