// The variant registry: zs_variants() and zs_find_variant() over the
// variants listed in the generated variant_list.inc, in CMake order.
#include <cstring>
#include <iterator>

#include "allocator/zsmalloc/zs_variant.h"

#define ZS_VARIANT(ns) \
  namespace ns {       \
  extern const zs_variant_ops zs_variant; \
  }
#include "allocator/variants/variant_list.inc"
#undef ZS_VARIANT

namespace {

const zs_variant_ops* const kVariants[] = {
#define ZS_VARIANT(ns) &ns::zs_variant,
#include "allocator/variants/variant_list.inc"
#undef ZS_VARIANT
};

}  // namespace

const zs_variant_ops* const* zs_variants(size_t* count) {
  *count = std::size(kVariants);
  return kVariants;
}

const zs_variant_ops* zs_find_variant(const char* name) {
  if (name == nullptr) return nullptr;
  for (const zs_variant_ops* v : kVariants)
    if (std::strcmp(v->name, name) == 0) return v;
  return nullptr;
}
