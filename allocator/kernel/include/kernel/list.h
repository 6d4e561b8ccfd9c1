// Doubly linked lists with the kernel's list_head API (include/linux/list.h).
#pragma once

#include <type_traits>

#include "kernel/types.h"

namespace kernel {

struct list_head {
  list_head* next;
  list_head* prev;
};

#define LIST_HEAD_INIT(name) {&(name), &(name)}

inline void INIT_LIST_HEAD(list_head* list) {
  list->next = list;
  list->prev = list;
}

inline void __list_add(list_head* entry, list_head* prev, list_head* next) {
  next->prev = entry;
  entry->next = next;
  entry->prev = prev;
  prev->next = entry;
}

inline void list_add(list_head* entry, list_head* head) { __list_add(entry, head, head->next); }
inline void list_add_tail(list_head* entry, list_head* head) { __list_add(entry, head->prev, head); }

// Poison values as in include/linux/poison.h (without the offset): a use of a
// deleted entry faults instead of corrupting a list.
inline list_head* const LIST_POISON1 = reinterpret_cast<list_head*>(0x100);
inline list_head* const LIST_POISON2 = reinterpret_cast<list_head*>(0x122);

inline void __list_del(list_head* prev, list_head* next) {
  next->prev = prev;
  prev->next = next;
}
inline void __list_del_entry(list_head* entry) { __list_del(entry->prev, entry->next); }
inline void list_del(list_head* entry) {
  __list_del_entry(entry);
  entry->next = LIST_POISON1;
  entry->prev = LIST_POISON2;
}
inline void list_del_init(list_head* entry) {
  __list_del_entry(entry);
  INIT_LIST_HEAD(entry);
}
inline bool list_empty(const list_head* head) { return head->next == head; }

inline void __list_splice(const list_head* list, list_head* prev, list_head* next) {
  list_head* first = list->next;
  list_head* last = list->prev;
  first->prev = prev;
  prev->next = first;
  last->next = next;
  next->prev = last;
}
// Moves all of `list` to the front of `head` and reinitialises `list`.
inline void list_splice_init(list_head* list, list_head* head) {
  if (!list_empty(list)) {
    __list_splice(list, head, head->next);
    INIT_LIST_HEAD(list);
  }
}

}  // namespace kernel

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_first_entry_or_null(ptr, type, member) \
  (!::kernel::list_empty(ptr) ? list_first_entry(ptr, type, member) : nullptr)
#define list_next_entry(pos, member) \
  list_entry((pos)->member.next, std::remove_reference_t<decltype(*(pos))>, member)
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))
#define list_for_each_entry(pos, head, member)                                          \
  for (pos = list_first_entry(head, std::remove_reference_t<decltype(*(pos))>, member); \
       !list_entry_is_head(pos, head, member); pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)                                  \
  for (pos = list_first_entry(head, std::remove_reference_t<decltype(*(pos))>, member), \
      n = list_next_entry(pos, member);                                                 \
       !list_entry_is_head(pos, head, member); pos = n, n = list_next_entry(n, member))
