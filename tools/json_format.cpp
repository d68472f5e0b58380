#include "json_format.hpp"

#include <rapidjson/error/en.h>

#include <array>
#include <cmath>

#include "diskcache/detail/utf8.hpp"
#include "exit_status.hpp"
#include "stored_cache.hpp"

namespace diskcache::tool {
namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) group |= static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64[(group >> 18) & 63];
    out += kBase64[(group >> 12) & 63];
    out += i + 1 < bytes.size() ? kBase64[(group >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kBase64[group & 63] : '=';
  }
  return out;
}

// What a refused --key-json KEY is followed by: what to type instead.
constexpr std::string_view kJsonKeyForms =
    "\n  --key-json takes a key as `diskcache --json keys DIR` prints it: \"text\", 42, 2.5, "
    "{\"bytes\": \"AAE=\"}, {\"float\": \"inf\"}, {\"encoded\": {\"bytes\": \"...\"}}"
    "\n  without --key-json, KEY is a literal as `diskcache keys DIR` prints it: 'text', 42, "
    "b'\\x00', encoded(b'..')";

[[noreturn]] void bad(const std::string& what, const std::string& why) {
  throw CommandError(ExitStatus::Usage, what + ": " + why);
}

std::string base64_decode(std::string_view text, const std::string& what) {
  if (text.size() % 4 != 0) bad(what, "base64 text must have a multiple of 4 characters");
  std::string out;
  std::uint32_t group = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=') {
      if (i + 2 < text.size() || (i + 1 < text.size() && text[i + 1] != '=')) {
        bad(what, "'=' is only allowed at the end of base64 text");
      }
      break;
    }
    const std::size_t digit = kBase64.find(text[i]);
    if (digit == std::string_view::npos) bad(what, "not base64 text");
    group = (group << 6) | static_cast<std::uint32_t>(digit);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((group >> bits) & 0xff);
    }
  }
  return out;
}

void write_tagged(JsonWriter& writer, const char* tag, std::string_view text) {
  writer.StartObject();
  writer.Key(tag);
  write_string(writer, text);
  writer.EndObject();
}

// The only member of a one-member object, or nullptr.
const rapidjson::Value::ConstMemberIterator single_member(const rapidjson::Value& json) {
  return json.MemberCount() == 1 ? json.MemberBegin() : json.MemberEnd();
}

}  // namespace

void write_string(JsonWriter& writer, std::string_view text) {
  if (!writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()))) {
    throw CommandError(ExitStatus::Unreadable, "text is not valid UTF-8, so JSON cannot hold it");
  }
}

void write_value(JsonWriter& writer, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Null: writer.Null(); return;
    case Value::Kind::Integer: writer.Int64(value.as<std::int64_t>()); return;
    case Value::Kind::Real: {
      const double number = value.as<double>();
      if (std::isfinite(number)) {
        writer.Double(number);
      } else {
        write_tagged(writer, "float", std::isnan(number) ? "nan" : number > 0 ? "inf" : "-inf");
      }
      return;
    }
    case Value::Kind::Text: write_string(writer, *value.get_if<std::string>()); return;
    case Value::Kind::Blob:
      write_tagged(writer, "bytes", base64_encode(Cell::as_chars(*value.get_if<Bytes>())));
      return;
    case Value::Kind::Object:
      writer.StartObject();
      writer.Key("pickle");
      writer.Int64(static_cast<std::int64_t>(value.get_if<PickledObject>()->pickle().size()));
      writer.EndObject();
      return;
    default: write_tagged(writer, "python", value.repr()); return;
  }
}

void write_cell(JsonWriter& writer, const Cell& cell, std::int64_t size) {
  if (cell.mode() == Mode::Pickle) {
    writer.StartObject();
    writer.Key("pickle");
    writer.Int64(size);
    writer.EndObject();
  } else if (!cell.raw()) {
    writer.StartObject();
    writer.Key("encoded");
    write_value(writer, cell.to_value());
    writer.EndObject();
  } else {
    write_value(writer, cell.to_value());
  }
}

void write_metadata(JsonWriter& writer, const StoredItem& item) {
  writer.Key("expire_time");
  if (item.expire_time) {
    writer.Double(*item.expire_time);
  } else {
    writer.Null();
  }
  writer.Key("tag");
  if (item.tag) {
    write_value(writer, *item.tag);
  } else {
    writer.Null();
  }
}

Value read_value(const rapidjson::Value& json, const std::string& what) {
  if (json.IsNull()) return Value();
  if (json.IsInt64()) return Value(json.GetInt64());
  if (json.IsDouble()) return Value(json.GetDouble());
  if (json.IsString()) return Value(std::string(json.GetString(), json.GetStringLength()));
  if (json.IsObject()) {
    const auto member = single_member(json);
    if (member != json.MemberEnd() && member->value.IsString()) {
      const std::string_view name = member->name.GetString();
      const std::string_view text(member->value.GetString(), member->value.GetStringLength());
      if (name == "bytes") return Value(to_bytes(base64_decode(text, what)));
      if (name == "float" && (text == "inf" || text == "-inf" || text == "nan")) {
        return Value(text == "nan" ? NAN : text == "inf" ? INFINITY : -INFINITY);
      }
    }
  }
  bad(what, "expected null, a number, a string, {\"bytes\": base64} or {\"float\": \"inf\"}");
}

Cell read_cell(const rapidjson::Value& json, const std::string& what) {
  if (json.IsObject()) {
    const auto member = single_member(json);
    if (member != json.MemberEnd() && member->name == "pickle") {
      bad(what, "a Python pickle cannot be written from C++");
    }
    if (member != json.MemberEnd() && member->name == "encoded") {
      // One level, as write_cell writes it: calling read_cell here let a
      // line of nested {"encoded": ...} recurse off the stack.
      Cell cell = to_cell(read_value(member->value, what));
      cell.set_raw(false);
      return cell;
    }
  }
  return to_cell(read_value(json, what));
}

void parse_json(rapidjson::Document& document, std::string_view text, const std::string& what) {
  // Iterative parsing keeps its stack on the heap: the recursive parser
  // overflows the thread's stack on a line of some 100,000 '['. (A Document's
  // pool allocator frees without walking the tree, so no recursion there.)
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(
      text.data(), text.size());
  if (document.HasParseError()) {
    bad(what, std::string(rapidjson::GetParseError_En(document.GetParseError())) + " (at byte " +
                  std::to_string(document.GetErrorOffset()) + ")");
  }
}

Cell parse_json_key(std::string_view text) {
  const std::string what = "malformed JSON key " + std::string(text);
  try {
    rapidjson::Document json;
    parse_json(json, text, what);
    const Cell key = read_cell(json, what);
    if (key.is_null()) bad(what, "null cannot be a key");
    if (key.kind() == Cell::Kind::Real && std::isnan(key.real())) {
      bad(what, "nan cannot be a key (SQLite stores NaN as NULL)");
    }
    // JSON's \udc80 reaches here as bytes that are not UTF-8, which Python
    // could not read back as a str; as a literal key it is refused too.
    if (key.kind() == Cell::Kind::Text) {
      const std::size_t offset = detail::invalid_utf8_offset(key.bytes());
      if (offset != key.bytes().size()) {
        bad(what, "the text is not valid UTF-8 (byte " + std::to_string(offset) + ")");
      }
    }
    return key;
  } catch (const CommandError& error) {
    throw CommandError(ExitStatus::Usage, error.what() + std::string(kJsonKeyForms));
  }
}

}  // namespace diskcache::tool
