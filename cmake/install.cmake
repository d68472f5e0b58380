# Installs the library, headers (public and disk policies), the CMake package
# `diskcache` with target diskcache::diskcache (and diskcache::boost when
# Boost.Serialization was found), a pkg-config file, and the diskcache
# command-line tool when it is built.
include(CMakePackageConfigHelpers)

set(DISKCACHE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/diskcache)

set(DISKCACHE_INSTALL_TARGETS diskcache)
set(DISKCACHE_WITH_BOOST OFF)
if(TARGET diskcache_boost)
  list(APPEND DISKCACHE_INSTALL_TARGETS diskcache_boost)
  set(DISKCACHE_WITH_BOOST ON)
endif()

install(TARGETS ${DISKCACHE_INSTALL_TARGETS}
        EXPORT diskcacheTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/diskcache serializers/include/diskcache
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT diskcacheTargets
        NAMESPACE diskcache::
        DESTINATION ${DISKCACHE_CMAKE_DIR})

configure_package_config_file(cmake/diskcacheConfig.cmake.in
  ${PROJECT_BINARY_DIR}/diskcacheConfig.cmake
  INSTALL_DESTINATION ${DISKCACHE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/diskcacheConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/diskcacheConfig.cmake
              ${PROJECT_BINARY_DIR}/diskcacheConfigVersion.cmake
        DESTINATION ${DISKCACHE_CMAKE_DIR})

# The .pc file finds the prefix relative to itself, so a relocated install
# (cmake --install --prefix) still works.
file(RELATIVE_PATH DISKCACHE_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(cmake/diskcache.pc.in ${PROJECT_BINARY_DIR}/diskcache.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/diskcache.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(TARGET diskcache_cli)
  install(TARGETS diskcache_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

include(${PROJECT_SOURCE_DIR}/cmake/package.cmake)
