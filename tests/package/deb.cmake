# Builds the Debian package with cpack and checks its contents and fields.
# Inputs: BUILD_DIR, WORK_DIR, TOOL (ON if the tool was built), SHARED (ON if
# the library was built shared).
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

run(cpack -G DEB --config ${BUILD_DIR}/CPackConfig.cmake -B ${WORK_DIR})
file(GLOB debs ${WORK_DIR}/*.deb)
list(LENGTH debs count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one .deb in ${WORK_DIR}, found: ${debs}")
endif()

run(dpkg-deb -c ${debs})
set(expected
  ./usr/include/diskcache/cache.hpp
  ./usr/include/diskcache/disk/auto.hpp
  ./usr/lib/cmake/diskcache/diskcacheConfig.cmake
  ./usr/lib/cmake/diskcache/diskcacheTargets.cmake
  ./usr/lib/cmake/diskcache/diskcacheBoostTargets.cmake
  ./usr/lib/pkgconfig/diskcache.pc
  ./usr/lib/pkgconfig/diskcache-boost.pc
  ./usr/include/diskcache/export.hpp)
if(SHARED)
  list(APPEND expected ./usr/lib/libdiskcache.so.0)
else()
  list(APPEND expected ./usr/lib/libdiskcache.a)
endif()
if(TOOL)
  list(APPEND expected ./usr/bin/diskcache)
endif()
foreach(path IN LISTS expected)
  string(FIND "${output}" " ${path}\n" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "${debs} lacks ${path}; it holds:\n${output}")
  endif()
endforeach()

run(dpkg-deb -f ${debs} Package Version Depends Suggests)
if(NOT output MATCHES "Package: diskcache-cpp\nVersion: [0-9]+\\.[0-9]+\\.[0-9]+\nDepends: [^\n]*libsqlite3-0[^\n]*zlib1g-dev[^\n]*libcereal-dev\nSuggests: libboost-serialization-dev")
  message(FATAL_ERROR "unexpected control fields:\n${output}")
endif()
message(STATUS "${debs}: contents and control fields as expected")
