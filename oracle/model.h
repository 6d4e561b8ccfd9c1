// File: model.h
//
// Level 1: the reference model. Replays the program's ops against a model of
// what zsmalloc promises and compares every recorded result with it:
//   malloc   size 0 -> -EINVAL, above PAGE_SIZE -> -ENOSPC, else a handle (never
//            0, distinct from every live handle) or -ENOMEM, and -ENOMEM only
//            when an injected failure was handed out during the call (one
//            thread: exactly then; several: only once fail_pages/fail_slab
//            had armed an injector)
//   free, write, read, read_sg  act on live slots of their own thread only;
//            on anything else the executor does nothing (a harness no-op)
//   read, read_sg  return the last write's bytes; read_sg's scatterlist
//            covers the object exactly
//   isolate  0 or -EBUSY; migrate 0, -EBUSY or (injected) -ENOMEM
//   compact, shrink_scan  return (SHRINK_STOP: 0) exactly the pages of the
//            empty zspages the op's thread released during the call: freed,
//            or left to the deferred free because a page lock was busy
//            (OpResult::pages_released, the allocator's probe)
//   one thread only: stat_pool's pages_compacted is the sum of what compact
//            and shrink_scan returned so far; shrink_count is the sum of
//            zs_can_compact() over the classes of the previous snapshot;
//            compact and shrink_scan return the pages zs_get_total_pages()
//            dropped by
//   after the drain  the live slots are the model's, with the last write's
//            contents; pages_compacted is the sum of every compaction's result;
//            the shrinker's count is the sum of zs_can_compact() over the
//            drained snapshot's classes, whatever the threads
//
// Example:
//   if (auto f = oracle::CheckModel(program, exec, /*sequential=*/true)) puts(f->headline.c_str());
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "oracle/exec/executor.h"
#include "oracle/failure.h"
#include "oracle/program/program.h"

namespace zsfuzz::oracle {

std::optional<Failure> CheckModel(const Program& program, const ExecResult& exec, bool sequential);

// zs_can_compact() from a class's stats (reference 3, Compaction): the pages
// of the whole zspages its free objects would fill.
unsigned long CanCompact(const zs_class_info& c);

// "malloc 1200 -> c", "migrate b page 0", "compact": one op in the text form.
std::string OpText(const Op& op);
// "t0 op 4 (free c)".
std::string DescribeOp(const Program& program, int thread, long op);

// A failure of a `level` check in op `op` of thread `thread` of the run `exec`
// of `program`: where "in t0 op 4 (free c)", placed at the op's index with one
// thread and at `concurrent_position` (a kPos* phase) with several.
Failure FailureInOp(Level level, const Program& program, const ExecResult& exec, bool sequential,
                    uint64_t concurrent_position, int thread, long op, const std::string& field,
                    const std::string& headline);

}  // namespace zsfuzz::oracle
