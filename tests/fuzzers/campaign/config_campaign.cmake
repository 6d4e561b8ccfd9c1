# ctest config_pre_vs_post_campaign (label config, every configuration): what
# each simulated kernel configuration (cmake/KernelConfig.cmake) must show from
# a fresh build: every variant's class table for the chain sizes the Kconfig
# range allows, and a pre vs post campaign of both fuzz targets that ends clean.
#
#   cmake -DZSFUZZ=<zsfuzz> -DCONFIG=<name> -DRUNS=<budget> -DWORK=<dir> -P config_campaign.cmake
foreach(var ZSFUZZ CONFIG RUNS WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "config_campaign.cmake: -D${var}= is missing")
  endif()
endforeach()

execute_process(COMMAND "${ZSFUZZ}" list OUTPUT_VARIABLE listed RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "zsfuzz list failed (${rc})")
endif()
string(REGEX MATCHALL "(^|\n)[^ \n]+" names "${listed}")
foreach(name IN LISTS names)
  string(STRIP "${name}" variant)
  foreach(chain 4 8 16)
    execute_process(COMMAND "${ZSFUZZ}" classes --variant ${variant} --chain ${chain}
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
    string(REGEX MATCH "indices [0-9]+ canonical [0-9]+ huge_class_size [0-9]+\n$" last "${out}")
    if(NOT rc EQUAL 0 OR NOT last)
      message(FATAL_ERROR "zsfuzz classes --variant ${variant} --chain ${chain} (${CONFIG}): exit ${rc}\n${out}${err}")
    endif()
    string(STRIP "${last}" last)
    message(STATUS "${CONFIG} ${variant} chain ${chain}: ${last}")
  endforeach()
endforeach()

file(REMOVE_RECURSE "${WORK}")
execute_process(COMMAND "${ZSFUZZ}" run --variants pre,post --runs ${RUNS} --fuzz-seed 1 --jobs 2 --time 900
                        --out "${WORK}/findings"
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message(STATUS "${CONFIG}: zsfuzz run --variants pre,post --runs ${RUNS} --fuzz-seed 1:\n${out}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "\nresult: clean\n")
  message(FATAL_ERROR "the pre vs post campaign in configuration ${CONFIG} is not clean (exit ${rc})\n${err}")
endif()
file(REMOVE_RECURSE "${WORK}")
