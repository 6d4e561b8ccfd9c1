// The simulated migration core: isolate, migrate and putback of movable_ops pages, in mm/migrate.c's order.
#include "kernel/migrate.h"
#include "allocator/kernel/src/internal.h"
#include "kernel/page_alloc.h"

namespace kernel {

bool isolate_movable_ops_page(page* p, isolate_mode_t mode) {
  // The reference pins the struct page against a concurrent final put; a
  // free page (refcount 0) cannot be isolated.
  if (!get_page_unless_zero(p)) return false;
  if (!PageMovable(p) || PageIsolated(p)) goto out_put;
  if (!trylock_page(p)) goto out_put;
  // Re-check under the page lock: the owner may have changed the page meanwhile.
  if (!PageMovable(p) || PageIsolated(p)) goto out_unlock;
  if (!page_movable_ops(p)->isolate_page(p, mode)) goto out_unlock;
  set_bit(PG_isolated, &p->flags);
  unlock_page(p);
  return true;

out_unlock:
  unlock_page(p);
out_put:
  put_page(p);
  return false;
}

int migrate_movable_ops_page(page* p, migrate_mode mode, page** newp) {
  if (newp) *newp = nullptr;
  VM_BUG_ON_PAGE(!PageIsolated(p), p);
  lock_page(p);
  page* dst = alloc_page(GFP_KERNEL);
  if (!dst) {
    unlock_page(p);
    return -ENOMEM;
  }
  // A page fresh from the allocator is known to nobody else.
  const bool locked = trylock_page(dst);
  VM_BUG_ON_PAGE(!locked, dst);

  // A page whose owner dropped its movable ops while it was isolated was
  // freed from under us: nothing to move (mm/migrate.c treats it as success).
  int rc = 0;
  if (const movable_operations* mops = page_movable_ops(p)) {
    // The owner can tell its own release of a page from this move (sched.h).
    task_struct* task = get_current();
    task->migrating_page = p;
    rc = mops->migrate_page(dst, p, mode);
    task->migrating_page = nullptr;
  }
  if (rc != 0) {
    unlock_page(dst);
    put_page(dst);
    unlock_page(p);
    return rc;
  }
  clear_bit(PG_isolated, &p->flags);
  unlock_page(dst);
  unlock_page(p);
  put_page(p);  // the isolation reference
  // The owner took its own reference on dst if it moved anything into it.
  const bool kept = page_ref_count(dst) > 1;
  put_page(dst);  // the core's reference from alloc_page
  if (newp && kept) *newp = dst;
  return 0;
}

void putback_movable_ops_page(page* p) {
  VM_BUG_ON_PAGE(!PageIsolated(p), p);
  lock_page(p);
  if (const movable_operations* mops = page_movable_ops(p)) mops->putback_page(p);
  clear_bit(PG_isolated, &p->flags);
  unlock_page(p);
  put_page(p);
}

int migrate_one_page(page* p, migrate_mode mode, page** newp) {
  if (newp) *newp = nullptr;
  if (!isolate_movable_ops_page(p, ISOLATE_MODE_NONE)) return -EBUSY;
  const int rc = migrate_movable_ops_page(p, mode, newp);
  if (rc != 0) putback_movable_ops_page(p);
  return rc;
}

}  // namespace kernel
