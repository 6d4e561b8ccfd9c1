#include "fuzzers/tool/variant_arg.h"

#include "absl/strings/str_format.h"
#include "allocator/variants/mutants/mutants.h"
#include "fuzzers/targets/diff_target.h"
#include "oracle/check.h"

namespace zsfuzz {

std::string VariantNames() {
  size_t count = 0;
  const zs_variant_ops* const* all = zs_variants(&count);
  std::string names;
  for (size_t i = 0; i < count; i++) absl::StrAppendFormat(&names, "%s%s", i ? ", " : "", all[i]->name);
  return names;
}

absl::StatusOr<const zs_variant_ops*> FindVariantOrError(absl::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("--variant is required; variants: %s (see 'zsfuzz list')", VariantNames()));
  }
  const zs_variant_ops* v = zs_find_variant(std::string(name).c_str());
  if (v == nullptr) {
    // A seeded mutant (allocator/variants/mutants) is a variant too: `stress
    // --variant mut-fullness` shows what the stress oracle catches.
    if (const SeededMutant* m = FindSeededMutant(std::string_view(name.data(), name.size()))) v = m->ops;
  }
  if (v == nullptr) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "unknown variant '%s'; variants: %s (see 'zsfuzz list'), or a seeded mutant", name, VariantNames()));
  }
  if (absl::StatusOr<VariantTraits> traits = TraitsFor(v); !traits.ok()) return traits.status();
  return v;
}

void AcceptSeededMutants() {
  std::string names;
  for (const SeededMutant& m : SeededMutants()) names += (names.empty() ? "" : ", ") + std::string(m.name);
  targets::SetExtraVariantLookup(
      [](std::string_view name) -> const zs_variant_ops* {
        const SeededMutant* m = FindSeededMutant(name);
        return m ? m->ops : nullptr;
      },
      names);
}

}  // namespace zsfuzz
