// movable_operations and a simulated migration core.
//
// The core drives a movable page through the kernel's contract
// (mm/migrate.c: isolate_movable_ops_page, migrate_movable_ops_page,
// putback_movable_ops_page), with the page lock held where the kernel holds
// it. The three steps are separate calls so a test or an op program can put
// other work between them:
//
//   isolate:  get a reference, trylock the page, mops->isolate_page(),
//             mark it isolated, unlock. The reference stays.
//   migrate:  lock the page (sleeping), allocate and trylock a new page,
//             mops->migrate_page(new, old); on success clear isolated,
//             unlock both, drop the isolation reference and the core's
//             reference on the new page.
//   putback:  lock the page, mops->putback_page(), clear isolated, unlock,
//             drop the isolation reference.
#pragma once

#include "kernel/page.h"

namespace kernel {

enum isolate_mode_t { ISOLATE_MODE_NONE = 0 };
enum migrate_mode { MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT, MIGRATE_SYNC };

struct movable_operations {
  bool (*isolate_page)(page* p, isolate_mode_t mode);
  int (*migrate_page)(page* dst, page* src, migrate_mode mode);
  void (*putback_page)(page* p);
};

// False if the page is free, not movable, locked by someone else, or refused.
bool isolate_movable_ops_page(page* p, isolate_mode_t mode);
// The page must be isolated by isolate_movable_ops_page(). Returns 0 and the
// new page in *newp (may be null) on success; on failure the page stays
// isolated and the caller must call putback_movable_ops_page().
int migrate_movable_ops_page(page* p, migrate_mode mode, page** newp);
void putback_movable_ops_page(page* p);

// isolate + migrate, putting the page back if migration fails. Returns 0 on
// success, -EBUSY if isolation failed, or the migrate_page error.
int migrate_one_page(page* p, migrate_mode mode, page** newp);

}  // namespace kernel
