// File: sanitizer_reports.h
//
// Sanitizer reports as findings. ThreadSanitizer without halt_on_error keeps
// running after a data race and only changes the exit status at exit, so a
// run could print "result: clean" above a race report. The stress engine
// counts the reports through TSan's __tsan_on_report hook and fails instead.
// ASan and UBSan in our presets stop the process at the first report.
#pragma once

namespace zsfuzz {

// ThreadSanitizer reports so far in this process; always 0 in other builds.
unsigned long SanitizerReportCount();

}  // namespace zsfuzz
