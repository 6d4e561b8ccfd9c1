// The structure-aware mutator's byte-level entry points and the crossover
// (the mutations themselves are in mutations.cc).
#include "fuzzers/mutator/mutator.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "fuzzers/mutator/draft.h"
#include "oracle/program/binary.h"

namespace zsfuzz {
namespace {

// How often MutateProgramBytes picks each Mutation, in its enum order: op
// edits and sizes most, the schedule's decisions and seed next.
constexpr int kMutationWeights[kNumMutations] = {10, 8, 5, 5, 5, 4, 8, 5, 3, 3, 3, 2, 2, 3, 6, 3, 8, 4, 4};
template <typename T, size_t N>
size_t PickWeighted(const T (&weights)[N], Prng* rng) {
  uint64_t total = 0;
  for (T w : weights) total += w;
  uint64_t r = rng->Below(total);
  for (size_t i = 0; i < N; i++) {
    if (r < static_cast<uint64_t>(weights[i])) return i;
    r -= weights[i];
  }
  return N - 1;
}
template <typename T>
const T& PickFrom(const std::vector<T>& v, Prng* rng) {
  return v[rng->Below(v.size())];
}
// Ops of all threads.
size_t CountOps(const Program& p) {
  size_t n = 0;
  for (const auto& ops : p.threads) n += ops.size();
  return n;
}

// The encoding of `p`, ops dropped at random until it fits in max_size
// (then the schedule's decisions); the caller truncates what still does not.
std::vector<uint8_t> EncodeWithin(Program p, size_t max_size, Prng* rng) {
  std::vector<uint8_t> bytes = EncodeProgram(p);
  while (bytes.size() > max_size) {
    const size_t ops = CountOps(p);
    if (ops == 0) {
      if (p.schedule.data.empty()) break;
      const size_t excess = bytes.size() - max_size;
      p.schedule.data.resize(p.schedule.data.size() > excess ? p.schedule.data.size() - excess : 0);
    } else {
      // Ops take 1 to 3 bytes mostly: drop about enough in one go.
      const size_t drop = std::clamp<size_t>((bytes.size() - max_size) / 3, 1, ops);
      Draft d = ToDraft(p);
      for (size_t k = 0; k < drop; k++) {
        std::vector<size_t> nonempty;
        for (size_t t = 0; t < d.threads.size(); t++)
          if (!d.threads[t].empty()) nonempty.push_back(t);
        if (nonempty.empty()) break;
        auto& thread = d.threads[PickFrom(nonempty, rng)];
        thread.erase(thread.begin() + static_cast<ptrdiff_t>(rng->Below(thread.size())));
      }
      p = FromDraft(d);
    }
    bytes = EncodeProgram(p);
  }
  return bytes;
}

size_t CopyOut(const std::vector<uint8_t>& bytes, uint8_t* out, size_t max_size) {
  const size_t n = std::min(bytes.size(), max_size);
  if (n > 0) std::memcpy(out, bytes.data(), n);
  return n;
}
}  // namespace

Program CrossOver(const Program& a, const Program& b, Prng* rng) {
  Draft da = ToDraft(a);
  const Draft db = ToDraft(b, da.next_label);
  Draft out = da;
  out.next_label = db.next_label;
  switch (rng->Below(4)) {
    case 0: {  // each thread from either program
      const size_t n = rng->Percent(50) ? da.threads.size() : db.threads.size();
      out.threads.assign(n, {});
      for (size_t t = 0; t < n; t++) {
        const bool from_b = t >= da.threads.size() || (t < db.threads.size() && rng->Percent(50));
        out.threads[t] = from_b ? db.threads[t] : da.threads[t];
      }
      break;
    }
    case 1: {  // one thread: a's prefix, b's suffix
      const size_t t = rng->Below(std::min(da.threads.size(), db.threads.size()));
      const auto& x = da.threads[t];
      const auto& y = db.threads[t];
      std::vector<DraftOp> spliced(x.begin(), x.begin() + static_cast<ptrdiff_t>(rng->Below(x.size() + 1)));
      spliced.insert(spliced.end(), y.begin() + static_cast<ptrdiff_t>(rng->Below(y.size() + 1)), y.end());
      out.threads[t] = std::move(spliced);
      break;
    }
    case 2:  // b's threads after a's, as many as fit
      for (size_t t = 0; t < db.threads.size() && out.threads.size() < static_cast<size_t>(kMaxThreads); t++)
        out.threads.push_back(db.threads[t]);
      break;
    default:  // a's ops under b's schedule
      out.schedule = db.schedule;
      out.chain_size = db.chain_size;
      return FromDraft(out);
  }
  if (rng->Percent(50)) out.schedule = db.schedule;
  if (rng->Percent(25)) out.chain_size = db.chain_size;
  return FromDraft(out);
}

size_t MutateProgramBytes(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  Prng rng(seed);
  const Program in = DecodeProgram(data, size);
  Program out = in;
  // A few tries at a program that differs: some mutations cannot apply to
  // some programs, and some land on the value they replace.
  for (int attempt = 0; attempt < 16 && out == in; attempt++) {
    out = in;
    const int count = rng.Percent(50) ? 1 : static_cast<int>(rng.Range(2, 4));
    for (int k = 0; k < count; k++) {
      for (int pick = 0; pick < 8; pick++) {
        const auto m = static_cast<Mutation>(PickWeighted(kMutationWeights, &rng));
        if (ApplyMutation(m, &out, &rng)) break;
      }
    }
  }
  return CopyOut(EncodeWithin(std::move(out), max_size, &rng), data, max_size);
}

size_t CrossOverProgramBytes(const uint8_t* data1, size_t size1, const uint8_t* data2, size_t size2,
                             uint8_t* out, size_t max_out_size, unsigned int seed) {
  Prng rng(seed);
  const Program a = DecodeProgram(data1, size1);
  const Program b = DecodeProgram(data2, size2);
  return CopyOut(EncodeWithin(CrossOver(a, b, &rng), max_out_size, &rng), out, max_out_size);
}

}  // namespace zsfuzz
