// The one door: everything the zsmalloc port uses from the simulated kernel.
//
// The port includes this header only, so every kernel-facing name it uses is
// declared below, in a header named after the kernel header it stands in for.
#pragma once

#include "kernel/atomic.h"
#include "kernel/bug.h"
#include "kernel/compiler.h"
#include "kernel/highmem.h"
#include "kernel/list.h"
#include "kernel/lock_stat.h"
#include "kernel/lockdep.h"
#include "kernel/migrate.h"
#include "kernel/page.h"
#include "kernel/page_alloc.h"
#include "kernel/reset.h"
#include "kernel/scatterlist.h"
#include "kernel/sched.h"
#include "kernel/seq_file.h"
#include "kernel/shrinker.h"
#include "kernel/slab.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "kernel/workqueue.h"
