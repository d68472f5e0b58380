// A FanoutCache's shards: Python's portable hash and the shard directories.
#include "diskcache/detail/shards.hpp"

#include <zlib.h>

#include <bit>
#include <cstdio>
#include <string_view>

#include "diskcache/errors.hpp"
#include "diskcache/store.hpp"

namespace diskcache::detail {
namespace {

// zlib's adler32 rather than our own: the checksum must equal Python's
// zlib.adler32 bit for bit, and a well-kept library is the surest way.
std::uint32_t adler32_of(std::string_view bytes) noexcept {
  const auto* data = reinterpret_cast<const Bytef*>(bytes.data());
  return static_cast<std::uint32_t>(adler32_z(adler32_z(0, nullptr, 0), data, bytes.size()));
}

// '%03d' % number, as Python names shard directories.
std::string shard_name(std::size_t number) {
  char name[24];
  std::snprintf(name, sizeof name, "%03zu", number);
  return name;
}

}  // namespace

std::uint32_t portable_hash(const Cell& key) noexcept {
  constexpr std::int64_t kMask = 0xFFFFFFFF;
  switch (key.kind()) {
    case Cell::Kind::Null: return 0;
    case Cell::Kind::Integer: {
      const std::int64_t remainder = key.integer() % kMask;
      return static_cast<std::uint32_t>(remainder < 0 ? remainder + kMask : remainder);
    }
    case Cell::Kind::Real: {
      // struct.pack('!d', x): network (big-endian) byte order.
      const auto bits = std::bit_cast<std::uint64_t>(key.real());
      char bytes[8];
      for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(bits >> (56 - 8 * i));
      return adler32_of(std::string_view(bytes, sizeof bytes));
    }
    case Cell::Kind::Text:
    case Cell::Kind::Blob: return adler32_of(key.bytes());
    default: break;  // a Cell holds no other kind
  }
  return 0;
}

OpenShards open_shards(std::filesystem::path directory, std::size_t count,
                       std::chrono::milliseconds timeout, const Settings& settings) {
  if (count == 0) {
    throw Error("a FanoutCache needs at least one shard (in " + directory.string() + ")",
                directory);
  }
  directory = Store::prepare_directory(std::move(directory), settings);
  const std::int64_t shard_count = static_cast<std::int64_t>(count);
  const std::int64_t default_limit = Settings{}.size_limit.value() / shard_count;
  Settings change_timeout;
  change_timeout.timeout = timeout;
  OpenShards shards{directory, {}};
  shards.stores.reserve(count);
  for (std::size_t number = 0; number < count; ++number) {
    const std::filesystem::path shard = directory / shard_name(number);
    Settings opening = settings;
    opening.timeout = settings.timeout.value();
    if (settings.size_limit.given()) {
      opening.size_limit = settings.size_limit.value() / shard_count;
    } else if (std::error_code ignored; !std::filesystem::exists(shard / "cache.db", ignored)) {
      opening.size_limit = default_limit;
    }
    shards.stores.emplace_back(shard, opening);
    shards.stores.back().reset(change_timeout);
  }
  return shards;
}

std::filesystem::path sub_directory(const std::filesystem::path& parent, const char* kind,
                                    const std::string& name) {
  const std::filesystem::path relative(name);
  bool valid = !name.empty() && relative.is_relative() && name.back() != '/';
  for (const std::filesystem::path& part : relative) {
    valid = valid && !part.empty() && part != "." && part != "..";
  }
  if (!valid) {
    throw Error("FanoutCache " + parent.string() + ": invalid " + kind + " name '" + name +
                    "' (want a relative path without empty, '.' or '..' parts)",
                parent, name);
  }
  return parent / kind / relative;
}

}  // namespace diskcache::detail
