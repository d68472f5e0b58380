// Decoding a stored cell as T through a disk policy, with the context a
// policy cannot know (which item, in which directory) added to its error.
#ifndef DISKCACHE_DETAIL_DECODE_HPP_
#define DISKCACHE_DETAIL_DECODE_HPP_

#include <filesystem>
#include <string>

#include "diskcache/cell.hpp"
#include "diskcache/errors.hpp"

namespace diskcache::detail {

// Disk::decode<T>(cell); a SerializationError is rethrown naming `what`
// ("key", "deque item", ...), the item's key and `directory`.
template <class Disk, class T>
T decode_stored(const Cell& cell, const Cell& key, const char* what,
                const std::filesystem::path& directory) {
  try {
    return Disk::template decode<T>(cell);
  } catch (const SerializationError& error) {
    const std::string text = key.repr();
    throw SerializationError(
        std::string(error.what()) + " (" + what + " " + text + " in " + directory.string() + ")",
        directory, text);
  }
}

}  // namespace diskcache::detail

#endif  // DISKCACHE_DETAIL_DECODE_HPP_
