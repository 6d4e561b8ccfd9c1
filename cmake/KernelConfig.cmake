# The simulated machine's configuration (allocator/kernel/include/kernel/types.h),
# chosen by ZSFUZZ_KERNEL_CONFIG (set by the presets) for the whole tree, so the
# port, the variants, the oracle and the tests all see one set of constants:
#
#   4k       64-bit, 4 KiB pages, MAX_POSSIBLE_PHYSMEM_BITS 52 (x86-64, arm64).
#            The default.
#   noclass  64-bit, 4 KiB pages, MAX_POSSIBLE_PHYSMEM_BITS 64, the fallback of
#            an architecture that does not define it (BITS_PER_LONG, as UML):
#            obj has no spare bits below the PFN, so the series' ZS_OBJ_CLASS_BITS
#            is 0 and post's zs_free() keeps taking pool->lock (reference 5.2,
#            5.3).
#   16k      64-bit, 16 KiB pages, MAX_POSSIBLE_PHYSMEM_BITS 52 (arm64 with
#            CONFIG_ARM64_16K_PAGES): ZS_SIZE_CLASS_DELTA 64 and 257 size
#            classes, so the class index needs all CLASS_BITS + 1 bits of
#            zspage->class_.
set(ZSFUZZ_KERNEL_CONFIG "4k" CACHE STRING "Simulated kernel configuration: 4k, noclass or 16k")
set_property(CACHE ZSFUZZ_KERNEL_CONFIG PROPERTY STRINGS 4k noclass 16k)
if(ZSFUZZ_KERNEL_CONFIG STREQUAL "4k")
  set(ZSFUZZ_PAGE_SHIFT 12)
  set(ZSFUZZ_MAX_POSSIBLE_PHYSMEM_BITS 52)
elseif(ZSFUZZ_KERNEL_CONFIG STREQUAL "noclass")
  set(ZSFUZZ_PAGE_SHIFT 12)
  set(ZSFUZZ_MAX_POSSIBLE_PHYSMEM_BITS 64)
elseif(ZSFUZZ_KERNEL_CONFIG STREQUAL "16k")
  set(ZSFUZZ_PAGE_SHIFT 14)
  set(ZSFUZZ_MAX_POSSIBLE_PHYSMEM_BITS 52)
else()
  message(FATAL_ERROR "ZSFUZZ_KERNEL_CONFIG must be 4k, noclass or 16k, not '${ZSFUZZ_KERNEL_CONFIG}'")
endif()
add_compile_definitions(ZS_CONFIG_NAME="${ZSFUZZ_KERNEL_CONFIG}"
                        ZS_CONFIG_PAGE_SHIFT=${ZSFUZZ_PAGE_SHIFT}
                        ZS_CONFIG_MAX_POSSIBLE_PHYSMEM_BITS=${ZSFUZZ_MAX_POSSIBLE_PHYSMEM_BITS})
