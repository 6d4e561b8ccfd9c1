// `zsfuzz repro` and `zsfuzz minimize`: replay one program file with the
// check its target runs, and shrink a finding keeping its signature.
#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "allocator/kernel/sched/trace.h"
#include "fuzzers/campaign/crash.h"
#include "fuzzers/campaign/minimize.h"
#include "fuzzers/campaign/state_dump.h"
#include "fuzzers/targets/diff_target.h"
#include "fuzzers/tool/flag_table.h"
#include "fuzzers/tool/flags.h"
#include "fuzzers/tool/subcommand.h"
#include "fuzzers/tool/variant_arg.h"
#include "oracle/program/program_file.h"
#include "oracle/program/text.h"

namespace zsfuzz {

namespace {

struct Loaded {
  ProgramFileForm form;
  Program program;
  targets::TargetKind kind;
  targets::VariantPair variants;
};

// FILE, --variants and --target, shared by repro and minimize.
absl::StatusOr<Loaded> Load() {
  Loaded l;
  AcceptSeededMutants();
  std::string error;
  std::optional<targets::VariantPair> pair = targets::ParseVariantPair(Flags().variants, &error);
  if (!pair) return absl::InvalidArgumentError("--variants: " + error);
  l.variants = *pair;
  const std::string target = Flags().target;
  std::optional<targets::TargetKind> kind;
  if (!target.empty()) {
    kind = targets::ParseTargetKind(target);
    if (!kind) return absl::InvalidArgumentError("--target '" + target + "': use seq or conc");
  }
  absl::StatusOr<Program> p = ReadProgramFile(CommandArgs()[0], &l.form);
  if (!p.ok()) return p.status();
  l.kind = kind ? *kind : targets::KindForProgram(*p);
  l.program = targets::ProgramForTarget(l.kind, *std::move(p));
  return l;
}

const char* CheckName(targets::TargetKind kind) {
  return kind == targets::TargetKind::kSeq ? "seq (CheckSequential)" : "conc (CheckProgram)";
}

absl::StatusOr<int> RunReproCommand() {
  absl::StatusOr<Loaded> l = Load();
  if (!l.ok()) return l.status();
  const bool trace = Flags().trace;
  const ProgramSize size = SizeOf(l->program);
  std::printf("read: %s (%s)\n", CommandArgs()[0].c_str(), DescribeForm(l->form).c_str());
  std::printf("program: %s: %zu thread(s), %zu op(s), %zu schedule decision(s); %s\n",
              CommandArgs()[0].c_str(), size.threads, size.ops, size.decisions,
              l->program.schedule.ToString().c_str());
  std::printf("check: %s, variants %s\n", CheckName(l->kind), l->variants.ToString().c_str());
  // The check runs in a child: a crash (sanitizer report, deadly signal,
  // abort) ends the child, and this process reports it as a finding.
  const ForkedRun run = RunForked([&] {
    const Verdict v = targets::CheckForTarget(l->kind, l->program, l->variants, trace);
    if (Flags().dump) std::fputs(DumpStates(l->program, l->variants).c_str(), stdout);
    if (trace) std::printf("trace (%s):\n%s", v.variant.c_str(), v.trace.c_str());
    if (v.finding) std::printf("%s\n", v.message.c_str());
    if (l->kind == targets::TargetKind::kConc && !v.finding) {
      // Level 5's part in a clean verdict: whether it could replay this run.
      const std::string level5 = v.replays > 0 ? absl::StrFormat("%s's order replayed on %s",
                                                                 l->variants.b->name, l->variants.a->name)
                                               : absl::StrCat("not replayed (", v.not_replayed, ")");
      std::printf("linearization: %s\n", level5.c_str());
    }
    std::fputs(targets::FormatVerdict(v).c_str(), stdout);
    return v.finding ? kExitFinding : kExitClean;
  });
  if (run.completed) return run.code;
  std::printf("verdict: FINDING crash: %s\nsignature: %s\n", run.crash.description.c_str(),
              run.crash.signature.c_str());
  std::fflush(stdout);
  return kExitFinding;
}

std::string DescribeSize(const Program& p) {
  const ProgramSize s = SizeOf(p);
  return absl::StrFormat("%zu thread(s), %zu op(s), %zu schedule decision(s), %zu bytes of text", s.threads,
                         s.ops, s.decisions, PrintProgram(p).size());
}

absl::StatusOr<int> RunMinimizeCommand() {
  absl::StatusOr<Loaded> l = Load();
  if (!l.ok()) return l.status();
  const std::string& file = CommandArgs()[0];
  std::string out = Flags().out;
  if (out.empty()) out = file + ".min.txt";
  const Outcome first = RunIsolated(l->kind, l->program, l->variants);
  if (!first.finding) {
    std::printf("%s: no finding with %s on %s: nothing to minimize\n", file.c_str(), CheckName(l->kind),
                l->variants.ToString().c_str());
    return kExitClean;
  }
  std::printf("signature: %s\nbefore: %s\n", first.signature.c_str(), DescribeSize(l->program).c_str());
  std::fflush(stdout);
  MinimizeOptions opt;
  opt.progress = [](int checks, const Program& best) {
    std::fprintf(stderr, "zsfuzz minimize: %d checks, now %s\n", checks, DescribeSize(best).c_str());
  };
  const MinimizeResult m = MinimizeProgram(l->kind, l->program, l->variants, first.signature, opt);
  const Outcome last = RunIsolated(l->kind, m.program, l->variants);
  std::printf("after:  %s (%d checks%s)\n", DescribeSize(m.program).c_str(), m.checks,
              m.budget_exhausted ? ", budget used up" : "");
  if (last.signature != first.signature) {
    // Cannot happen for a deterministic check; said loudly if it does.
    return absl::InternalError(
        absl::StrFormat("the minimized program gives '%s', not '%s': the check is not "
                        "deterministic",
                        last.signature, first.signature));
  }
  const std::string text = targets::AnnotatedProgramText(
      m.program,
      {"minimized from " + file, "signature: " + first.signature, "variants: " + l->variants.ToString(),
       absl::StrFormat("target: %s", targets::TargetShortName(l->kind))});
  if (absl::Status s = WriteFileBytes(out, std::vector<uint8_t>(text.begin(), text.end())); !s.ok()) return s;
  const std::string target_flag = targets::KindForProgram(m.program) == l->kind
                                      ? ""
                                      : absl::StrFormat(" --target %s", targets::TargetShortName(l->kind));
  std::printf("wrote: %s\n", out.c_str());
  if (!last.crashed) std::printf("trace-hash: %s\n", zs_sched::HashHex(last.trace_hash).c_str());
  std::printf("repro: zsfuzz repro %s --variants %s%s\n", out.c_str(), l->variants.ToString().c_str(),
              target_flag.c_str());
  return kExitFinding;
}

}  // namespace

const Subcommand& ReproCommand() {
  static const Subcommand cmd{
      "repro",
      "Replay one program file (text or binary) with its target's check; print the verdict and trace hash.",
      "FILE [--variants A,B] [--target seq|conc] [--trace] [--dump]",
      "Runs the check the fuzz target runs: a one-thread program gets the sequential differential (full\n"
      "state compared after every op), more threads the concurrent one under the program's schedule\n"
      "(--target overrides: seq runs every thread's ops as one thread). Prints the verdict, its\n"
      "signature and 'trace-hash: <hex>', the same on every run and machine; --trace prints every step.\n"
      "--dump prints both variants' state at every stat_* op and after the drain (one more run of each),\n"
      "once where they agree and diff-style (- A, + B) where they differ.\n"
      "The check runs in a child process: a crash (sanitizer report, deadly signal, abort) is a finding\n"
      "too, 'verdict: FINDING crash: <summary or signal>' and its signature. Exit status 1 on a\n"
      "finding, 0 if clean.",
      kCmdRepro,
      &RunReproCommand,
      1,
      1,
  };
  return cmd;
}

const Subcommand& MinimizeCommand() {
  static const Subcommand cmd{
      "minimize",
      "Shrink a finding (fewer threads, ops, simpler arguments, fewer schedule decisions), same signature.",
      "FILE [--variants A,B] [--target seq|conc] [-o OUT]",
      "Delta debugging over the program: drops threads, then chunks of ops down to single ops (with the\n"
      "ops that use a dropped malloc's slot; with several threads, a drop that loses the finding is\n"
      "retried under round robin and random seeds 1-8, as each drop shifts the interleaving), then\n"
      "explicit schedule decisions, then simplifies sizes, values and pages, and repeats while anything\n"
      "helps. A candidate counts only if its verdict has the same signature; each runs in a child\n"
      "process, so crashes are minimized too. Prints the sizes before and after and writes the text form\n"
      "to OUT (default FILE.min.txt). Exit status 1 when it wrote a minimized finding, 0 if FILE is no\n"
      "finding.",
      kCmdMinimize,
      &RunMinimizeCommand,
      1,
      1,
      {{"-o", "out"}},
  };
  return cmd;
}

}  // namespace zsfuzz
