#include "fuzzers/tool/coverage_paths.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "allocator/zsmalloc/zs_introspect.h"
#include "oracle/check.h"

namespace zsfuzz {
namespace {

using targets::TargetKind;

void ResetAll(const zs_variant_ops* const* variants, size_t n) {
  for (size_t i = 0; i < n; i++) variants[i]->introspect->path_hits_reset();
}

CoverageColumn ReadColumn(const zs_variant_ops* v) {
  CoverageColumn c;
  c.variant = v;
  for (int p = 0; p < ZS_PATH_COUNT; p++) {
    c.hits[p] = v->introspect->path_hits(p);
    c.applies[p] = zs_path_applies(static_cast<zs_path>(p), v->traits);
  }
  return c;
}

// Runs every input of `inputs` through the target, as TestOneInput does; a
// finding is noted, not acted on.
void RunInputs(TargetKind kind, const std::vector<BenchInput>& inputs, const targets::VariantPair& pair,
               std::vector<std::string>* findings) {
  for (const BenchInput& in : inputs) {
    const Program p = targets::ProgramForTarget(kind, targets::DecodeInput(in.bytes.data(), in.bytes.size()));
    const Verdict v = targets::CheckForTarget(kind, p, pair, /*record_trace=*/false);
    if (!v.finding && v.error.empty()) continue;
    const std::string what = v.error.empty() ? v.message.substr(0, v.message.find('\n')) : v.error;
    findings->push_back(
        absl::StrFormat("%s %s %s: %s", pair.ToString(), targets::TargetShortName(kind), in.name, what));
  }
}

enum class Cell { kHit, kZero, kNotApplicable, kStray };

Cell CellOf(const CoverageColumn& c, int path) {
  if (c.applies[path]) return c.hits[path] != 0 ? Cell::kHit : Cell::kZero;
  return c.hits[path] == 0 ? Cell::kNotApplicable : Cell::kStray;
}

std::string CellText(const CoverageColumn& c, int path) {
  switch (CellOf(c, path)) {
    case Cell::kHit:
      return absl::StrCat(c.hits[path]);
    case Cell::kZero:
      return "0 !";
    case Cell::kNotApplicable:
      return "n/a";
    case Cell::kStray:
      return absl::StrCat(c.hits[path], " ?");
  }
  return "";
}

std::string SummaryLine(const CoverageTable& t) {
  return absl::StrFormat("coverage: %d paths, %d with zero hits on a variant that has them", ZS_PATH_COUNT,
                         t.zero_cells);
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

}  // namespace

CoverageTable RunCoverage(const CoverageOptions& options) {
  size_t n = 0;
  const zs_variant_ops* const* variants = zs_variants(&n);
  CoverageTable t;
  t.source = options.corpus.source;
  t.seq_inputs = options.corpus.seq.size();
  t.conc_inputs = options.corpus.conc.size();
  const zs_variant_ops* pre = zs_find_variant("pre");
  for (size_t i = 0; i < n; i++) {
    if (variants[i] == pre) continue;
    const targets::VariantPair pair{pre, variants[i]};
    ResetAll(variants, n);
    RunInputs(TargetKind::kSeq, options.corpus.seq, pair, &t.findings);
    RunInputs(TargetKind::kConc, options.corpus.conc, pair, &t.findings);
    if (t.columns.empty()) t.columns.push_back(ReadColumn(pre));
    t.columns.push_back(ReadColumn(variants[i]));
  }
  ResetAll(variants, n);
  for (const CoverageColumn& c : t.columns) {
    for (int p = 0; p < ZS_PATH_COUNT; p++) {
      t.zero_cells += CellOf(c, p) == Cell::kZero ? 1 : 0;
      t.stray_cells += CellOf(c, p) == Cell::kStray ? 1 : 0;
    }
  }
  return t;
}

std::string FormatCoverage(const CoverageTable& t) {
  size_t name_width = std::strlen("path");
  for (const zs_path_info& info : zs_path_table) name_width = std::max(name_width, std::strlen(info.name));
  std::vector<size_t> widths;
  for (const CoverageColumn& c : t.columns) {
    size_t w = std::max<size_t>(std::strlen(c.variant->name), 3);
    for (int p = 0; p < ZS_PATH_COUNT; p++) w = std::max(w, CellText(c, p).size());
    widths.push_back(w);
  }
  std::string out =
      absl::StrFormat("inputs: %s (%u seq, %u conc); pairs pre,V; pre's column from the first pair\n",
                      t.source, t.seq_inputs, t.conc_inputs);
  absl::StrAppendFormat(&out, "%-*s", name_width, "path");
  for (size_t i = 0; i < t.columns.size(); i++)
    absl::StrAppendFormat(&out, "  %*s", widths[i], t.columns[i].variant->name);
  out += "\n";
  for (int p = 0; p < ZS_PATH_COUNT; p++) {
    absl::StrAppendFormat(&out, "%-*s", name_width, zs_path_table[p].name);
    for (size_t i = 0; i < t.columns.size(); i++)
      absl::StrAppendFormat(&out, "  %*s", widths[i], CellText(t.columns[i], p));
    out += "\n";
  }
  out += "0 !: no hit on a path the variant has; n/a: the variant's code has no such path\n";
  if (t.stray_cells != 0) {
    absl::StrAppendFormat(&out,
                          "coverage: %d cells marked ? are hits on a path the variant should not have "
                          "(a probe or a trait is wrong)\n",
                          t.stray_cells);
  }
  for (const std::string& f : t.findings) absl::StrAppendFormat(&out, "coverage: finding: %s\n", f);
  out += SummaryLine(t) + "\n";
  return out;
}

std::string FormatCoverageHtml(const CoverageTable& t) {
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>zsfuzz coverage</title>\n"
      "<style>table{border-collapse:collapse;font-family:monospace}td,th{border:1px solid #999;"
      "padding:2px 8px;text-align:right}td.name{text-align:left}td.zero{background:#f99}"
      "td.na{color:#999}td.stray{background:#fc6}</style></head><body>\n"
      "<h1>zsfuzz coverage: the series' paths</h1>\n";
  absl::StrAppendFormat(
      &out, "<p>inputs: %s (%u seq, %u conc); pairs pre,V; pre's column from the first pair</p>\n",
      HtmlEscape(t.source), t.seq_inputs, t.conc_inputs);
  out += "<table>\n<tr><th>path</th><th>what</th>";
  for (const CoverageColumn& c : t.columns)
    absl::StrAppendFormat(&out, "<th>%s</th>", HtmlEscape(c.variant->name));
  out += "</tr>\n";
  for (int p = 0; p < ZS_PATH_COUNT; p++) {
    absl::StrAppendFormat(&out, "<tr><td class=\"name\">%s</td><td class=\"name\">%s</td>",
                          zs_path_table[p].name, HtmlEscape(zs_path_table[p].what));
    for (const CoverageColumn& c : t.columns) {
      static constexpr const char* kClass[] = {"hit", "zero", "na", "stray"};
      absl::StrAppendFormat(&out, "<td class=\"%s\">%s</td>", kClass[static_cast<int>(CellOf(c, p))],
                            CellText(c, p));
    }
    out += "</tr>\n";
  }
  out += "</table>\n<p>0 !: no hit on a path the variant has; n/a: the variant's code has no such path</p>\n";
  for (const std::string& f : t.findings) absl::StrAppendFormat(&out, "<p>finding: %s</p>\n", HtmlEscape(f));
  absl::StrAppendFormat(&out, "<p>%s</p>\n</body></html>\n", SummaryLine(t));
  return out;
}

}  // namespace zsfuzz
