# `cpack -G DEB` in the build directory makes a Debian package of what
# cmake --install installs (headers, library, CMake and pkg-config files,
# the diskcache tool) under /usr. The tool links the library statically,
# so the package needs SQLite's shared library at run time, and its headers
# need cereal's and SQLite's development packages.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME diskcache-cpp)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "diskcache-cpp maintainers")
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libstdc++6, libsqlite3-0, libsqlite3-dev, libcereal-dev")
include(CPack)
