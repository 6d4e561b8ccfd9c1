// A minimal struct scatterlist: page, offset and length of each entry.
#pragma once

#include "kernel/page.h"

namespace kernel {

struct scatterlist {
  page* pg;
  unsigned int offset;
  unsigned int length;
  bool end;
};

inline void sg_init_table(scatterlist* sgl, unsigned int nents) {
  for (unsigned int i = 0; i < nents; i++) sgl[i] = {nullptr, 0, 0, i + 1 == nents};
}
inline void sg_set_page(scatterlist* sg, page* p, unsigned int len, unsigned int offset) {
  sg->pg = p;
  sg->length = len;
  sg->offset = offset;
}
inline void sg_mark_end(scatterlist* sg) { sg->end = true; }
inline page* sg_page(const scatterlist* sg) { return sg->pg; }
inline void* sg_virt(const scatterlist* sg) { return static_cast<char*>(page_address(sg->pg)) + sg->offset; }

}  // namespace kernel
