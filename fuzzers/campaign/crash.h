// File: crash.h
//
// A check that ends its process (a sanitizer report, a deadly signal, an
// abort) as a finding: run the check in a forked child and describe how it
// died, with a signature as stable as a verdict's. `zsfuzz repro` runs its
// check through RunForked; `zsfuzz minimize` (minimize.h) forks its own
// children and names their crashes with DescribeCrash.
//
// Example:
//   ForkedRun r = RunForked([&] { return RunTheCheck(); });
//   if (!r.completed) printf("verdict: crash: %s\nsignature: %s\n", r.crash.description.c_str(),
//                            r.crash.signature.c_str());
#pragma once

#include <functional>
#include <string>

namespace zsfuzz {

// Reads `fd` to its end (retrying EINTR); each chunk also goes to `copy_to`
// unless it is -1.
std::string ReadToEnd(int fd, int copy_to = -1);

// The text after the last "SUMMARY: " line of `err`, or "".
std::string SummaryOf(const std::string& err);

// "SIGSEGV" for SIGSEGV; "signal N" for a number without a name.
std::string SignalName(int sig);

struct CrashInfo {
  // The sanitizer's summary ("AddressSanitizer: SEGV on unknown address ..."),
  // else the signal ("SIGABRT") or the exit status ("exit status 66").
  std::string description;
  // targets::CrashSignature of the summary, else "crash:SIGABRT" or
  // "crash:exit N": no address or line number in it.
  std::string signature;
};

// How a child that did not report a result died: `wait_status` from waitpid,
// `err` what it wrote on stderr.
CrashInfo DescribeCrash(int wait_status, const std::string& err);

struct ForkedRun {
  bool completed = false;  // `work` returned in the child
  int code = 0;            // what it returned, when completed
  CrashInfo crash;         // how the child died, when not
};

// Runs `work` in a forked child and waits for it. The child shares stdout;
// its stderr is copied to ours as it comes (and kept, to find a sanitizer's
// summary). The child flushes stdout and ends with _exit once `work` returns.
ForkedRun RunForked(const std::function<int()>& work);

}  // namespace zsfuzz
