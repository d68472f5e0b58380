# The compiled engine. One list of sources builds two libraries:
#   diskcache          what users get and what is installed: static, or shared
#                      (BUILD_SHARED_LIBS=ON) with a SONAME and only the public
#                      API exported (DISKCACHE_EXPORT, include/diskcache/export.hpp,
#                      generated);
#   diskcache_testing  the test suite's: always static, with the crash-test kill
#                      points (src/kill_point.hpp) compiled in. Never installed.
include(GenerateExportHeader)

set(DISKCACHE_SOURCES
  src/change_signal.cpp
  src/codec/pickle_dumps.cpp
  src/codec/pickle_format.cpp
  src/codec/pickle_loads.cpp
  src/connection.cpp
  src/connection_registry.cpp
  src/directory_watch.cpp
  src/file_ops.cpp
  src/schema.cpp
  src/settings.cpp
  src/sql.cpp
  src/sqlite_engine.cpp
  src/sqlite_engine_check.cpp
  src/sqlite_engine_dead_letters.cpp
  src/sqlite_engine_lease.cpp
  src/sqlite_engine_maintenance.cpp
  src/sqlite_engine_open.cpp
  src/sqlite_engine_queue.cpp
  src/sqlite_engine_scan.cpp
  src/sqlite_engine_stream.cpp
  src/sqlite_engine_watch.cpp
  src/sqlite_error.cpp
  src/sqlite_rows.cpp
  src/statement.cpp
  src/store.cpp
  src/transaction.cpp
  src/big_int.cpp
  src/unicode_printable.cpp
  src/value.cpp
  src/value_files.cpp
  src/value_repr.cpp
  src/version.cpp
  # src/codec/: the pickle codec (include/diskcache/pickle.hpp), a layer of
  # its own between the engine and the policies: the engine never uses it.
  # The typed code compiled into the library: it stands on the engine's public
  # headers and the disk policies, never on the engine's internals.
  src/typed/recipes.cpp
  src/typed/shards.cpp
)

# export.hpp (DISKCACHE_EXPORT) is generated into the build tree and
# installed beside the other headers.
set(DISKCACHE_GENERATED_INCLUDE_DIR ${PROJECT_BINARY_DIR}/include)

# diskcache_engine_library(<name> <STATIC|SHARED|DEFAULT>): the engine's
# sources with the usage requirements every variant shares.
function(diskcache_engine_library name kind)
  if(kind STREQUAL "DEFAULT")
    add_library(${name} ${DISKCACHE_SOURCES})
  else()
    add_library(${name} ${kind} ${DISKCACHE_SOURCES})
  endif()
  target_compile_features(${name} PUBLIC cxx_std_20)
  target_compile_options(${name} PRIVATE ${DISKCACHE_WARNINGS})
  target_include_directories(${name}
    PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/serializers/include>
      $<BUILD_INTERFACE:${DISKCACHE_GENERATED_INCLUDE_DIR}>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC cereal::cereal Threads::Threads
                                PRIVATE SQLite::SQLite3 ZLIB::ZLIB)
  # cereal's registry of class versions (every type with a versioned
  # serialize, memoize keys included) is a global map, locked only with
  # CEREAL_THREAD_SAFE=1; containers are shared by threads, so everything
  # that includes cereal through diskcache gets it.
  target_compile_definitions(${name} PUBLIC CEREAL_THREAD_SAFE=1)
  target_compile_definitions(${name} PRIVATE
    DISKCACHE_VERSION_STRING="${PROJECT_VERSION}")
  set_target_properties(${name} PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  get_target_property(type ${name} TYPE)
  if(NOT type STREQUAL "SHARED_LIBRARY")
    # Static: DISKCACHE_EXPORT expands to nothing, so a user's own shared
    # library that links libdiskcache.a does not re-export its symbols.
    target_compile_definitions(${name} PUBLIC DISKCACHE_STATIC_DEFINE)
  endif()
endfunction()

diskcache_engine_library(diskcache DEFAULT)
add_library(diskcache::diskcache ALIAS diskcache)
set_target_properties(diskcache PROPERTIES
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
generate_export_header(diskcache
  BASE_NAME DISKCACHE
  EXPORT_FILE_NAME ${DISKCACHE_GENERATED_INCLUDE_DIR}/diskcache/export.hpp)

if(DISKCACHE_BUILD_TESTS)
  diskcache_engine_library(diskcache_testing STATIC)
  target_sources(diskcache_testing PRIVATE src/kill_point.cpp)
  target_compile_definitions(diskcache_testing PRIVATE DISKCACHE_KILL_POINTS)
endif()
