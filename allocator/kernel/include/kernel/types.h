// Basic kernel types, constants and helper macros the port relies on.
//
// The simulated machine is 64-bit with 4 KiB pages and 52 possible physical
// address bits, like x86-64 and arm64 (zsmalloc-reference.md section 1),
// unless the build picks another configuration (cmake/KernelConfig.cmake,
// ZSFUZZ_KERNEL_CONFIG), which defines the ZS_CONFIG_* macros below.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace kernel {

using gfp_t = unsigned int;
using phys_addr_t = unsigned long;

#ifndef ZS_CONFIG_NAME
#define ZS_CONFIG_NAME "4k"
#define ZS_CONFIG_PAGE_SHIFT 12
#define ZS_CONFIG_MAX_POSSIBLE_PHYSMEM_BITS 52
#endif

// The configuration's name, for reports ("4k", "noclass", "16k").
inline constexpr const char* ZS_CONFIG = ZS_CONFIG_NAME;
inline constexpr int BITS_PER_LONG = 64;
inline constexpr int PAGE_SHIFT = ZS_CONFIG_PAGE_SHIFT;
inline constexpr unsigned long PAGE_SIZE = 1UL << PAGE_SHIFT;
inline constexpr unsigned long PAGE_MASK = ~(PAGE_SIZE - 1);
// 64 (noclass) is what an architecture without the constant falls back to:
// BITS_PER_LONG.
inline constexpr int MAX_POSSIBLE_PHYSMEM_BITS = ZS_CONFIG_MAX_POSSIBLE_PHYSMEM_BITS;
static_assert(MAX_POSSIBLE_PHYSMEM_BITS <= BITS_PER_LONG);
inline constexpr unsigned long SZ_16M = 16UL << 20;

// GFP flags: the bits zsmalloc masks or tests, with the kernel's values.
inline constexpr gfp_t __GFP_HIGHMEM = 0x02;
inline constexpr gfp_t __GFP_MOVABLE = 0x08;
inline constexpr gfp_t __GFP_HIGH = 0x20;
inline constexpr gfp_t __GFP_IO = 0x40;
inline constexpr gfp_t __GFP_FS = 0x80;
inline constexpr gfp_t __GFP_ZERO = 0x100;
inline constexpr gfp_t __GFP_NOWARN = 0x2000;
inline constexpr gfp_t __GFP_DIRECT_RECLAIM = 0x400;
inline constexpr gfp_t __GFP_KSWAPD_RECLAIM = 0x800;
inline constexpr gfp_t __GFP_NORETRY = 0x10000;
inline constexpr gfp_t __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
inline constexpr gfp_t GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
inline constexpr gfp_t GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
inline constexpr gfp_t GFP_NOIO = __GFP_RECLAIM;
inline constexpr gfp_t GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;

constexpr bool gfpflags_allow_blocking(gfp_t gfp) { return (gfp & __GFP_DIRECT_RECLAIM) != 0; }

inline constexpr int NUMA_NO_NODE = -1;

constexpr unsigned long offset_in_page(unsigned long off) { return off & ~PAGE_MASK; }

// ERR_PTR-style results encoded in an unsigned long (zs_malloc returns these).
inline constexpr unsigned long MAX_ERRNO = 4095;
constexpr bool IS_ERR_VALUE(unsigned long x) { return x >= static_cast<unsigned long>(-MAX_ERRNO); }
constexpr bool IS_ERR_OR_NULL(unsigned long x) { return x == 0 || IS_ERR_VALUE(x); }
constexpr unsigned long ERR_VALUE(long error) { return static_cast<unsigned long>(error); }
constexpr long PTR_ERR(unsigned long x) { return static_cast<long>(x); }

}  // namespace kernel

#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __must_check [[nodiscard]]
#define __maybe_unused [[maybe_unused]]
#define __acquires(x)
#define __releases(x)
#define container_of(ptr, type, member) \
  (reinterpret_cast<type*>(reinterpret_cast<char*>(ptr) - offsetof(type, member)))
