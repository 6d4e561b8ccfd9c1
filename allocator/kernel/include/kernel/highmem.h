// kmap_local and the page copy helpers. Every page is always mapped here, so
// kmap_local_page() is page_address(); the helpers still check their bounds.
#pragma once

#include <cstring>

#include "kernel/bug.h"
#include "kernel/page.h"

namespace kernel {

inline void* kmap_local_page(page* p) { return page_address(p); }
inline void kunmap_local(const void* /*addr*/) {}

inline void memcpy_from_page(char* to, page* p, size_t offset, size_t len) {
  VM_BUG_ON(offset + len > PAGE_SIZE);
  std::memcpy(to, static_cast<char*>(page_address(p)) + offset, len);
}
inline void memcpy_to_page(page* p, size_t offset, const char* from, size_t len) {
  VM_BUG_ON(offset + len > PAGE_SIZE);
  std::memcpy(static_cast<char*>(page_address(p)) + offset, from, len);
}
inline void copy_page(void* to, const void* from) { std::memcpy(to, from, PAGE_SIZE); }

}  // namespace kernel
