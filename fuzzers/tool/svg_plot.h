// A line chart as SVG text, for benchmark figures written beside their
// tables: series of (x, y) points drawn as lines, marks, or both, with axes,
// ticks and a legend. No dependency beyond the standard library.
//
// Example:
//   LineChart c{"speedup over pre", "threads", "speedup"};
//   c.series.push_back({"post", "#1f77b4", "", true, false, {{1, 1.0}, {2, 1.1}}});
//   std::string svg = RenderSvg(c);
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace zsfuzz {

struct ChartSeries {
  std::string name;
  std::string color;   // any SVG colour, e.g. "#1f77b4"
  std::string dash;    // stroke-dasharray, "" for a solid line
  bool line = true;    // join the points
  bool marks = false;  // a circle at each point
  std::vector<std::pair<double, double>> points;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<ChartSeries> series;
};

std::string RenderSvg(const LineChart& chart);

}  // namespace zsfuzz
