# The traits a variant declares: what its code does that a checker must know
# to judge it (README.md, "Traits"). zs_add_variant() requires them and compiles
# them into the variant's table (struct zs_variant_traits in
# allocator/zsmalloc/zs_variant.h), so the oracle reads them from the variant,
# never from its name.
#
#   class_in_obj                    patch 1: obj = [PFN | class_idx | obj_idx]
#   free_without_pool_lock          patch 2: zs_free() locks the class named by
#                                   the handle without taking pool->lock
#   frees_pages_outside_class_lock  patch 3: zs_free() returns an empty zspage's
#                                   pages to the buddy allocator, and subtracts
#                                   pages_allocated, after spin_unlock(class->lock)
#
# `none` declares that the variant has none of them (the base tree). A new
# trait goes into the list in zs_variant_traits() below, into struct
# zs_variant_traits and into the table in allocator/zsmalloc/zs_variant_ops.inc.

# zs_variant_traits(WHO GIVEN OUT_DEFS OUT_TRAITS [trait...])
#
# Checks the traits `WHO` (e.g. "zs_add_variant(post)") declared: GIVEN is
# true if its call had the TRAITS keyword, the traits follow. On success sets
# OUT_DEFS to the compile definitions the port reads (ZS_VARIANT_TRAITS_DECLARED,
# ZS_TRAIT_<NAME>=0|1 for every known trait) and OUT_TRAITS to the list of
# traits ("none" if empty). Anything else is a configure error, one message.
function(zs_variant_traits WHO GIVEN OUT_DEFS OUT_TRAITS)
  set(ZS_VARIANT_TRAIT_NAMES class_in_obj free_without_pool_lock frees_pages_outside_class_lock)
  string(REPLACE ";" " " known "${ZS_VARIANT_TRAIT_NAMES}")
  set(how "declare what its code does with TRAITS <trait>... or TRAITS none; traits: ${known} (allocator/variants/README.md, \"Traits\")")
  if(NOT GIVEN OR NOT ARGN)
    message(FATAL_ERROR "${WHO}: no TRAITS: ${how}")
  endif()
  string(REPLACE ";" " " declared "${ARGN}")
  set(traits ${ARGN})
  list(REMOVE_DUPLICATES traits)
  if(NOT traits STREQUAL "${ARGN}")
    message(FATAL_ERROR "${WHO}: TRAITS ${declared} names a trait twice")
  endif()
  if("none" IN_LIST traits)
    list(LENGTH traits n)
    if(n GREATER 1)
      message(FATAL_ERROR "${WHO}: TRAITS none cannot be combined with other traits (TRAITS ${declared})")
    endif()
    set(traits "")
  endif()
  foreach(trait ${traits})
    if(NOT trait IN_LIST ZS_VARIANT_TRAIT_NAMES)
      message(FATAL_ERROR "${WHO}: unknown trait '${trait}'; ${how}")
    endif()
  endforeach()
  set(defs ZS_VARIANT_TRAITS_DECLARED=1)
  foreach(trait ${ZS_VARIANT_TRAIT_NAMES})
    string(TOUPPER "${trait}" upper)
    if(trait IN_LIST traits)
      list(APPEND defs ZS_TRAIT_${upper}=1)
    else()
      list(APPEND defs ZS_TRAIT_${upper}=0)
    endif()
  endforeach()
  if(NOT traits)
    set(traits none)
  endif()
  set(${OUT_DEFS} ${defs} PARENT_SCOPE)
  set(${OUT_TRAITS} ${traits} PARENT_SCOPE)
endfunction()
