// File: variant_arg.h
//
// Turning a --variant value into a registered variant, with the error a user
// needs when it does not name one.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "allocator/zsmalloc/zs_variant.h"

namespace zsfuzz {

// "pre, post, ...": every registered variant, in registry order.
std::string VariantNames();

// The variant called `name` (a registered variant or a seeded mutant), or
// InvalidArgument naming the valid ones (also when `name` is empty: the flag
// is required), or TraitsFor's error when the variant does not declare its
// traits (oracle/check.h).
absl::StatusOr<const zs_variant_ops*> FindVariantOrError(absl::string_view name);

// Lets --variants (run, repro, minimize) name the seeded mutants of
// tests/mutants as well, e.g. `--variants post,mut-pages-leak`.
void AcceptSeededMutants();

}  // namespace zsfuzz
