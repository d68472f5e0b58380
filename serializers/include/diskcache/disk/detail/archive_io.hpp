// Internal: runs a cereal or Boost archive into a std::string and back out of
// a string_view, without intermediate copies, turning every failure into
// SerializationError. Shared by the archive-based policies; not part of the
// API.
#ifndef DISKCACHE_DISK_DETAIL_ARCHIVE_IO_HPP_
#define DISKCACHE_DISK_DETAIL_ARCHIVE_IO_HPP_

#include <cstddef>
#include <exception>
#include <istream>
#include <new>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "diskcache/errors.hpp"

namespace diskcache::disk::detail {

// A streambuf that appends everything written to a caller's std::string.
class StringSink : public std::streambuf {
 public:
  explicit StringSink(std::string& out) : out_(out) {}

 protected:
  int_type overflow(int_type ch) override {
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      out_.push_back(traits_type::to_char_type(ch));
    }
    return traits_type::not_eof(ch);
  }
  std::streamsize xsputn(const char* data, std::streamsize count) override {
    out_.append(data, static_cast<std::size_t>(count));
    return count;
  }

 private:
  std::string& out_;
};

// A read-only streambuf over borrowed bytes.
class ViewSource : public std::streambuf {
 public:
  explicit ViewSource(std::string_view bytes) {
    // setg() wants char*; the get area is never written because there is no
    // put area and pbackfail() keeps its default (which refuses to write).
    char* first = const_cast<char*>(bytes.data());
    setg(first, first, first + bytes.size());
  }

  // Bytes not consumed yet.
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// Serializes `object` with `OutputArchive(stream, options...)` and returns
// the bytes. The archive is destroyed (so flushed and closed: JSON writes its
// closing brace then) before the string is returned.
// Throws SerializationError naming `policy` and `format` if the archive throws.
template <class OutputArchive, class T, class... Options>
std::string save_archive(const T& object, const char* policy, const char* format,
                         const Options&... options) {
  std::string out;
  StringSink sink(out);
  std::ostream stream(&sink);
  try {
    OutputArchive archive(stream, options...);
    archive << object;
  } catch (const SerializationError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;  // out of memory, not a type the format cannot hold
  } catch (const std::exception& error) {
    throw SerializationError(std::string(policy) + ": cannot encode as " + format + ": " +
                             error.what());
  }
  return out;
}

// Deserializes a T from `bytes` with `InputArchive(stream, options...)`.
// REQUIRES: T is default constructible.
// Throws SerializationError naming `policy`, `format` and the size if the
// archive throws (corrupt or truncated bytes, bytes of another type) or if
// bytes are left over after the object.
template <class InputArchive, class T, class... Options>
T load_archive(std::string_view bytes, const char* policy, const char* format,
               const Options&... options) {
  ViewSource source(bytes);
  std::istream stream(&source);
  T object{};
  auto failure = [&](const std::string& cause) {
    return SerializationError(std::string(policy) + ": cannot decode " +
                              std::to_string(bytes.size()) + " bytes of " + format + ": " + cause +
                              " (corrupt or truncated data, or data written "
                              "for another type)");
  };
  try {
    InputArchive archive(stream, options...);
    archive >> object;
  } catch (const SerializationError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;  // out of memory, not damaged bytes
  } catch (const std::exception& error) {
    throw failure(error.what());
  }
  if (source.remaining() != 0) {
    const std::size_t extra = source.remaining();
    throw failure(std::to_string(extra) + (extra == 1 ? " trailing byte" : " trailing bytes") +
                  " after the object");
  }
  return object;
}

}  // namespace diskcache::disk::detail

#endif  // DISKCACHE_DISK_DETAIL_ARCHIVE_IO_HPP_
