// BUG/WARN reports: format, task naming, page dump, report hook, WARN counting and printk levels.
#include <unistd.h>

#include <cstring>
#include <string>

#include "tests/allocator/kernel/kernel_test_util.h"

namespace {

using namespace kernel;
using kernel_test::kthread;

class BugTest : public kernel_test::KernelTest {
 protected:
  void TearDown() override {
    set_printk_level(KERN_WARNING);
    KernelTest::TearDown();
  }
};

TEST_F(BugTest, BugOnNamesConditionLineAndTask) {
  const int pid = get_current()->pid;
  const std::string expected = "BUG: 1 \\+ 1 == 2 at .*bug_test.cc:[0-9]+\nComm: task-" +
                               std::to_string(pid) + " PID: " + std::to_string(pid);
  EXPECT_DEATH(BUG_ON(1 + 1 == 2), expected);
  EXPECT_DEATH(BUG(), "BUG: BUG\\(\\) at");
  BUG_ON(1 + 1 == 3);  // false: no report
}

TEST_F(BugTest, BugInAKthreadNamesIt) {
  EXPECT_DEATH(
      {
        kthread t([] { BUG(); }, "kbugd");
        t.join();
      },
      "Comm: kbugd PID: [0-9]+");
}

TEST_F(BugTest, PageBugDumpsThePage) {
  page* p = alloc_page(GFP_KERNEL);
  p->private_ = 0xabc;
  p->page_type = 0xf6000010;
  SetPagePrivate(p);
  EXPECT_DEATH(VM_BUG_ON_PAGE(page_ref_count(p) == 1, p),
               "BUG: page_ref_count\\(p\\) == 1 at .*page: pfn:0x10000 refcount:1 flags:0x2\\(private\\) "
               "page_type:0xf6000010 private:0xabc");
  ClearPagePrivate(p);
  p->private_ = 0;
  __free_page(p);
}

void marking_hook(const char* report) {
  static const char mark[] = "HOOK SAW: ";
  ::write(STDERR_FILENO, mark, sizeof(mark) - 1);
  ::write(STDERR_FILENO, report, std::strlen(report));
}

TEST_F(BugTest, ReportHookRunsBeforeAbort) {
  EXPECT_DEATH(
      {
        set_bug_report_hook(marking_hook);
        kernel_bug("somefile.cc", 42, "hooked");
      },
      "HOOK SAW: BUG: hooked at somefile.cc:42");
  set_bug_report_hook(nullptr);
}

struct hook_left {};
void leaving_hook(const char*) { throw hook_left{}; }

// A hook that never returns (a scheduler abandoning the task) leaves its
// report open; installing a hook again closes it, so the next BUG is not
// mistaken for a BUG inside the report.
TEST_F(BugTest, ReinstallingTheHookClosesAnAbandonedReport) {
  set_bug_report_hook(leaving_hook);
  EXPECT_THROW(kernel_bug("a.cc", 1, "first"), hook_left);
  set_bug_report_hook(leaving_hook);
  EXPECT_THROW(kernel_bug("a.cc", 2, "second"), hook_left);
  EXPECT_DEATH(kernel_bug("a.cc", 3, "third"), "BUG: nested BUG while reporting a BUG: third");
  set_bug_report_hook(nullptr);
}

TEST_F(BugTest, WarnIsCountedAndReturnsTheCondition) {
  kernel_warn_count_reset();
  set_printk_level(KERN_ERR);  // keep the test output quiet; counting does not depend on it
  EXPECT_TRUE(WARN_ON(2 > 1));
  EXPECT_FALSE(WARN_ON(2 < 1));
  EXPECT_EQ(kernel_warn_count(), 1u);
  for (int i = 0; i < 3; i++) EXPECT_TRUE(WARN_ON_ONCE(i >= 0));
  EXPECT_EQ(kernel_warn_count(), 2u) << "WARN_ON_ONCE warns once";
  VM_WARN_ON_ONCE(true);
  EXPECT_EQ(kernel_warn_count(), 3u);
  kernel_warn_count_reset();
  EXPECT_EQ(kernel_warn_count(), 0u);
}

TEST_F(BugTest, WarnReportFormat) {
  testing::internal::CaptureStderr();
  kernel_warn("file.cc", 7, "cond");
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.rfind("WARNING: cond at file.cc:7\nComm: ", 0), 0u) << out;
}

TEST_F(BugTest, PrintkFiltersByLevel) {
  testing::internal::CaptureStderr();
  pr_err("err %d\n", 1);
  pr_warn("warn %s\n", "two");
  pr_info("info\n");
  pr_debug("debug\n");
  set_printk_level(KERN_DEBUG);
  pr_debug("debug %c\n", '3');
  set_printk_level(KERN_ERR);
  pr_warn("hidden\n");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "err 1\nwarn two\ndebug 3\n");
}

TEST_F(BugTest, LongPrintkIsNotTruncated) {
  const std::string long_text(3000, 'z');
  testing::internal::CaptureStderr();
  pr_err("%s\n", long_text.c_str());
  EXPECT_EQ(testing::internal::GetCapturedStderr(), long_text + "\n");
}

}  // namespace
