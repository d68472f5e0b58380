# Runs an example twice on a fresh cache directory and checks that the second
# run (a new process) found what the first one stored.
#
#   cmake -DEXAMPLE=<program> -DDIRECTORY=<cache dir>
#         -DBOTH=<text> -DFIRST_ONLY=<text> [-DSECOND_ONLY=<text>]
#         -P run_twice.cmake
#
# BOTH must appear in the output of both runs, FIRST_ONLY in the first run's
# output and not in the second's (the work the cache saved), SECOND_ONLY (if
# given) in the second's and not in the first's. Texts are literal, not
# regular expressions. Each run must exit with status 0.
foreach(required EXAMPLE DIRECTORY BOTH FIRST_ONLY)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "run_twice.cmake: -D${required}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${DIRECTORY}")

# contains(<output> <text> <result variable>)
function(contains output text result)
  string(FIND "${output}" "${text}" position)
  if(position EQUAL -1)
    set(${result} FALSE PARENT_SCOPE)
  else()
    set(${result} TRUE PARENT_SCOPE)
  endif()
endfunction()

foreach(run IN ITEMS first second)
  execute_process(COMMAND "${EXAMPLE}" "${DIRECTORY}"
                  OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE status)
  message("--- ${run} run of ${EXAMPLE}:\n${output}${errors}")
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "the ${run} run failed (exit status: ${status})")
  endif()

  contains("${output}" "${BOTH}" has_both)
  contains("${output}" "${FIRST_ONLY}" has_first_only)
  if(NOT has_both)
    message(FATAL_ERROR "the ${run} run did not print \"${BOTH}\"")
  endif()
  if(run STREQUAL "first" AND NOT has_first_only)
    message(FATAL_ERROR "the first run did not print \"${FIRST_ONLY}\"")
  endif()
  if(run STREQUAL "second" AND has_first_only)
    message(FATAL_ERROR "the second run printed \"${FIRST_ONLY}\": it did not use the cache")
  endif()
  if(DEFINED SECOND_ONLY)
    contains("${output}" "${SECOND_ONLY}" has_second_only)
    if(run STREQUAL "first" AND has_second_only)
      message(FATAL_ERROR "the first run printed \"${SECOND_ONLY}\"")
    endif()
    if(run STREQUAL "second" AND NOT has_second_only)
      message(FATAL_ERROR "the second run did not print \"${SECOND_ONLY}\"")
    endif()
  endif()
endforeach()
