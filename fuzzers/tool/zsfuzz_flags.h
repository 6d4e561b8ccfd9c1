// File: zsfuzz_flags.h
//
// The flags shared by zsfuzz's subcommands, defined in zsfuzz_main.cc. A
// subcommand reads only the flags its Subcommand entry lists; the parser
// refuses the others.
#pragma once

#include <cstdint>
#include <string>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(std::string, variant);
ABSL_DECLARE_FLAG(uint32_t, chain);
ABSL_DECLARE_FLAG(uint32_t, threads);
ABSL_DECLARE_FLAG(uint64_t, ops);
ABSL_DECLARE_FLAG(uint64_t, seed);
ABSL_DECLARE_FLAG(uint32_t, pressure);
ABSL_DECLARE_FLAG(bool, no_migrate);
ABSL_DECLARE_FLAG(bool, no_compact);
ABSL_DECLARE_FLAG(bool, progress);
ABSL_DECLARE_FLAG(bool, deterministic);
ABSL_DECLARE_FLAG(std::string, strategy);
ABSL_DECLARE_FLAG(std::string, schedule);
ABSL_DECLARE_FLAG(bool, trace);
ABSL_DECLARE_FLAG(std::string, variants);
ABSL_DECLARE_FLAG(uint32_t, time);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, target);
