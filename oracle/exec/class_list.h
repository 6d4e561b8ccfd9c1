// ClassList: the class_info of a snapshot's canonical classes, in index
// order, shared between snapshots.
//
// A one-thread run takes a snapshot after every op and an op changes one
// class at most (executor.h, ExecOptions::incremental), so consecutive
// snapshots share the entries of every other class: copying a list copies a
// pointer per run of kChunk classes, not the classes. Writing through the
// non-const operator[] first gives this list its own copy of that run, so a
// test that tampers with one snapshot leaves the others as they were.
//
// Example:
//   ClassList a;
//   a.push_back(info);
//   ClassList b = a;          // shares the entry
//   b[0].stats[13] += 1;      // b gets its own; a[0] is unchanged
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <vector>

#include "allocator/zsmalloc/zs_introspect.h"

namespace zsfuzz {

// Every field equal. Field by field, not memcmp: a fuzzing build's libFuzzer
// hooks every memcmp.
inline bool SameClassInfo(const zs_class_info& a, const zs_class_info& b) {
  if (a.index != b.index || a.size != b.size || a.objs_per_zspage != b.objs_per_zspage ||
      a.pages_per_zspage != b.pages_per_zspage || a.listed != b.listed)
    return false;
  for (size_t s = 0; s < std::size(a.stats); s++)
    if (a.stats[s] != b.stats[s]) return false;
  return true;
}

// No zspage and no object, by the class's stats.
inline bool EmptyClass(const zs_class_info& c) {
  for (unsigned long s : c.stats)
    if (s != 0) return false;
  return true;
}

class ClassList {
 public:
  // Entries are shared in runs of kChunk: copying a list of 116 classes
  // copies 15 pointers (each an atomic count to raise, and lower later), and
  // writing one entry of a shared run copies its 8 entries (1 KiB).
  static constexpr size_t kChunk = 8;

  class const_iterator {
   public:
    const_iterator(const ClassList* list, size_t k) : list_(list), k_(k) {}
    const zs_class_info& operator*() const { return (*list_)[k_]; }
    const zs_class_info* operator->() const { return &(*list_)[k_]; }
    const_iterator& operator++() {
      ++k_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return k_ == o.k_; }

   private:
    const ClassList* list_;
    size_t k_;
  };

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const zs_class_info& operator[](size_t k) const { return chunks_[k / kChunk]->items[k % kChunk]; }
  zs_class_info& operator[](size_t k) { return Own(k / kChunk).items[k % kChunk]; }
  const zs_class_info& back() const { return (*this)[size_ - 1]; }
  // Whether entry k is the very entry `other` holds at k (shared, so equal).
  bool SharesEntry(const ClassList& other, size_t k) const {
    return k < size_ && k < other.size_ && chunks_[k / kChunk] == other.chunks_[k / kChunk];
  }
  void push_back(const zs_class_info& c) {
    if (size_ % kChunk == 0) chunks_.push_back(std::make_shared<Chunk>());
    Own(size_ / kChunk).items[size_ % kChunk] = c;
    size_++;
  }
  void pop_back() {
    size_--;
    if (size_ % kChunk == 0) chunks_.pop_back();
  }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }

 private:
  struct Chunk {
    zs_class_info items[kChunk] = {};
  };

  // Chunk c, this list's own (copied first if another list shares it).
  Chunk& Own(size_t c) {
    std::shared_ptr<Chunk>& p = chunks_[c];
    if (p.use_count() > 1) p = std::make_shared<Chunk>(*p);
    return *p;
  }

  std::vector<std::shared_ptr<Chunk>> chunks_;
  size_t size_ = 0;
};

}  // namespace zsfuzz
