// Internal: the input archive that decodes Boost binary archives for
// disk::Boost. It reads exactly what boost::archive::binary_iarchive reads,
// except that a string length or a collection's element count larger than
// the bytes left in the input is refused before anything is allocated:
// Boost resizes (or reserves) to the prefix's value before reading, so eight
// hostile bytes would otherwise allocate gigabytes. A bool byte other than 0
// or 1 is refused too. Not part of the API.
#ifndef DISKCACHE_DISK_DETAIL_BOUNDED_BOOST_BINARY_HPP_
#define DISKCACHE_DISK_DETAIL_BOUNDED_BOOST_BINARY_HPP_

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive_impl.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <cstddef>
#include <istream>
#include <string>

// The archive templates' out-of-line members, instantiated for this archive
// (Boost compiles them into its library only for its own archives).
#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/archive/impl/basic_binary_iarchive.ipp>
#include <boost/archive/impl/basic_binary_iprimitive.ipp>

namespace diskcache::disk::detail {

class BoundedBinaryIArchive
    : public boost::archive::binary_iarchive_impl<BoundedBinaryIArchive, char,
                                                  std::char_traits<char>> {
  using Base =
      boost::archive::binary_iarchive_impl<BoundedBinaryIArchive, char, std::char_traits<char>>;

 public:
  BoundedBinaryIArchive(std::istream& stream, unsigned int flags) : Base(stream, flags) {
    init(flags);
  }

  // What Boost's archive machinery calls: every type loads as in
  // binary_iarchive, sizes are checked first.
  template <class T>
  void load_override(T& value) {
    Base::load_override(value);
  }
  void load_override(boost::serialization::collection_size_type& count) {
    Base::load_override(count);
    check_size(count);
  }

  using Base::load;
  // A bool byte other than 0 or 1 is refused: Boost copies it into a bool,
  // which is then undefined behaviour to read.
  void load(bool& value) {
    unsigned char byte = 0;
    this->load_binary(&byte, 1);
    if (byte > 1) {
      throw boost::archive::archive_exception(
          boost::archive::archive_exception::input_stream_error,
          ("a bool stored as " + std::to_string(byte) + ", not 0 or 1").c_str());
    }
    value = byte == 1;
  }
  void load(std::string& text) {
    std::size_t length = 0;
    this->load(length);
    check_size(length);
    text.resize(length);
    if (length != 0) this->load_binary(text.data(), length);
  }

 private:
  void check_size(std::size_t size) {
    const std::streamsize left = this->m_sb.in_avail();
    if (left < 0 || size > static_cast<std::size_t>(left)) {
      throw boost::archive::archive_exception(
          boost::archive::archive_exception::input_stream_error,
          ("size prefix " + std::to_string(size) + " exceeds the " +
           std::to_string(left < 0 ? 0 : left) + " bytes left")
              .c_str());
    }
  }
};

}  // namespace diskcache::disk::detail

BOOST_SERIALIZATION_REGISTER_ARCHIVE(diskcache::disk::detail::BoundedBinaryIArchive)
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(diskcache::disk::detail::BoundedBinaryIArchive)

#endif  // DISKCACHE_DISK_DETAIL_BOUNDED_BOOST_BINARY_HPP_
