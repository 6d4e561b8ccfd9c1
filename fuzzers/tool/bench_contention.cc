#include "fuzzers/tool/bench_contention.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "allocator/kernel/sched/runner.h"
#include "fuzzers/tool/bench_env.h"
#include "fuzzers/tool/contention_pages.h"
#include "fuzzers/tool/svg_plot.h"
#include "fuzzers/tool/virtual_time.h"
#include "kernel/kernel.h"

namespace zsfuzz {
namespace {

constexpr size_t kMixPages = 1024;
constexpr unsigned int kChainSize = 8;  // CONFIG_ZSMALLOC_CHAIN_SIZE's default
// zram's zs_malloc flags (zram_write_page).
constexpr kernel::gfp_t kZramGfp = kernel::GFP_NOIO | kernel::__GFP_HIGHMEM | kernel::__GFP_MOVABLE;
// The locks whose counters the real-thread table shows, as lockdep names them.
constexpr const char* kShownLocks[] = {"&class_->lock", "&pool->lock", "&zone->lock"};
constexpr const char* kShownLockTitles[] = {"class->lock", "pool->lock", "zone->lock"};

// One execution of the workload.
struct Workload {
  const zs_variant_ops* variant;
  uint32_t threads;
  uint64_t objects;  // per thread
  const std::vector<uint32_t>* sizes;
  unsigned int pressure_steps;
};

struct Outcome {
  double free_ns = 0;  // real threads: from the start signal to the last thread's end
  std::vector<kernel::lock_stat_entry> locks;
  std::string error;
};

// What the root and its threads share.
struct Phases {
  const Workload* w = nullptr;
  zs_pool* pool = nullptr;
  kernel::wait_queue_head allocated_wq;  // the root waits here for every thread's objects
  std::atomic<uint32_t> allocated{0};
  std::atomic<bool> failed{false};
  kernel::wait_queue_head start_wq;  // the threads wait here for the free phase
  std::atomic<bool> go{false};
};

// A thread of the workload: allocates and writes its objects (from its own
// thread, as a process swapping its pages out does), waits for the start,
// frees them all, notes the time.
struct BenchThread {
  Phases* phases = nullptr;
  uint32_t index = 0;
  std::string error;
  uint64_t end_ns = 0;
};

void ThreadMain(void* arg) {
  auto* t = static_cast<BenchThread*>(arg);
  Phases& ph = *t->phases;
  const Workload& w = *ph.w;
  const zs_variant_ops* v = w.variant;
  const std::vector<uint32_t>& sizes = *w.sizes;
  std::vector<uint8_t> data(kernel::PAGE_SIZE, 0x5a);
  std::vector<unsigned long> handles;
  handles.reserve(w.objects);
  for (uint64_t i = 0; i < w.objects; i++) {
    const uint32_t size = sizes[(t->index * w.objects + i) % sizes.size()];
    const unsigned long h = v->malloc(ph.pool, size, kZramGfp, kernel::NUMA_NO_NODE);
    if (h == 0) {
      t->error =
          absl::StrFormat("%s: zs_malloc(%u) failed after %llu objects of a thread (the arena is full?)",
                          v->name, size, static_cast<unsigned long long>(i));
      ph.failed.store(true, std::memory_order_relaxed);
      break;
    }
    v->obj_write(ph.pool, h, data.data(), size);
    handles.push_back(h);
  }
  ph.allocated.fetch_add(1, std::memory_order_release);
  kernel::wake_up(&ph.allocated_wq);
  kernel::wait_event(&ph.start_wq, [&] { return ph.go.load(std::memory_order_acquire); });
  for (unsigned long h : handles) v->free(ph.pool, h);
  t->end_ns = kernel::lock_stat_clock_ns();
}

// The workload's body, on either backend's root thread: start the threads,
// wait until each has written its objects, let them free at once, join them.
Outcome RunWorkloadRoot(const Workload& w) {
  Outcome out;
  const zs_variant_ops* v = w.variant;
  Phases ph;
  ph.w = &w;
  ph.pool = v->create_pool("zram0", kChainSize);
  if (ph.pool == nullptr) {
    out.error = absl::StrFormat("%s: zs_create_pool failed", v->name);
    return out;
  }
  kernel::set_zone_pressure(w.pressure_steps);
  std::vector<BenchThread> threads(w.threads);
  std::vector<kernel::task_struct*> tasks;
  for (uint32_t i = 0; i < w.threads; i++) {
    threads[i].phases = &ph;
    threads[i].index = i;
    tasks.push_back(kernel::kthread_run(&ThreadMain, &threads[i], "bench-zram"));
  }
  kernel::wait_event(&ph.allocated_wq,
                     [&] { return ph.allocated.load(std::memory_order_acquire) == w.threads; });
  kernel::lock_stat_clear();
  kernel::lock_stat_enable(true);
  const uint64_t t0 = kernel::lock_stat_clock_ns();
  kernel::yield_point(VirtualTimeScheduler::kMarkBegin, nullptr);
  ph.go.store(true, std::memory_order_release);
  kernel::wake_up(&ph.start_wq);
  for (kernel::task_struct* task : tasks) kernel::kthread_stop(task);
  kernel::yield_point(VirtualTimeScheduler::kMarkEnd, nullptr);
  kernel::lock_stat_enable(false);
  out.locks = kernel::lock_stat_read();
  uint64_t end = t0;
  for (const BenchThread& t : threads) {
    end = std::max(end, t.end_ns);
    if (out.error.empty()) out.error = t.error;
  }
  out.free_ns = static_cast<double>(end - t0);
  kernel::set_zone_pressure(0);
  v->flush_deferred(ph.pool);
  if (out.error.empty() && v->get_total_pages(ph.pool) != 0)
    out.error = absl::StrFormat("%s: %lu pages still allocated after every object was freed", v->name,
                                v->get_total_pages(ph.pool));
  v->destroy_pool(ph.pool);
  return out;
}

Outcome RunReal(const Workload& w) {
  kernel::kernel_reset();
  Outcome out;
  zs_sched::RunOptions opt;
  zs_sched::RunFreeRunning(opt, [&] { out = RunWorkloadRoot(w); });
  return out;
}

struct VirtualOutcome {
  double span_ns = 0;
  uint64_t steps = 0;
  uint64_t pressure_steps = 0;
  std::string error;
};

VirtualOutcome RunVirtual(const Workload& w, const CostModel& model) {
  kernel::kernel_reset();
  VirtualTimeScheduler vts(model);
  zs_sched::SetStepObserver(&VirtualTimeScheduler::OnStep, &vts);
  zs_sched::RunOptions opt;
  opt.scheduler = &vts;
  opt.max_steps = 0;
  opt.on_bug = zs_sched::BugAction::kReturn;
  Outcome out;
  const zs_sched::RunResult r =
      zs_sched::RunDeterministic(zs_sched::Schedule::RoundRobin(), opt, [&] { out = RunWorkloadRoot(w); });
  zs_sched::SetStepObserver(nullptr, nullptr);
  VirtualOutcome v;
  v.error = out.error;
  if (r.status != zs_sched::RunStatus::kFinished)
    v.error = absl::StrFormat("%s: the virtual-time run ended in %s\n%s", w.variant->name,
                              zs_sched::RunStatusName(r.status), r.report);
  v.span_ns = vts.MarkedSpanNs();
  v.steps = vts.MarkedSteps();
  v.pressure_steps = vts.MarkedPressureSteps();
  return v;
}

// Every pressure level and variant on `cpus` virtual CPUs, `objects` each,
// into `cells`; returns the first run's error, if any.
std::string RunVirtualRow(const ContentionOptions& opt, const std::vector<uint32_t>& sizes,
                          double ns_per_step, double ns_per_pressure_step, uint32_t cpus, uint64_t objects,
                          std::map<ContentionKey, ContentionCell>* cells) {
  for (size_t p = 0; p < opt.pressures.size(); p++) {
    for (size_t vi = 0; vi < opt.variants.size(); vi++) {
      const Workload w{opt.variants[vi], cpus, objects, &sizes, opt.pressures[p].steps};
      const VirtualOutcome o = RunVirtual(w, CostModel{ns_per_step, ns_per_pressure_step});
      if (!o.error.empty()) return o.error;
      (*cells)[{cpus, p, vi}] = ContentionCell{{o.span_ns}, {}, o.steps};
    }
  }
  return {};
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Spread(const std::vector<double>& v) {
  if (v.empty()) return 0;
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const double m = Median(v);
  return m > 0 ? (*hi - *lo) / m : 0;
}

// ns of one zone_pressure_spin(): the fastest of five timings of 20,000.
double TimePressureStep() {
  double best = 0;
  for (int round = 0; round < 5; round++) {
    const uint64_t t0 = kernel::lock_stat_clock_ns();
    for (int i = 0; i < 20000; i++) kernel::zone_pressure_spin();
    const double ns = static_cast<double>(kernel::lock_stat_clock_ns() - t0) / 20000;
    if (round == 0 || ns < best) best = ns;
  }
  return best;
}

void AddLocks(std::vector<kernel::lock_stat_entry>* sum, const std::vector<kernel::lock_stat_entry>& add) {
  for (const kernel::lock_stat_entry& e : add) {
    auto it = std::find_if(sum->begin(), sum->end(),
                           [&](const kernel::lock_stat_entry& s) { return s.name == e.name; });
    if (it == sum->end()) {
      sum->push_back(e);
      continue;
    }
    it->acquisitions += e.acquisitions;
    it->contentions += e.contentions;
    it->waittime_total_ns += e.waittime_total_ns;
  }
}

const kernel::lock_stat_entry* FindLock(const std::vector<kernel::lock_stat_entry>& locks, const char* name) {
  for (const kernel::lock_stat_entry& e : locks)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace

absl::StatusOr<std::vector<PressureLevel>> ParsePressureLevels(const std::string& list) {
  static const PressureLevel kLevels[] = {{"none", 0}, {"light", 1}, {"heavy", 4}};
  std::vector<PressureLevel> out;
  for (absl::string_view word : absl::StrSplit(list, ',')) {
    const auto it = std::find_if(std::begin(kLevels), std::end(kLevels),
                                 [&](const PressureLevel& l) { return l.name == word; });
    if (it == std::end(kLevels))
      return absl::InvalidArgumentError(
          absl::StrFormat("--zone-pressure: '%s' is no pressure level (none, light, heavy)", word));
    out.push_back(*it);
  }
  return out;
}

ContentionOptions DefaultContentionOptions() {
  ContentionOptions opt;
  for (const char* name : {"pre", "post", "post-1", "post-1-2"})
    opt.variants.push_back(zs_find_variant(name));
  opt.pressures = *ParsePressureLevels("none,light,heavy");
  for (uint32_t c = 1; c <= 16; c++) opt.virtual_cpus.push_back(c);
  return opt;
}

ContentionOptions QuickContentionOptions() {
  ContentionOptions opt = DefaultContentionOptions();
  opt.objects = 5000;
  opt.reps = 3;
  opt.virtual_cpus = {1, 2, 4, 8, 12, 16};
  opt.virtual_objects = 1000;
  return opt;
}

ContentionReport RunContentionBench(const ContentionOptions& opt) {
  ContentionReport report;
  const size_t nv = opt.variants.size();
  // zram's huge size, from the baseline (the series does not change classes).
  kernel::kernel_reset();
  size_t huge = kernel::PAGE_SIZE;
  if (zs_pool* pool = opt.variants[0]->create_pool("zram0", kChainSize)) {
    huge = opt.variants[0]->huge_class_size(pool);
    opt.variants[0]->destroy_pool(pool);
  }
  const std::vector<uint32_t> sizes = ZramObjectSizes(MakePageMix(kMixPages), huge);
  report.sizes = DescribeSizes(sizes);
  report.ns_per_pressure_step = TimePressureStep();
  const auto fail = [&](const std::string& error) {
    report.error = error;
    return report;
  };

  // Real threads: repetitions outermost, the variants' order rotating, so a
  // drift of the machine's speed falls on every variant alike.
  for (uint32_t rep = 0; rep < opt.reps; rep++) {
    for (uint32_t threads = 1; threads <= opt.max_threads; threads++) {
      for (size_t p = 0; p < opt.pressures.size(); p++) {
        for (size_t k = 0; k < nv; k++) {
          const size_t vi = (k + rep) % nv;
          const Outcome o = RunReal({opt.variants[vi], threads, opt.objects, &sizes, opt.pressures[p].steps});
          if (!o.error.empty()) return fail(o.error);
          ContentionCell& cell = report.real[{threads, p, vi}];
          cell.free_ns.push_back(o.free_ns);
          AddLocks(&cell.locks, o.locks);
        }
      }
    }
    std::fprintf(stderr, "zsfuzz bench contention: real threads, repetition %u of %u done\n", rep + 1,
                 opt.reps);
  }

  // The cost model: one cost per step for every variant, the variants' real
  // 1-thread free phases at the first pressure level (less the pressure
  // steps' time) over the steps the same runs take in virtual time. One cost
  // for all, so that virtual time differs between variants only by their
  // steps and their waits, not by the noise of their real medians.
  double real_sum = 0;
  double steps_sum = 0;
  for (size_t vi = 0; vi < nv; vi++) {
    const Workload w{opt.variants[vi], 1, opt.objects, &sizes, opt.pressures[0].steps};
    const VirtualOutcome o = RunVirtual(w, CostModel{1, report.ns_per_pressure_step});
    if (!o.error.empty()) return fail(o.error);
    const double pressure_ns = static_cast<double>(o.pressure_steps) * report.ns_per_pressure_step;
    real_sum += std::max(Median(report.real[{1, 0, vi}].free_ns) - pressure_ns, 0.0);
    steps_sum += static_cast<double>(o.steps);
    report.steps_per_object.push_back(static_cast<double>(o.steps) / static_cast<double>(opt.objects));
  }
  report.ns_per_step = real_sum / std::max(steps_sum, 1.0);

  // The model against the real threads, at their object count.
  for (uint32_t threads = 1; threads <= std::min<uint32_t>(opt.max_threads, 2); threads++) {
    const std::string error = RunVirtualRow(opt, sizes, report.ns_per_step, report.ns_per_pressure_step,
                                            threads, opt.objects, &report.check);
    if (!error.empty()) return fail(error);
  }
  std::fprintf(stderr, "zsfuzz bench contention: cost model calibrated and checked\n");
  for (uint32_t cpus : opt.virtual_cpus) {
    const std::string error = RunVirtualRow(opt, sizes, report.ns_per_step, report.ns_per_pressure_step, cpus,
                                            opt.virtual_objects, &report.virt);
    if (!error.empty()) return fail(error);
    std::fprintf(stderr, "zsfuzz bench contention: virtual time, %u CPUs done\n", cpus);
  }
  return report;
}

std::string FormatContentionReport(const ContentionOptions& opt, const ContentionReport& r) {
  const size_t nv = opt.variants.size();
  const char* base = opt.variants[0]->name;
  std::string out =
      absl::StrFormat("zsfuzz bench contention: %s; %s\n", BuildDescription(), LoadAverageDescription());
  std::vector<std::string> levels;
  levels.reserve(opt.pressures.size());
  for (const PressureLevel& p : opt.pressures) levels.push_back(absl::StrFormat("%s %u", p.name, p.steps));
  absl::StrAppendFormat(&out,
                        "objects: zram's sizes for %s (LZ4); zone-lock pressure, steps per page allocated or "
                        "returned: %s; a step holds the lock %.0f ns longer (timed)\n",
                        r.sizes, absl::StrJoin(levels, ", "), r.ns_per_pressure_step);

  absl::StrAppendFormat(&out,
                        "\nreal threads: the free phase of %llu objects a thread, median of %u repetitions "
                        "(variants alternating); spread (max - min) / median; speedup over %s; lock_stat "
                        "per run: acquisitions, contentions, wait\n",
                        static_cast<unsigned long long>(opt.objects), opt.reps, base);
  absl::StrAppendFormat(&out, "%-7s %-8s %-9s %10s %7s %8s", "threads", "pressure", "variant", "median ms",
                        "spread", "speedup");
  for (const char* title : kShownLockTitles)
    absl::StrAppendFormat(&out, "  %-24s", absl::StrCat(title, " acq/cont/wait"));
  out += "\n";
  for (const auto& [key, cell] : r.real) {
    const double med = Median(cell.free_ns);
    const double base_med = Median(r.real.at({key.threads, key.pressure, 0}).free_ns);
    absl::StrAppendFormat(&out, "%7u %-8s %-9s %10.3f %6.1f%% %8.3f", key.threads,
                          opt.pressures[key.pressure].name, opt.variants[key.variant]->name, med / 1e6,
                          100 * Spread(cell.free_ns), med > 0 ? base_med / med : 0);
    const double runs = static_cast<double>(cell.free_ns.size());
    for (const char* name : kShownLocks) {
      const kernel::lock_stat_entry* e = FindLock(cell.locks, name);
      const std::string text =
          e == nullptr ? "-"
                       : absl::StrFormat("%.0f/%.0f/%.2fms", static_cast<double>(e->acquisitions) / runs,
                                         static_cast<double>(e->contentions) / runs,
                                         static_cast<double>(e->waittime_total_ns) / runs / 1e6);
      absl::StrAppendFormat(&out, "  %-24s", text);
    }
    out += "\n";
  }
  if (!r.error.empty()) return out + "error: " + r.error + "\n";
  // Every contended lock class of the runs with the most threads, so that a
  // lock outside the three columns is seen too.
  absl::StrAppendFormat(
      &out, "contended lock classes at %u threads (per run: contentions, wait):", opt.max_threads);
  for (const auto& [key, cell] : r.real) {
    if (key.threads != opt.max_threads) continue;
    std::vector<std::string> contended;
    for (const kernel::lock_stat_entry& e : cell.locks) {
      if (e.contentions == 0) continue;
      const double runs = static_cast<double>(cell.free_ns.size());
      contended.push_back(absl::StrFormat("%s %.0f %.2fms", e.name, static_cast<double>(e.contentions) / runs,
                                          static_cast<double>(e.waittime_total_ns) / runs / 1e6));
    }
    absl::StrAppendFormat(&out, "\n  %s %s: %s", opt.pressures[key.pressure].name,
                          opt.variants[key.variant]->name,
                          contended.empty() ? "none" : absl::StrJoin(contended, ", "));
  }
  out += "\n";

  std::vector<std::string> steps;
  steps.reserve(nv);
  for (size_t vi = 0; vi < nv; vi++)
    steps.push_back(absl::StrFormat("%s %.1f", opt.variants[vi]->name, r.steps_per_object[vi]));
  absl::StrAppendFormat(
      &out,
      "\nthe cost model (virtual_time.h): %.1f ns a step, from the real 1-thread medians at "
      "pressure %s; a pressure step %.0f ns; steps per zs_free: %s\n",
      r.ns_per_step, opt.pressures[0].name, r.ns_per_pressure_step, absl::StrJoin(steps, ", "));
  absl::StrAppendFormat(&out,
                        "the model against real threads, %llu objects a thread: free phase ms and speedup "
                        "over %s, real / virtual\n",
                        static_cast<unsigned long long>(opt.objects), base);
  absl::StrAppendFormat(&out, "%-7s %-8s %-9s %10s %10s %9s %9s\n", "threads", "pressure", "variant",
                        "real ms", "virtual ms", "real x", "virtual x");
  for (const auto& [key, cell] : r.check) {
    const double real = Median(r.real.at(key).free_ns);
    const double real_base = Median(r.real.at({key.threads, key.pressure, 0}).free_ns);
    const double virt = cell.free_ns[0];
    const double virt_base = r.check.at({key.threads, key.pressure, 0}).free_ns[0];
    absl::StrAppendFormat(&out, "%7u %-8s %-9s %10.3f %10.3f %9.3f %9.3f\n", key.threads,
                          opt.pressures[key.pressure].name, opt.variants[key.variant]->name, real / 1e6,
                          virt / 1e6, real > 0 ? real_base / real : 0, virt > 0 ? virt_base / virt : 0);
  }

  absl::StrAppendFormat(
      &out,
      "\nvirtual time: makespan of the free phase, %llu objects a CPU (ms), and the speedup "
      "over %s\n",
      static_cast<unsigned long long>(opt.virtual_objects), base);
  absl::StrAppendFormat(&out, "%-4s %-8s", "cpus", "pressure");
  for (size_t vi = 0; vi < nv; vi++)
    absl::StrAppendFormat(&out, " %11s", std::string(opt.variants[vi]->name) + " ms");
  for (size_t vi = 1; vi < nv; vi++)
    absl::StrAppendFormat(&out, " %11s", std::string(opt.variants[vi]->name) + " x");
  out += "\n";
  for (uint32_t cpus : opt.virtual_cpus) {
    for (size_t p = 0; p < opt.pressures.size(); p++) {
      absl::StrAppendFormat(&out, "%4u %-8s", cpus, opt.pressures[p].name);
      const double b = r.virt.at({cpus, p, 0}).free_ns[0];
      for (size_t vi = 0; vi < nv; vi++)
        absl::StrAppendFormat(&out, " %11.3f", r.virt.at({cpus, p, vi}).free_ns[0] / 1e6);
      for (size_t vi = 1; vi < nv; vi++) {
        const double t = r.virt.at({cpus, p, vi}).free_ns[0];
        absl::StrAppendFormat(&out, " %11.3f", t > 0 ? b / t : 0);
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace zsfuzz

namespace zsfuzz {

std::string ContentionPlotSvg(const ContentionOptions& opt, const ContentionReport& r) {
  static constexpr const char* kColors[] = {"#444444", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  static constexpr const char* kDashes[] = {"", "8 4", "2 3", "12 3 2 3"};
  LineChart chart;
  chart.title = absl::StrFormat("zs_free phase: speedup over %s (lines: virtual time; dots: real threads)",
                                opt.variants[0]->name);
  chart.x_label = "threads (virtual CPUs)";
  chart.y_label = absl::StrFormat("speedup over %s", opt.variants[0]->name);
  for (size_t vi = 1; vi < opt.variants.size(); vi++) {
    for (size_t p = 0; p < opt.pressures.size(); p++) {
      ChartSeries line;
      line.name = absl::StrFormat("%s, %s", opt.variants[vi]->name, opt.pressures[p].name);
      line.color = kColors[vi % std::size(kColors)];
      line.dash = kDashes[p % std::size(kDashes)];
      for (uint32_t cpus : opt.virtual_cpus) {
        const auto b = r.virt.find({cpus, p, 0});
        const auto v = r.virt.find({cpus, p, vi});
        if (b == r.virt.end() || v == r.virt.end() || v->second.free_ns[0] <= 0) continue;
        line.points.emplace_back(cpus, b->second.free_ns[0] / v->second.free_ns[0]);
      }
      ChartSeries dots = line;
      dots.name = absl::StrFormat("%s, %s, real", opt.variants[vi]->name, opt.pressures[p].name);
      dots.line = false;
      dots.marks = true;
      dots.points.clear();
      for (uint32_t threads = 1; threads <= opt.max_threads; threads++) {
        const auto b = r.real.find({threads, p, 0});
        const auto v = r.real.find({threads, p, vi});
        if (b == r.real.end() || v == r.real.end()) continue;
        const double m = Median(v->second.free_ns);
        if (m > 0) dots.points.emplace_back(threads, Median(b->second.free_ns) / m);
      }
      chart.series.push_back(std::move(line));
      if (p == 0 || !dots.points.empty()) chart.series.push_back(std::move(dots));
    }
  }
  return RenderSvg(chart);
}

}  // namespace zsfuzz
