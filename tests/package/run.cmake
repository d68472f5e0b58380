# Installs the build tree to a fresh prefix, then builds and runs the
# consumer (examples/consumer) with find_package, reads what it stored with
# the installed diskcache tool (when built), and compiles the consumer again
# with pkg-config flags.
# Inputs: BUILD_DIR, SOURCE_DIR (the consumer project), WORK_DIR, TOOL (ON
# if the tool was built), DOCS (ON if the API reference can be built, so the
# install must hold it), SANITIZE (the sanitizers the library was built
# with, which the consumer must use too).
set(extra_flags "")
if(SANITIZE)
  set(extra_flags "-fsanitize=${SANITIZE}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
if(DOCS AND NOT EXISTS ${WORK_DIR}/prefix/share/doc/diskcache/html/index.html)
  message(FATAL_ERROR "cmake --install put no API reference in share/doc/diskcache/html")
endif()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix "-DCMAKE_CXX_FLAGS=${extra_flags}")
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer ${WORK_DIR}/cache)
if(NOT output MATCHES "^99 42")
  message(FATAL_ERROR "consumer printed: ${output}")
endif()
if(TOOL)
  run(${WORK_DIR}/prefix/bin/diskcache get ${WORK_DIR}/cache score)
  if(NOT output STREQUAL "99\n")
    message(FATAL_ERROR "the installed diskcache tool printed: ${output}")
  endif()
endif()

file(GLOB_RECURSE pc_files ${WORK_DIR}/prefix/*/diskcache.pc)
list(GET pc_files 0 pc_file)
get_filename_component(pc_dir ${pc_file} DIRECTORY)
set(ENV{PKG_CONFIG_PATH} ${pc_dir})
run(pkg-config --cflags --libs diskcache)
separate_arguments(flags UNIX_COMMAND "${output}")
run(c++ ${extra_flags} ${SOURCE_DIR}/main.cpp -o ${WORK_DIR}/consumer-pc ${flags}
    -Wl,-rpath,${WORK_DIR}/prefix/lib)
run(${WORK_DIR}/consumer-pc)
message(STATUS "find_package and pkg-config consumers built and ran")
