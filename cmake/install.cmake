# Installs the library (static or shared, as built), the headers (public,
# generated and disk policies), the CMake package `diskcache`, the pkg-config
# files, and the diskcache command-line tool when it is built.
#
# The CMake package has one optional component, `boost`:
#   find_package(diskcache)                     diskcache::diskcache
#   find_package(diskcache COMPONENTS boost)    also diskcache::boost, which
#                                               finds Boost.Serialization
# so that users who never use disk::Boost never need Boost. pkg-config has
# diskcache.pc and diskcache-boost.pc likewise.
include(CMakePackageConfigHelpers)

set(DISKCACHE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/diskcache)

install(TARGETS diskcache
        EXPORT diskcacheTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/diskcache serializers/include/diskcache
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${DISKCACHE_GENERATED_INCLUDE_DIR}/diskcache/export.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/diskcache)
install(EXPORT diskcacheTargets
        NAMESPACE diskcache::
        DESTINATION ${DISKCACHE_CMAKE_DIR})

# diskcache::boost in an export set of its own: the main one must not name
# Boost::serialization, which exists only once the component found Boost.
if(TARGET diskcache_boost)
  install(TARGETS diskcache_boost EXPORT diskcacheBoostTargets)
  install(EXPORT diskcacheBoostTargets
          NAMESPACE diskcache::
          DESTINATION ${DISKCACHE_CMAKE_DIR})
endif()

configure_package_config_file(cmake/diskcacheConfig.cmake.in
  ${PROJECT_BINARY_DIR}/diskcacheConfig.cmake
  INSTALL_DESTINATION ${DISKCACHE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/diskcacheConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/diskcacheConfig.cmake
              ${PROJECT_BINARY_DIR}/diskcacheConfigVersion.cmake
        DESTINATION ${DISKCACHE_CMAKE_DIR})

# pkg-config. A shared libdiskcache needs SQLite and zlib only at its own
# link (Requires.private); a static one passes them on to every program
# (Requires), so `pkg-config --libs diskcache` links either way and
# `--static` adds what a fully static link needs.
get_target_property(DISKCACHE_LIBRARY_TYPE diskcache TYPE)
if(DISKCACHE_LIBRARY_TYPE STREQUAL "SHARED_LIBRARY")
  set(DISKCACHE_PC_REQUIRES "")
  set(DISKCACHE_PC_REQUIRES_PRIVATE "sqlite3 zlib")
  set(DISKCACHE_PC_CFLAGS "")
else()
  set(DISKCACHE_PC_REQUIRES "sqlite3 zlib")
  set(DISKCACHE_PC_REQUIRES_PRIVATE "")
  set(DISKCACHE_PC_CFLAGS " -DDISKCACHE_STATIC_DEFINE")
endif()
# The .pc files find the prefix relative to themselves, so a relocated
# install (cmake --install --prefix) still works.
file(RELATIVE_PATH DISKCACHE_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(cmake/diskcache.pc.in ${PROJECT_BINARY_DIR}/diskcache.pc @ONLY)
configure_file(cmake/diskcache-boost.pc.in ${PROJECT_BINARY_DIR}/diskcache-boost.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/diskcache.pc ${PROJECT_BINARY_DIR}/diskcache-boost.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(TARGET diskcache_cli)
  install(TARGETS diskcache_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The API reference, when Doxygen (and Python, for its input filter) is
# there: built by the install step itself (the docs target), installed under
# share/doc/diskcache/html. Doxygen writes the pages even when it fails on a
# warning (as a newer Doxygen may), so the install goes on, but says so.
if(TARGET docs)
  install(CODE "
    execute_process(COMMAND \"${CMAKE_COMMAND}\" --build \"${PROJECT_BINARY_DIR}\" --target docs
                    RESULT_VARIABLE docs_result)
    if(NOT docs_result EQUAL 0)
      message(WARNING \"the API reference (target docs) did not build cleanly: \${docs_result}\")
    endif()")
  install(DIRECTORY ${DISKCACHE_DOCS_OUTPUT}/html DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
endif()

include(${PROJECT_SOURCE_DIR}/cmake/package.cmake)
