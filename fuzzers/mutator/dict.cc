// The fuzzing dictionary, from ops.def and the size tables (dict.h).
#include "fuzzers/mutator/dict.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "oracle/program/binary.h"
#include "oracle/program/sizes.h"

namespace zsfuzz {
namespace {

void Entry(const std::string& name, const std::vector<uint8_t>& bytes, std::string* out) {
  absl::StrAppend(out, name, "=\"");
  for (uint8_t b : bytes) absl::StrAppendFormat(out, "\\x%02x", b);
  absl::StrAppend(out, "\"\n");
}

std::vector<uint8_t> SizeBytes(uint32_t code) {
  std::vector<uint8_t> bytes;
  bytes.reserve(kSizeCodeBytes);
  for (int i = 0; i < kSizeCodeBytes; i++) bytes.push_back(static_cast<uint8_t>(code >> (8 * i)));
  return bytes;
}

}  // namespace

std::string ProgramDictionary() {
  std::string out =
      "# zs_diff.dict: the binary op-program form (oracle/program/binary.h), generated from ops.def.\n";
  // Header bytes: threads - 1 in bits 0-2, the strategy in bits 3-4.
  static constexpr const char* kStrategies[] = {"random", "pct", "rr"};
  for (int s = 0; s < 3; s++)
    for (int threads : {1, 2, 4})
      Entry(absl::StrCat("header_", kStrategies[s], "_t", threads),
            {static_cast<uint8_t>((threads - 1) | (s << 3))}, &out);
  for (int i = 0; i < kNumOpCodes; i++) {
    Op op;
    op.code = static_cast<OpCode>(i);
    Entry(absl::StrCat("op_", OpName(op.code)), EncodeOpBytes(op, 0, 0), &out);
  }
  for (uint32_t size : EdgeSizes(kDefaultChainSize)) {
    Op op;
    op.code = OpCode::kMalloc;
    op.size = size;
    Entry(absl::StrCat("malloc_", size), EncodeOpBytes(op, 0, 0), &out);
    Entry(absl::StrCat("size_", size), SizeBytes(SizeCode(size)), &out);
  }
  // Bulk ops (program.h, "Bulk ops"): filling the smallest classes past one
  // zspage (128 objects of 32 bytes, 85 of 48, ...), and freeing runs.
  for (uint32_t index : {0u, 1u, 2u, 4u, 8u}) {
    for (uint32_t members : {64u, 129u, kMaxBulk}) {
      Op op;
      op.code = OpCode::kMalloc;
      op.size = ClassSize(index);
      Entry(absl::StrCat("bulk_malloc_", op.size, "_x", members), EncodeBulkOpBytes(op, 0, 0, members), &out);
    }
  }
  for (uint32_t members : {2u, 16u, 64u, 128u}) {
    Op op;
    op.code = OpCode::kFree;
    Entry(absl::StrCat("bulk_free_x", members), EncodeBulkOpBytes(op, 0, 0, members), &out);
  }
  // Codes that mean huge_class_size whatever the chain (binary.h, the near-huge form).
  Entry("size_huge_class", SizeBytes(HugeSizeCode(0)), &out);
  Entry("size_huge_class_minus_1", SizeBytes(HugeSizeCode(-1)), &out);
  return out;
}

}  // namespace zsfuzz
