// File: run_driver.h
//
// libFuzzer's entry point for a program that has a main of its own (zsfuzz
// links libclang_rt.fuzzer_no_main): the campaign's fuzz children and the
// corpus merge's libFuzzer processes run a target through it.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerRunDriver(int* argc, char*** argv, int (*callback)(const uint8_t* data, size_t size));
