// Streamed values: set_stream and add_stream copy a std::istream into a
// value file, read hands out the value file of a key as a std::ifstream.
#include <cerrno>
#include <string>

#include "diskcache/errors.hpp"
#include "diskcache/store.hpp"
#include "sqlite_rows.hpp"

namespace diskcache::detail {
namespace {

// std::ifstream cannot adopt a descriptor, and opening the value file by its
// path again would walk the cache directory a second time, where a file or
// directory swapped for a symlink since the checks could redirect it.
// /proc/self/fd/<fd> reaches the very file `fd` refers to, checked and
// still open (even if unlinked meanwhile), whatever its path now names.
std::ifstream reopen_as_stream(const UniqueFd& fd, const std::filesystem::path& directory,
                               const std::string& filename, const std::string& key) {
  const std::string proc_path = "/proc/self/fd/" + std::to_string(fd.get());
  errno = 0;
  std::ifstream stream(proc_path, std::ios::binary);
  if (!stream.is_open()) {
    throw_errno(errno != 0 ? errno : ENOENT,
                "cannot open value file " + (directory / filename).string() +
                    " as a stream through " + proc_path + " (is /proc mounted?)",
                directory, key);
  }
  return stream;
}

// The value file is written before the write lock is taken, as Python's
// set and add do with read=True; an add that finds the key present drops it.
bool store_stream(SqliteEngine& engine, const Cell& key, std::istream& in, WriteMode mode,
                  const SetOptions& options) {
  require_key(key, engine.directory());
  ValueFiles::Written file = engine.files().write_stream(in, key.repr());
  StagedValue staged(engine, std::move(file.name), file.size, Mode::Binary, key);
  // Stored as of the end of the copy, which may take long: an expiry runs
  // from the moment the value is there.
  return store_staged(engine, key, staged, mode, options, now_seconds());
}

}  // namespace

bool SqliteEngine::set_stream(const Cell& key, std::istream& in, const SetOptions& options) {
  return store_stream(*this, key, in, WriteMode::Replace, options);
}

bool SqliteEngine::add_stream(const Cell& key, std::istream& in, const SetOptions& options) {
  return store_stream(*this, key, in, WriteMode::AddIfAbsent, options);
}

std::optional<Engine::ValueStream> SqliteEngine::read(const Cell& key, bool retry) {
  require_key(key, directory());
  std::optional<ValueStream> result;
  load_unexpired(*this, key, retry, [&](ValueLocation& location) {
    const Mode mode = checked_mode(*this, location, key);
    if (mode == Mode::Raw) {
      throw Error("cannot read key " + key.repr() + " in " + directory().string() +
                      " as a stream: its value is stored inline in the database "
                      "(mode 1, raw), not in a value file; use get()",
                  directory(), key.repr());
    }
    if (mode == Mode::Pickle) {
      throw SerializationError("cannot read key " + key.repr() + " in " + directory().string() +
                                   " as a stream: its value is a Python pickle (mode 4, "
                                   "MODE_PICKLE), which C++ cannot decode",
                               directory(), key.repr());
    }
    std::optional<UniqueFd> fd = files().open(location.filename, location.size, key.repr());
    if (!fd) return false;
    result = ValueStream{reopen_as_stream(*fd, directory(), location.filename, key.repr()),
                         location.size};
    return true;
  });
  return result;
}

}  // namespace diskcache::detail
