// The SVG line chart: one polyline per line series with every point, a
// circle per mark, the legend's names escaped, a well-formed document.
#include "fuzzers/tool/svg_plot.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace zsfuzz {
namespace {

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) n++;
  return n;
}

TEST(SvgPlot, LinesMarksAndLegend) {
  LineChart c{"speedup <over> pre", "threads", "speedup", {}};
  c.series.push_back({"post & co", "#1f77b4", "", true, false, {{1, 1.0}, {2, 1.2}, {4, 1.5}}});
  c.series.push_back({"real", "#d62728", "", false, true, {{1, 1.0}, {2, 1.1}}});
  const std::string svg = RenderSvg(c);
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_NE(svg.find("</svg>\n"), std::string::npos);
  EXPECT_EQ(Count(svg, "<polyline"), 1u);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("points=\"([^\"]*)\"")));
  EXPECT_EQ(Count(m[1], ","), 3u) << "three points";
  EXPECT_EQ(Count(svg, "<circle"), 3u) << "two marks and the legend's";
  EXPECT_NE(svg.find("post &amp; co"), std::string::npos);
  EXPECT_NE(svg.find("speedup &lt;over&gt; pre"), std::string::npos);
}

TEST(SvgPlot, AnEmptyChartIsStillADocument) {
  const std::string svg = RenderSvg(LineChart{"empty", "x", "y", {}});
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace zsfuzz
