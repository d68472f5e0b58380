# `cpack -G DEB` in the build directory makes a Debian package of what
# cmake --install installs (library, headers, CMake and pkg-config files,
# the diskcache tool) under /usr. Build it from a BUILD_SHARED_LIBS=ON tree:
# that ships libdiskcache.so.<major> with its SONAME, and the package
# triggers ldconfig.
#
# Depends: the run-time libraries, and the development packages that the
# headers (cereal) and the pkg-config and CMake files (SQLite, zlib) name.
# Boost.Serialization is needed only for disk::Boost: Suggests.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME diskcache-cpp)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "diskcache-cpp maintainers")
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libstdc++6, libsqlite3-0, zlib1g, libsqlite3-dev, zlib1g-dev, libcereal-dev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libboost-serialization-dev")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
include(CPack)
