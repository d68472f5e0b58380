// Internal: the input archive that decodes cereal portable binary for
// disk::Binary and disk::Auto. It reads exactly what
// cereal::PortableBinaryInputArchive reads, with one difference: a size
// prefix (the length of a string, the element count of a container) larger
// than the bytes left in the input is refused before anything is allocated.
// cereal resizes a string or vector to the prefix's value before reading
// its elements, so eight hostile bytes would otherwise allocate (and zero)
// gigabytes. A bool byte other than 0 or 1 is refused too (reading such a
// bool is undefined behaviour). Every element takes at least one byte, except those of types
// that serialize to nothing, which therefore cannot fill a container longer
// than the bytes that follow it. Not part of the API.
#ifndef DISKCACHE_DISK_DETAIL_BOUNDED_PORTABLE_BINARY_HPP_
#define DISKCACHE_DISK_DETAIL_BOUNDED_PORTABLE_BINARY_HPP_

#include <cereal/archives/portable_binary.hpp>
#include <cereal/cereal.hpp>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <type_traits>

namespace diskcache::disk::detail {

class BoundedPortableBinaryInputArchive
    : public cereal::InputArchive<BoundedPortableBinaryInputArchive,
                                  cereal::AllowEmptyClassElision> {
 public:
  // Reads the endianness byte written by PortableBinaryOutputArchive.
  explicit BoundedPortableBinaryInputArchive(std::istream& stream)
      : InputArchive(this), stream_(stream) {
    std::uint8_t stream_little_endian = 0;
    (*this)(stream_little_endian);
    swap_ = (cereal::portable_binary_detail::is_little_endian() ? 1 : 0) ^ stream_little_endian;
  }

  // Reads `size` bytes of elements of DataSize bytes each; throws
  // cereal::Exception if the input ends first.
  template <std::streamsize DataSize>
  void loadBinary(void* const data, std::streamsize size) {
    const auto got = stream_.rdbuf()->sgetn(static_cast<char*>(data), size);
    if (got != size) {
      throw cereal::Exception("Failed to read " + std::to_string(size) +
                              " bytes from input stream! Read " + std::to_string(got));
    }
    if (swap_ != 0) {
      auto* bytes = static_cast<std::uint8_t*>(data);
      for (std::streamsize i = 0; i < size; i += DataSize) {
        cereal::portable_binary_detail::swap_bytes<DataSize>(bytes + i);
      }
    }
  }

  // Throws cereal::Exception if a size prefix promises more elements than
  // there are bytes left.
  void check_size(std::uint64_t size) {
    const std::streamsize left = stream_.rdbuf()->in_avail();
    if (left < 0 || size > static_cast<std::uint64_t>(left)) {
      throw cereal::Exception("size prefix " + std::to_string(size) + " exceeds the " +
                              std::to_string(left < 0 ? 0 : left) + " bytes left");
    }
  }

 private:
  std::istream& stream_;
  std::uint8_t swap_ = 0;
};

template <class T>
std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_LOAD_FUNCTION_NAME(
    BoundedPortableBinaryInputArchive& archive, T& value) {
  static_assert(!std::is_floating_point_v<T> || std::numeric_limits<T>::is_iec559,
                "Portable binary only supports IEEE 754 floating point");
  archive.template loadBinary<sizeof(T)>(std::addressof(value), sizeof(value));
}

// A bool is one byte, 0 or 1; any other byte would make the bool itself
// undefined behaviour to read, so it is refused.
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedPortableBinaryInputArchive& archive, bool& value) {
  std::uint8_t byte = 0;
  archive.template loadBinary<1>(&byte, 1);
  if (byte > 1) {
    throw cereal::Exception("a bool stored as " + std::to_string(byte) + ", not 0 or 1");
  }
  value = byte == 1;
}

template <class T>
void CEREAL_SERIALIZE_FUNCTION_NAME(BoundedPortableBinaryInputArchive& archive,
                                    cereal::NameValuePair<T>& pair) {
  archive(pair.value);
}

template <class T>
void CEREAL_SERIALIZE_FUNCTION_NAME(BoundedPortableBinaryInputArchive& archive,
                                    cereal::SizeTag<T>& tag) {
  archive(tag.size);
  archive.check_size(static_cast<std::uint64_t>(tag.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedPortableBinaryInputArchive& archive,
                               cereal::BinaryData<T>& data) {
  using Element = std::remove_pointer_t<T>;
  archive.template loadBinary<sizeof(Element)>(data.data, static_cast<std::streamsize>(data.size));
}

}  // namespace diskcache::disk::detail

// Polymorphic types registered with cereal load through it too.
CEREAL_REGISTER_ARCHIVE(diskcache::disk::detail::BoundedPortableBinaryInputArchive)

// Its output counterpart, for cereal's checks that load and save match.
namespace cereal::traits::detail {
template <>
struct get_output_from_input<diskcache::disk::detail::BoundedPortableBinaryInputArchive> {
  using type = cereal::PortableBinaryOutputArchive;
};
}  // namespace cereal::traits::detail

#endif  // DISKCACHE_DISK_DETAIL_BOUNDED_PORTABLE_BINARY_HPP_
