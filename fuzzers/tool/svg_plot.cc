#include "fuzzers/tool/svg_plot.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace zsfuzz {
namespace {

constexpr double kWidth = 760, kHeight = 480;
constexpr double kLeft = 70, kRight = 220, kTop = 40, kBottom = 60;  // margins; the legend is on the right

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

// A tick step of 1, 2 or 5 times a power of ten giving about `n` ticks.
double TickStep(double range, int n) {
  const double raw = range / n;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

}  // namespace

std::string RenderSvg(const LineChart& chart) {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  bool any = false;
  for (const ChartSeries& s : chart.series) {
    for (const auto& [x, y] : s.points) {
      if (!any) {
        x0 = x1 = x;
        y0 = y1 = y;
        any = true;
      }
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  if (x1 <= x0) x1 = x0 + 1;
  const double ypad = std::max((y1 - y0) * 0.1, 0.05);
  y0 -= ypad;
  y1 += ypad;
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  const auto px = [&](double x) { return kLeft + (x - x0) / (x1 - x0) * pw; };
  const auto py = [&](double y) { return kTop + (1 - (y - y0) / (y1 - y0)) * ph; };

  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
      kWidth, kHeight);
  absl::StrAppendFormat(&svg, "<text x=\"%.0f\" y=\"24\" font-size=\"15\">%s</text>\n", kLeft,
                        Escape(chart.title));
  // Axes, grid and ticks.
  const double xs = TickStep(x1 - x0, 8), ys = TickStep(y1 - y0, 6);
  for (double x = std::ceil(x0 / xs) * xs; x <= x1 + 1e-9; x += xs) {
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                          px(x), kTop, px(x), kTop + ph, px(x), kTop + ph + 16, x);
  }
  for (double y = std::ceil(y0 / ys) * ys; y <= y1 + 1e-9; y += ys) {
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                          kLeft, py(y), kLeft + pw, py(y), kLeft - 6, py(y) + 4, std::round(y / ys) * ys);
  }
  absl::StrAppendFormat(
      &svg,
      "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n"
      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n"
      "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>\n",
      kLeft, kTop, pw, ph, kLeft + pw / 2, kHeight - 16, Escape(chart.x_label), kTop + ph / 2, kTop + ph / 2,
      Escape(chart.y_label));
  // Series and legend.
  for (size_t i = 0; i < chart.series.size(); i++) {
    const ChartSeries& s = chart.series[i];
    const std::string dash = s.dash.empty() ? "" : absl::StrFormat(" stroke-dasharray=\"%s\"", s.dash);
    if (s.line && s.points.size() > 1) {
      svg += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + s.color + "\"" + dash + " points=\"";
      for (const auto& [x, y] : s.points) absl::StrAppendFormat(&svg, "%.1f,%.1f ", px(x), py(y));
      svg += "\"/>\n";
    }
    if (s.marks)
      for (const auto& [x, y] : s.points)
        absl::StrAppendFormat(&svg, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", px(x), py(y),
                              s.color);
    const double ly = kTop + 10 + 18 * static_cast<double>(i), lx = kLeft + pw + 16;
    if (s.line)
      absl::StrAppendFormat(
          &svg,
          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke-width=\"2\" stroke=\"%s\"%s/>\n", lx,
          ly, lx + 24, ly, s.color, dash);
    if (s.marks)
      absl::StrAppendFormat(&svg, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", lx + 12, ly,
                            s.color);
    absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", lx + 30, ly + 4, Escape(s.name));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace zsfuzz
