// zs_microbench: Google Benchmark microbenchmarks of the single-thread fast
// paths, zs_malloc, zs_free, zs_obj_write and zs_obj_read_begin/end, for every
// registered variant, then each variant's ratio to pre (issue 12: the series
// must not slow down the uncontended paths). Figures only; no test asserts a
// time.
//
//   zs_microbench [--benchmark_repetitions=N] [--benchmark_min_time=S] [other Google Benchmark flags]
//
// By default every benchmark runs 5 times, the repetitions of all variants
// randomly interleaved (--benchmark_enable_random_interleaving), so that a
// drift of the machine's speed falls on every variant alike. After Google
// Benchmark's own table comes one line per (operation, size, variant): the
// median ns per operation over the repetitions, their spread ((max - min) /
// median), and the ratio of the median to pre's with the range of the
// per-repetition ratios (repetition i of the variant over repetition i of pre).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "allocator/zsmalloc/zs_variant.h"
#include "kernel/kernel.h"

namespace {

// Objects per batch: enough that the pause around the untimed half of a
// malloc or free benchmark is small against the timed half.
constexpr int kBatch = 512;
constexpr size_t kSizes[] = {256, 2048};

// The variant's pool for one benchmark run; every object freed by the end.
class Pool {
 public:
  explicit Pool(const zs_variant_ops* v) : v_(v), pool_(v->create_pool("bench", 8)) {}
  ~Pool() {
    v_->flush_deferred(pool_);
    v_->destroy_pool(pool_);
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  bool ok() const { return pool_ != nullptr; }
  unsigned long Malloc(size_t size) {
    return v_->malloc(pool_, size, kernel::GFP_KERNEL, kernel::NUMA_NO_NODE);
  }
  void Free(unsigned long h) { v_->free(pool_, h); }
  void Write(unsigned long h, void* buf, size_t size) { v_->obj_write(pool_, h, buf, size); }
  uint8_t Read(unsigned long h, void* local, size_t size) {
    void* mem = v_->obj_read_begin(pool_, h, size, local);
    const uint8_t b = static_cast<const uint8_t*>(mem)[size - 1];
    v_->obj_read_end(pool_, h, size, mem);
    return b;
  }

 private:
  const zs_variant_ops* v_;
  zs_pool* pool_;
};

enum class Op { kMalloc, kFree, kWrite, kRead };
constexpr const char* kOpNames[] = {"zs_malloc", "zs_free", "zs_obj_write", "zs_obj_read"};

void Run(benchmark::State& state, const zs_variant_ops* v, Op op, size_t size) {
  Pool pool(v);
  if (!pool.ok()) {
    state.SkipWithError("zs_create_pool failed");
    return;
  }
  std::vector<unsigned long> handles(kBatch);
  std::vector<uint8_t> buf(size, 0x5a);
  if (op == Op::kMalloc || op == Op::kFree) {
    // Half of each iteration is timed: the mallocs, or the frees.
    for (auto _ : state) {
      if (op == Op::kFree) state.PauseTiming();
      for (unsigned long& h : handles) h = pool.Malloc(size);
      if (op == Op::kFree) state.ResumeTiming();
      if (op == Op::kMalloc) state.PauseTiming();
      for (unsigned long h : handles) pool.Free(h);
      if (op == Op::kMalloc) state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
    return;
  }
  for (unsigned long& h : handles) {
    h = pool.Malloc(size);
    pool.Write(h, buf.data(), size);
  }
  size_t i = 0;
  for (auto _ : state) {
    const unsigned long h = handles[i++ % handles.size()];
    if (op == Op::kWrite) {
      pool.Write(h, buf.data(), size);
    } else {
      benchmark::DoNotOptimize(pool.Read(h, buf.data(), size));
    }
  }
  for (unsigned long h : handles) pool.Free(h);
  state.SetItemsProcessed(state.iterations());
}

// Google Benchmark's console table of the aggregates (mean, median, stddev,
// cv over the repetitions), and each repetition's ns per operation kept by
// (operation/size, variant) for the ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal: the table often goes to a file.
  RatioReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> aggregates;
    for (const Run& r : runs)
      if (r.run_type == Run::RT_Aggregate) aggregates.push_back(r);
    if (!aggregates.empty()) ConsoleReporter::ReportRuns(aggregates);
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred || r.iterations == 0) continue;
      // "zs_malloc/256/post": the key is "zs_malloc/256", the variant "post".
      const std::string name = r.benchmark_name();
      const size_t slash = name.rfind('/');
      const double items = r.counters.count("items_per_second") ? r.counters.at("items_per_second").value : 0;
      if (slash == std::string::npos || items <= 0) continue;
      reps_[name.substr(0, slash)][name.substr(slash + 1)].push_back(1e9 / items);
    }
  }

  void PrintRatios(const std::vector<std::string>& variants) const {
    std::printf("\n%-18s %-12s %10s %8s %12s %17s\n", "operation/size", "variant", "median ns", "spread",
                "ratio to pre", "per-rep ratios");
    for (const auto& [key, by_variant] : reps_) {
      const auto pre = by_variant.find("pre");
      for (const std::string& v : variants) {
        const auto it = by_variant.find(v);
        if (it == by_variant.end()) continue;
        const std::vector<double>& ns = it->second;
        const double med = Median(ns);
        const double spread =
            (*std::max_element(ns.begin(), ns.end()) - *std::min_element(ns.begin(), ns.end())) / med;
        std::printf("%-18s %-12s %10.1f %7.1f%%", key.c_str(), v.c_str(), med, 100 * spread);
        if (pre == by_variant.end() || v == "pre") {
          std::printf("\n");
          continue;
        }
        std::vector<double> ratios;
        for (size_t i = 0; i < std::min(ns.size(), pre->second.size()); i++)
          ratios.push_back(ns[i] / pre->second[i]);
        std::printf(" %12.3f %8.3f..%-8.3f\n", med / Median(pre->second),
                    *std::min_element(ratios.begin(), ratios.end()),
                    *std::max_element(ratios.begin(), ratios.end()));
      }
    }
  }

 private:
  static double Median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  std::map<std::string, std::map<std::string, std::vector<double>>> reps_;
};

bool HasFlag(int argc, char** argv, const char* prefix) {
  for (int i = 1; i < argc; i++)
    if (std::strncmp(argv[i], prefix, std::strlen(prefix)) == 0) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // The defaults of this benchmark, unless the command line says otherwise.
  std::vector<char*> args(argv, argv + argc);
  std::string reps = "--benchmark_repetitions=5";
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  if (!HasFlag(argc, argv, "--benchmark_repetitions")) args.push_back(reps.data());
  if (!HasFlag(argc, argv, "--benchmark_enable_random_interleaving")) args.push_back(interleave.data());
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;

  size_t count = 0;
  const zs_variant_ops* const* all = zs_variants(&count);
  std::vector<std::string> variants;
  for (size_t i = 0; i < count; i++) {
    const zs_variant_ops* v = all[i];
    variants.emplace_back(v->name);
    for (int op = 0; op < 4; op++) {
      for (size_t size : kSizes) {
        const std::string name = std::string(kOpNames[op]) + "/" + std::to_string(size) + "/" + v->name;
        benchmark::RegisterBenchmark(
            name.c_str(), [v, op, size](benchmark::State& s) { Run(s, v, static_cast<Op>(op), size); });
      }
    }
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios(variants);
  benchmark::Shutdown();
  return 0;
}
