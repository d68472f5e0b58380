// How the command writes keys, values and tags as JSON (--json, dump) and
// reads them back (load). JSON's own types where they fit, a one-member
// object where they do not:
//
//   None -> null     42 -> 42     2.5 -> 2.5     'text' -> "text"
//   b'\x00' -> {"bytes": "AA=="}                 (base64)
//   inf, -inf, nan -> {"float": "inf"}, ...
//   a key a disk policy encoded -> {"encoded": <its stored form, as above>}
//   a Python-pickled value -> {"pickle": <size in bytes>} (written, never read)
//   a deque item Python pickled: its plain data (bool, tuple, list, dict, ...)
//   -> {"python": "<its repr>"}, an object -> {"pickle": <size in bytes>}
//   (both written, never read)
#ifndef DISKCACHE_TOOLS_JSON_FORMAT_HPP_
#define DISKCACHE_TOOLS_JSON_FORMAT_HPP_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>

#include "diskcache/cell.hpp"
#include "diskcache/store.hpp"
#include "diskcache/value.hpp"

namespace diskcache::tool {

// Refuses (returns false from String) text that is not valid UTF-8.
using JsonWriter =
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                      rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>;

// One JSON document built with writer(), then taken as one line of text.
class JsonLine {
 public:
  JsonLine() : writer_(buffer_) {}
  JsonWriter& writer() noexcept { return writer_; }
  std::string str() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }

 private:
  rapidjson::StringBuffer buffer_;
  JsonWriter writer_;
};

// Writes a string; throws CommandError(Unreadable) if it is not UTF-8.
void write_string(JsonWriter& writer, std::string_view text);

void write_value(JsonWriter& writer, const Value& value);

// A stored key or value; `size` as in text_format.hpp's show().
void write_cell(JsonWriter& writer, const Cell& cell, std::int64_t size = 0);

// Writes the members "expire_time" (Unix seconds or null) and "tag".
void write_metadata(JsonWriter& writer, const StoredItem& item);

// The Value `json` denotes. Throws CommandError(Usage) naming `what` if it
// is not one of the forms above (or is a pickle or an encoded key).
Value read_value(const rapidjson::Value& json, const std::string& what);

// A key or value as written by write_cell, with encoded keys back to
// not-raw cells. Throws CommandError(Usage) naming `what` for other JSON
// (an {"encoded": ...} inside another included), and for a pickle, which
// C++ cannot write back.
Cell read_cell(const rapidjson::Value& json, const std::string& what);

// Parses `text` as one JSON document into `document`, iteratively (nesting
// of any depth costs heap, not stack). Throws CommandError(Usage) naming
// `what`, the error and its byte offset if it is not one.
void parse_json(rapidjson::Document& document, std::string_view text, const std::string& what);

// The stored key `text` denotes when it is one JSON document in the form
// `--json keys` prints (write_cell), as `get --key-json` takes it. Throws
// CommandError(Usage), naming `text` and the forms to type, for malformed
// JSON, a form read_cell refuses, null, and text that is not UTF-8.
Cell parse_json_key(std::string_view text);

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_JSON_FORMAT_HPP_
