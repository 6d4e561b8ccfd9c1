// Helpers shared by the oracle and mutant suites: programs from text, runs of
// one variant, a walk captured at a quiescent point.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "allocator/zsmalloc/zs_variant.h"
#include "oracle/exec/executor.h"
#include "oracle/invariants.h"
#include "oracle/program/program.h"
#include "oracle/program/text.h"

namespace zsfuzz_test {

// The program `text` describes (the text form, program/text.h); a parse
// error fails the test.
inline zsfuzz::Program ProgramFromText(const std::string& text) {
  zsfuzz::ProgramParseError error;
  std::optional<zsfuzz::Program> p = zsfuzz::ParseProgram(text, &error);
  EXPECT_TRUE(p.has_value()) << error.ToString() << "\n" << text;
  return p ? *p : zsfuzz::Program{};
}

inline const zs_variant_ops* Variant(const char* name) {
  const zs_variant_ops* v = zs_find_variant(name);
  EXPECT_NE(v, nullptr) << name;
  return v;
}

// Takes the pool walk at one quiescent point (the after-op point of thread 0's
// op `index`, or the drained / emptied point).
class WalkCapture : public zsfuzz::ExecObserver {
 public:
  WalkCapture(zsfuzz::QuiescentPoint point, uint32_t index) : point_(point), index_(index) {}
  bool AtQuiescentPoint(const zsfuzz::ExecView& view) override {
    if (view.point == point_ && (point_ != zsfuzz::QuiescentPoint::kAfterOp || view.index == index_))
      walk = zsfuzz::oracle::TakeWalk(view);
    return true;
  }
  std::optional<zsfuzz::oracle::PoolWalk> walk;

 private:
  const zsfuzz::QuiescentPoint point_;
  const uint32_t index_;
};

// The failure in `f`, or one whose field and headline say there was none
// (so tests read fields without dereferencing an empty optional).
inline const zsfuzz::oracle::Failure& Got(const std::optional<zsfuzz::oracle::Failure>& f) {
  static const zsfuzz::oracle::Failure kNone = [] {
    zsfuzz::oracle::Failure none;
    none.field = none.headline = "(no failure)";
    return none;
  }();
  return f ? *f : kNone;
}

// Runs `text` on `variant` with the executor's defaults (plus `observer`).
inline zsfuzz::ExecResult Exec(const std::string& text, const char* variant,
                               zsfuzz::ExecObserver* observer = nullptr, bool trace = false) {
  zsfuzz::ExecOptions opt;
  opt.observer = observer;
  opt.record_trace = trace;
  return zsfuzz::Execute(ProgramFromText(text), Variant(variant), opt);
}

}  // namespace zsfuzz_test
