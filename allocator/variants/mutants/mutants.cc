// The registry of seeded mutants (mutants.h), from the generated mutant_list.inc.
#include "allocator/variants/mutants/mutants.h"

#define ZS_MUTANT(ns, name, base, check, sanitized) \
  namespace ns {                                     \
  extern const zs_variant_ops zs_variant;            \
  }
#include "allocator/variants/mutants/mutant_list.inc"
#undef ZS_MUTANT

namespace zsfuzz {
namespace {

// ZS_MUTANT_WITNESS(folder) expands to the text of witnesses/<folder>.txt.
#include "allocator/variants/mutants/mutant_witnesses.inc"

}  // namespace

const std::vector<SeededMutant>& SeededMutants() {
  static const std::vector<SeededMutant> mutants = {
#define ZS_MUTANT(ns, name, base, check, sanitized) {name, &ns::zs_variant, base, check, Witness(name), sanitized},
#include "allocator/variants/mutants/mutant_list.inc"
#undef ZS_MUTANT
  };
  return mutants;
}

const SeededMutant* FindSeededMutant(std::string_view name) {
  for (const SeededMutant& m : SeededMutants())
    if (name == m.name) return &m;
  return nullptr;
}

}  // namespace zsfuzz
