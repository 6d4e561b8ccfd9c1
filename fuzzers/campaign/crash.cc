#include "fuzzers/campaign/crash.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "fuzzers/targets/diff_target.h"

namespace zsfuzz {

std::string ReadToEnd(int fd, int copy_to) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    for (ssize_t done = 0; copy_to >= 0 && done < n;) {
      const ssize_t w = write(copy_to, buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      done += w;
    }
  }
  return out;
}

std::string SummaryOf(const std::string& err) {
  const size_t at = err.rfind("SUMMARY: ");
  if (at == std::string::npos) return "";
  const size_t end = err.find('\n', at);
  return err.substr(at + 9, end == std::string::npos ? std::string::npos : end - at - 9);
}

std::string SignalName(int sig) {
  if (const char* abbrev = sigabbrev_np(sig)) return absl::StrCat("SIG", abbrev);
  return absl::StrCat("signal ", sig);
}

CrashInfo DescribeCrash(int wait_status, const std::string& err) {
  CrashInfo c;
  if (const std::string summary = SummaryOf(err); !summary.empty()) {
    c.description = summary;
    c.signature = targets::CrashSignature(summary);
  } else if (WIFSIGNALED(wait_status)) {
    c.description = SignalName(WTERMSIG(wait_status));
    c.signature = "crash:" + c.description;
  } else {
    const int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
    c.description = absl::StrCat("exit status ", code);
    c.signature = absl::StrCat("crash:exit ", code);
  }
  return c;
}

ForkedRun RunForked(const std::function<int()>& work) {
  ForkedRun r;
  int result_pipe[2];
  int err_pipe[2];
  if (pipe(result_pipe) != 0 || pipe(err_pipe) != 0) {
    std::fprintf(stderr, "zsfuzz: cannot make a pipe: %s\n", std::strerror(errno));
    std::exit(2);
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "zsfuzz: cannot fork: %s\n", std::strerror(errno));
    std::exit(2);
  }
  if (pid == 0) {
    close(result_pipe[0]);
    close(err_pipe[0]);
    dup2(err_pipe[1], STDERR_FILENO);
    close(err_pipe[1]);
    const int code = work();
    std::fflush(stdout);
    std::fflush(stderr);
    const std::string line = absl::StrCat(code);
    (void)!write(result_pipe[1], line.data(), line.size());
    _exit(0);
  }
  close(result_pipe[1]);
  close(err_pipe[1]);
  const std::string err = ReadToEnd(err_pipe[0], STDERR_FILENO);
  close(err_pipe[0]);
  const std::string line = ReadToEnd(result_pipe[0], -1);
  close(result_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !line.empty()) {
    r.completed = true;
    r.code = std::atoi(line.c_str());
    return r;
  }
  r.crash = DescribeCrash(status, err);
  return r;
}

}  // namespace zsfuzz
