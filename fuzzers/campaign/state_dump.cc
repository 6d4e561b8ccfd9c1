#include "fuzzers/campaign/state_dump.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "kernel/seq_file.h"
#include "oracle/exec/executor.h"

namespace zsfuzz {
namespace {

struct Point {
  std::string label;  // "after t0 op 18: stat_pool"
  std::vector<std::string> lines;
};

bool IsStat(OpCode code) {
  return code == OpCode::kStatPages || code == OpCode::kStatPool || code == OpCode::kStatClasses;
}

void AppendTable(const std::string& table, std::vector<std::string>* lines) {
  for (absl::string_view line : absl::StrSplit(table, '\n'))
    if (!line.empty()) lines->emplace_back(line);
}

std::vector<std::string> Totals(const Snapshot& s, unsigned long shrinker_count) {
  return {
      absl::StrFormat("zs_get_total_pages: %u", s.total_pages),
      absl::StrFormat("pages_compacted: %d", s.pages_compacted),
      absl::StrFormat("NR_ZSPAGES: %d", s.nr_zspages),
      absl::StrFormat("pages in use: %d", s.pages_in_use),
      absl::StrFormat("shrinker count: %u", shrinker_count),
  };
}

// Collects a Point at each quiescent point after a stat_* op (one thread)
// and after the drain.
class DumpObserver : public ExecObserver {
 public:
  bool AtQuiescentPoint(const ExecView& view) override {
    if (view.snapshot == nullptr || view.point == QuiescentPoint::kEmptied) return true;
    Point p;
    std::string table = view.snapshot->class_table.text();  // taken at the drain
    if (view.point == QuiescentPoint::kAfterOp) {
      const OpCode code = view.program->threads[view.thread][view.index].code;
      if (!IsStat(code)) return true;
      p.label = absl::StrFormat("after t%d op %u: %s", view.thread, view.index, OpName(code));
      kernel::seq_file s;
      view.variant->classes_show(view.pool, &s);
      table = std::move(s.buf);
    } else {
      p.label = "after the drain";
    }
    p.lines = Totals(*view.snapshot, view.variant->shrinker_count(view.pool));
    AppendTable(table, &p.lines);
    points.push_back(std::move(p));
    return true;
  }

  std::vector<Point> points;
};

// Several threads: what each stat op read, mid-run.
std::vector<Point> OpPoints(const Program& program, const ExecResult& r) {
  std::vector<Point> points;
  for (size_t t = 0; t < program.threads.size(); t++) {
    for (size_t i = 0; i < program.threads[t].size(); i++) {
      const OpCode code = program.threads[t][i].code;
      const OpResult& o = r.ops[t][i];
      if (!IsStat(code) || o.status != OpStatus::kDone) continue;
      Point p;
      p.label = absl::StrFormat("t%u op %u: %s (mid-run: what the op read)", t, i, OpName(code));
      if (code == OpCode::kStatPages) {
        p.lines = {absl::StrFormat("zs_get_total_pages: %u", o.probe.total_pages),
                   absl::StrFormat("NR_ZSPAGES: %d", o.probe.nr_zspages)};
      } else if (code == OpCode::kStatPool) {
        p.lines = {absl::StrFormat("pages_compacted: %u", o.value)};
      } else {
        AppendTable(o.class_table.text(), &p.lines);
      }
      points.push_back(std::move(p));
    }
  }
  return points;
}

struct VariantDump {
  std::vector<Point> points;
  std::string ended;  // why the run ended early, or ""
};

VariantDump DumpOne(const Program& program, const zs_variant_ops* v) {
  DumpObserver observer;
  ExecOptions opt;
  opt.observer = &observer;
  const ExecResult r = Execute(program, v, opt);
  VariantDump d;
  if (r.run.status != zs_sched::RunStatus::kFinished) d.ended = zs_sched::RunStatusName(r.run.status);
  if (program.threads.size() > 1) d.points = OpPoints(program, r);
  for (Point& p : observer.points) d.points.push_back(std::move(p));
  return d;
}

}  // namespace

std::vector<std::string> DiffLines(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const size_t n = a.size(), m = b.size();
  // lcs[i][j]: longest common subsequence of a[i..] and b[j..].
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<std::string> out;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      out.push_back("  " + a[i++]);
      j++;
    } else if (j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push_back("- " + a[i++]);
    } else {
      out.push_back("+ " + b[j++]);
    }
  }
  return out;
}

std::string DumpStates(const Program& program, const targets::VariantPair& variants) {
  const std::string name_a = variants.a->name, name_b = variants.b->name;
  const VariantDump a = DumpOne(program, variants.a);
  const VariantDump b = DumpOne(program, variants.b);
  std::string out = absl::StrFormat(
      "dump: the state at every stat_* op and after the drain, one more run of each variant\n"
      "--- %s\n+++ %s\n",
      name_a, name_b);
  for (const auto& [name, d] : {std::pair{name_a, &a}, std::pair{name_b, &b}})
    if (!d->ended.empty()) absl::StrAppendFormat(&out, "%s: the run ended early (%s)\n", name, d->ended);
  std::map<std::string, const Point*> in_b;
  for (const Point& p : b.points) in_b[p.label] = &p;
  std::vector<const Point*> only_b;
  for (const Point& p : b.points)
    if (std::none_of(a.points.begin(), a.points.end(), [&](const Point& q) { return q.label == p.label; }))
      only_b.push_back(&p);
  for (const Point& p : a.points) {
    auto it = in_b.find(p.label);
    if (it == in_b.end()) {
      absl::StrAppendFormat(&out, "== %s: only %s got here\n", p.label, name_a);
      for (const std::string& line : p.lines) absl::StrAppend(&out, "- ", line, "\n");
      continue;
    }
    const std::vector<std::string> diff = DiffLines(p.lines, it->second->lines);
    const size_t differ =
        std::count_if(diff.begin(), diff.end(), [](const std::string& l) { return l[0] != ' '; });
    if (differ == 0) {
      absl::StrAppendFormat(&out, "== %s: %s and %s agree\n", p.label, name_a, name_b);
    } else {
      absl::StrAppendFormat(&out, "== %s: %s and %s DIFFER (%u line(s) marked - / +)\n", p.label, name_a,
                            name_b, differ);
    }
    for (const std::string& line : diff) absl::StrAppend(&out, line, "\n");
  }
  for (const Point* p : only_b) {
    absl::StrAppendFormat(&out, "== %s: only %s got here\n", p->label, name_b);
    for (const std::string& line : p->lines) absl::StrAppend(&out, "+ ", line, "\n");
  }
  return out;
}

}  // namespace zsfuzz
