// ClassList: the class_info of a snapshot's canonical classes, in index
// order, shared between snapshots.
//
// A one-thread run takes a snapshot after every op and an op changes one
// class at most (executor.h, ExecOptions::incremental), so consecutive
// snapshots share the entries of every other class: copying a list copies a
// pointer per class, not the class. Writing through the non-const operator[]
// first gives this list its own copy of that entry, so a test that tampers
// with one snapshot leaves the others as they were.
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
      a.pages_per_zspage != b.pages_per_zspage)
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
  class const_iterator {
   public:
    using Items = std::vector<std::shared_ptr<zs_class_info>>;
    explicit const_iterator(Items::const_iterator it) : it_(it) {}
    const zs_class_info& operator*() const { return **it_; }
    const zs_class_info* operator->() const { return it_->get(); }
    const_iterator& operator++() {
      ++it_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return it_ == o.it_; }

   private:
    Items::const_iterator it_;
  };

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const zs_class_info& operator[](size_t k) const { return *items_[k]; }
  zs_class_info& operator[](size_t k) {
    std::shared_ptr<zs_class_info>& p = items_[k];
    if (p.use_count() > 1) p = std::make_shared<zs_class_info>(*p);
    return *p;
  }
  const zs_class_info& back() const { return *items_.back(); }
  // Whether entry k is the very entry `other` holds at k (shared, so equal).
  bool SharesEntry(const ClassList& other, size_t k) const {
    return k < items_.size() && k < other.items_.size() && items_[k] == other.items_[k];
  }
  void push_back(const zs_class_info& c) { items_.push_back(std::make_shared<zs_class_info>(c)); }
  void pop_back() { items_.pop_back(); }
  const_iterator begin() const { return const_iterator(items_.begin()); }
  const_iterator end() const { return const_iterator(items_.end()); }

 private:
  std::vector<std::shared_ptr<zs_class_info>> items_;
};

}  // namespace zsfuzz
