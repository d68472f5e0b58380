// pickle::dumps and dumps_key: CPython 3.11's pickler (Modules/_pickle.c)
// for plain data, byte for byte, and pickletools.optimize for keys.
//
// Byte-identical output is what makes a C++ key find a Python item: Python
// diskcache looks keys up by their pickled bytes. So this follows the C
// pickler's choices exactly: which opcode each size gets, batches of 1000
// items, the memo entry after each object, where frames are cut, and which
// objects it meets twice (its memo is keyed by identity, and CPython
// shares a few objects: see Identity).
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "diskcache/detail/utf8.hpp"
#include "diskcache/pickle.hpp"
#include "pickle_format.hpp"

namespace diskcache::pickle {
namespace {

using detail::Opcode;

constexpr std::size_t kFrameSizeTarget = 64 * 1024;
constexpr std::size_t kFrameSizeMin = 4;
constexpr std::size_t kFrameHeaderSize = 9;
constexpr std::size_t kBatchSize = 1000;
// Python 3.11's limit on ints in decimal (sys.int_info.default_max_str_digits),
// and a bit length no int of that many digits exceeds.
constexpr std::size_t kMaxDecimalDigits = 4300;
constexpr std::size_t kMaxDecimalBits = 14285;

// The objects CPython's pickler meets more than once although a Value has
// no sharing: the str and bytes singletons (the empty ones, and one
// character below U+0100 or one byte), the functions it calls for plain
// data in protocols 0 to 3, and the interned strs it writes with them.
struct Identity {
  enum class Of { Str, Bytes, Global, InternedStr };
  Of of;
  std::string content;
  friend auto operator<=>(const Identity&, const Identity&) = default;
};

// Whether CPython 3.11 keeps one shared object for this str (UTF-8).
bool is_singleton_str(std::string_view text) {
  if (text.empty() || text.size() == 1) return true;
  // U+0080..U+00FF: two bytes, C2 or C3 and one more.
  const auto lead = static_cast<unsigned char>(text[0]);
  return text.size() == 2 && (lead == 0xc2 || lead == 0xc3);
}

char byte_of(Opcode code) { return static_cast<char>(code); }

std::string little_endian(std::uint64_t number, std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(number >> (8 * i));
  return bytes;
}

std::string_view chars(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

enum class Memo { Put, Get };

// The instruction that puts the top of the stack in the memo at `index`, or
// gets it from there, as CPython's pickler writes it for `protocol`.
std::string memo_instruction(Memo memo, std::uint64_t index, int protocol) {
  const bool put = memo == Memo::Put;
  if (put && protocol >= 4) return std::string(1, byte_of(Opcode::Memoize));
  if (protocol == 0) {
    return byte_of(put ? Opcode::Put : Opcode::Get) + std::to_string(index) + '\n';
  }
  if (index < 256) {
    return {byte_of(put ? Opcode::BinPut : Opcode::BinGet), static_cast<char>(index)};
  }
  return byte_of(put ? Opcode::LongBinPut : Opcode::LongBinGet) + little_endian(index, 4);
}

class Pickler {
 public:
  explicit Pickler(int protocol) : protocol_(protocol) {}

  Bytes dump(const Value& root) {
    if (protocol_ >= 2) {
      write({byte_of(Opcode::Proto), static_cast<char>(protocol_)});
      framing_ = protocol_ >= 4;
    }
    save(root, 0);
    write(std::string(1, byte_of(Opcode::Stop)));
    commit_frame();
    return std::move(out_);
  }

 private:
  bool binary() const { return protocol_ >= 1; }

  // --- output and frames (_Pickler_Write, _Pickler_CommitFrame, ...) --------

  void write(std::initializer_list<char> bytes) {
    write(std::string_view(bytes.begin(), bytes.size()));
  }
  void write(std::string_view bytes) {
    if (framing_ && !frame_start_) {
      frame_start_ = out_.size();
      out_.resize(out_.size() + kFrameHeaderSize);
    }
    const auto* first = reinterpret_cast<const std::byte*>(bytes.data());
    out_.insert(out_.end(), first, first + bytes.size());
  }

  void commit_frame() {
    if (!framing_ || !frame_start_) return;
    const std::size_t start = *frame_start_;
    const std::size_t length = out_.size() - start - kFrameHeaderSize;
    if (length >= kFrameSizeMin) {
      out_[start] = static_cast<std::byte>(Opcode::Frame);
      const std::string size = little_endian(length, 8);
      for (std::size_t i = 0; i < 8; ++i) out_[start + 1 + i] = static_cast<std::byte>(size[i]);
    } else {
      out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(start),
                 out_.begin() + static_cast<std::ptrdiff_t>(start + kFrameHeaderSize));
    }
    frame_start_.reset();
  }

  // After each object: a frame that reached the target size ends here.
  void opcode_boundary() {
    if (framing_ && frame_start_ &&
        out_.size() - *frame_start_ - kFrameHeaderSize >= kFrameSizeTarget) {
      commit_frame();
    }
  }

  // A str or bytes payload of a frame's size or more goes outside frames.
  void write_payload(const std::string& header, std::string_view payload) {
    const bool outside = payload.size() >= kFrameSizeTarget;
    const bool framing = framing_;
    if (outside) {
      commit_frame();
      framing_ = false;
    }
    write(header);
    write(payload);
    framing_ = framing;
  }

  // --- the memo ----------------------------------------------------------------

  void memo_put(const std::optional<Identity>& identity = std::nullopt) {
    const std::uint64_t index = memo_size_++;
    if (identity) shared_.emplace(*identity, index);
    write(memo_instruction(Memo::Put, index, protocol_));
  }

  // Writes a GET if `identity` was saved before; returns whether it was.
  bool memo_get(const Identity& identity) {
    const auto found = shared_.find(identity);
    if (found == shared_.end()) return false;
    write(memo_instruction(Memo::Get, found->second, protocol_));
    return true;
  }

  // --- objects -------------------------------------------------------------------

  void save(const Value& value, std::size_t level) {
    switch (value.kind()) {
      case Value::Kind::Null: write(std::string(1, byte_of(Opcode::None))); break;
      case Value::Kind::Bool: save_bool(*value.get_if<bool>()); break;
      case Value::Kind::Integer: save_integer(*value.get_if<std::int64_t>()); break;
      case Value::Kind::BigInt: save_long(*value.get_if<BigInt>()); break;
      case Value::Kind::Real: save_float(*value.get_if<double>()); break;
      case Value::Kind::Text: save_str(*value.get_if<std::string>()); return;
      case Value::Kind::Blob: save_bytes(*value.get_if<Bytes>()); return;
      case Value::Kind::ByteArray: save_bytearray(*value.get_if<ByteArray>()); break;
      case Value::Kind::List: save_list(*value.get_if<List>(), nested(level)); break;
      case Value::Kind::Tuple: save_tuple(*value.get_if<Tuple>(), nested(level)); break;
      case Value::Kind::Dict: save_dict(*value.get_if<Dict>(), nested(level)); break;
      case Value::Kind::Set: save_set(*value.get_if<Set>(), nested(level)); break;
      case Value::Kind::FrozenSet: save_frozenset(*value.get_if<FrozenSet>(), nested(level)); break;
      case Value::Kind::Object:
        throw SerializationError("pickle: cannot pickle the pickled " +
                                 value.get_if<PickledObject>()->class_name() +
                                 " inside a container: its pickle stands alone");
    }
    opcode_boundary();
  }

  std::size_t nested(std::size_t level) {
    if (level + 1 > kMaxNestingDepth) {
      throw SerializationError("pickle: containers nested more than " +
                               std::to_string(kMaxNestingDepth) + " deep");
    }
    return level + 1;
  }

  void save_bool(bool flag) {
    if (protocol_ >= 2) {
      write(std::string(1, byte_of(flag ? Opcode::NewTrue : Opcode::NewFalse)));
    } else {
      write(flag ? "I01\n" : "I00\n");
    }
  }

  void save_integer(std::int64_t number) {
    if (number < INT32_MIN || number > INT32_MAX) return save_long(BigInt(number));
    if (!binary()) {
      write(byte_of(Opcode::Int) + std::to_string(number) + '\n');
    } else if (number >= 0 && number <= 0xff) {
      write({byte_of(Opcode::BinInt1), static_cast<char>(number)});
    } else if (number >= 0 && number <= 0xffff) {
      write(byte_of(Opcode::BinInt2) + little_endian(static_cast<std::uint64_t>(number), 2));
    } else {
      write(byte_of(Opcode::BinInt) +
            little_endian(static_cast<std::uint32_t>(static_cast<std::int32_t>(number)), 4));
    }
  }

  void save_long(const BigInt& number) {
    if (protocol_ < 2) {
      // In decimal, which Python 3.11 neither writes nor reads past 4300
      // digits (its pickler fails as this one does).
      const std::string digits =
          number.bit_length() <= kMaxDecimalBits ? number.to_string() : std::string();
      if (digits.empty() || digits.size() - (number.is_negative() ? 1 : 0) > kMaxDecimalDigits) {
        throw SerializationError("pickle: an int of more than " +
                                 std::to_string(kMaxDecimalDigits) +
                                 " digits needs protocol 2 or higher");
      }
      write(byte_of(Opcode::Long) + digits + "L\n");
      return;
    }
    const std::string bytes = to_string(number.twos_complement());
    if (bytes.size() < 256) {
      write(std::string{byte_of(Opcode::Long1), static_cast<char>(bytes.size())} + bytes);
    } else {
      write(byte_of(Opcode::Long4) + little_endian(bytes.size(), 4) + bytes);
    }
  }

  void save_float(double number) {
    if (!binary()) {
      write(byte_of(Opcode::Float) + Value(number).repr() + '\n');
      return;
    }
    std::uint64_t bits = 0;
    std::memcpy(&bits, &number, sizeof bits);
    std::string big_endian(1, byte_of(Opcode::BinFloat));
    for (int shift = 56; shift >= 0; shift -= 8) big_endian += static_cast<char>(bits >> shift);
    write(big_endian);
  }

  // A str of the Value: CPython's shared object when it has one.
  void save_str(std::string_view text) {
    if (const std::size_t bad = diskcache::detail::invalid_utf8_offset(text); bad != text.size()) {
      throw SerializationError("pickle: text that is not UTF-8 at its byte " + std::to_string(bad) +
                               ", which Python could not load");
    }
    save_str_as(text, is_singleton_str(text)
                          ? std::optional<Identity>(Identity{Identity::Of::Str, std::string(text)})
                          : std::nullopt);
  }

  // A str that is `identity` (found again in the memo), or a new object.
  void save_str_as(std::string_view text, const std::optional<Identity>& identity) {
    if (identity && memo_get(*identity)) return opcode_boundary();
    if (!binary()) {
      write(byte_of(Opcode::Unicode) + raw_unicode_escape(text) + '\n');
    } else if (text.size() <= 0xff && protocol_ >= 4) {
      write_payload({byte_of(Opcode::ShortBinUnicode), static_cast<char>(text.size())}, text);
    } else if (text.size() <= 0xffffffffu) {
      write_payload(byte_of(Opcode::BinUnicode) + little_endian(text.size(), 4), text);
    } else if (protocol_ >= 4) {
      write_payload(byte_of(Opcode::BinUnicode8) + little_endian(text.size(), 8), text);
    } else {
      throw SerializationError("pickle: a str of 4 GiB or more needs protocol 4 or higher");
    }
    memo_put(identity);
    opcode_boundary();
  }

  // Bytes of the Value: CPython's shared object when it has one, unless
  // `fresh` (a copy CPython makes while pickling, never shared).
  void save_bytes(std::span<const std::byte> bytes, bool fresh = false) {
    std::optional<Identity> identity;
    if (bytes.size() <= 1 && !fresh) {
      identity = Identity{Identity::Of::Bytes, std::string(chars(bytes))};
    }
    if (identity && memo_get(*identity)) return opcode_boundary();
    if (protocol_ >= 3) {
      if (bytes.size() <= 0xff) {
        write_payload({byte_of(Opcode::ShortBinBytes), static_cast<char>(bytes.size())},
                      chars(bytes));
      } else if (bytes.size() <= 0xffffffffu) {
        write_payload(byte_of(Opcode::BinBytes) + little_endian(bytes.size(), 4), chars(bytes));
      } else if (protocol_ >= 4) {
        write_payload(byte_of(Opcode::BinBytes8) + little_endian(bytes.size(), 8), chars(bytes));
      } else {
        throw SerializationError("pickle: bytes of 4 GiB or more need protocol 4 or higher");
      }
    } else if (bytes.empty()) {
      // bytes() and codecs.encode(latin-1 text, 'latin1'): protocols 0 to 2
      // have no opcode for bytes.
      save_global("builtins", "bytes");
      save_empty_tuple();
      write(std::string(1, byte_of(Opcode::Reduce)));
    } else {
      save_global("_codecs", "encode");
      std::string latin1;
      for (const std::byte byte : bytes) {
        const auto code = std::to_integer<unsigned>(byte);
        if (code < 0x80) {
          latin1 += static_cast<char>(code);
        } else {
          latin1 += static_cast<char>(0xc0 | (code >> 6));
          latin1 += static_cast<char>(0x80 | (code & 0x3f));
        }
      }
      start_tuple(2);
      save_str(latin1);
      save_str_as("latin1", Identity{Identity::Of::InternedStr, "latin1"});
      end_tuple(2);
      write(std::string(1, byte_of(Opcode::Reduce)));
    }
    memo_put(identity);
    opcode_boundary();
  }

  void save_bytearray(const ByteArray& bytes) {
    if (protocol_ >= 5) {
      write_payload(byte_of(Opcode::ByteArray8) + little_endian(bytes.size(), 8), chars(bytes));
    } else {
      save_global("builtins", "bytearray");
      if (bytes.empty()) {
        save_empty_tuple();
      } else {
        start_tuple(1);
        save_bytes(bytes, /*fresh=*/true);
        end_tuple(1);
      }
      write(std::string(1, byte_of(Opcode::Reduce)));
    }
    memo_put();
  }

  // The function a protocol 0 to 3 pickle calls (save_global): GLOBAL, with
  // Python 2's module names below protocol 3, or STACK_GLOBAL from 4.
  void save_global(const std::string& module, const std::string& name) {
    const Identity identity{Identity::Of::Global, module + "." + name};
    if (memo_get(identity)) return opcode_boundary();
    if (protocol_ >= 4) {
      save_str_as(module, Identity{Identity::Of::InternedStr, module});
      save_str_as(name, Identity{Identity::Of::InternedStr, name});
      write(std::string(1, byte_of(Opcode::StackGlobal)));
    } else {
      const std::string& written = protocol_ < 3 && module == "builtins" ? "__builtin__" : module;
      write(byte_of(Opcode::Global) + written + '\n' + name + '\n');
    }
    memo_put(identity);
    opcode_boundary();
  }

  // An argument tuple of `size` objects, saved as save_tuple saves one.
  void start_tuple(std::size_t size) {
    if (size > 3 || protocol_ < 2) write(std::string(1, byte_of(Opcode::Mark)));
  }
  void end_tuple(std::size_t size) {
    if (size <= 3 && protocol_ >= 2) {
      write(
          std::string(1, static_cast<char>(static_cast<unsigned char>(Opcode::Tuple1) + size - 1)));
    } else {
      write(std::string(1, byte_of(Opcode::Tuple)));
    }
    memo_put();
    opcode_boundary();
  }
  void save_empty_tuple() {
    write(binary() ? std::string(1, byte_of(Opcode::EmptyTuple))
                   : std::string{byte_of(Opcode::Mark), byte_of(Opcode::Tuple)});
    opcode_boundary();
  }

  void save_tuple(const Tuple& tuple, std::size_t level) {
    if (tuple.empty()) {
      write(binary() ? std::string(1, byte_of(Opcode::EmptyTuple))
                     : std::string{byte_of(Opcode::Mark), byte_of(Opcode::Tuple)});
      return;
    }
    start_tuple(tuple.size());
    for (const Value& element : tuple) save(element, level);
    if (tuple.size() <= 3 && protocol_ >= 2) {
      write(std::string(
          1, static_cast<char>(static_cast<unsigned char>(Opcode::Tuple1) + tuple.size() - 1)));
    } else {
      write(std::string(1, byte_of(Opcode::Tuple)));
    }
    memo_put();
  }

  template <class Range>
  void save_list(const Range& elements, std::size_t level) {
    write(binary() ? std::string(1, byte_of(Opcode::EmptyList))
                   : std::string{byte_of(Opcode::Mark), byte_of(Opcode::List)});
    memo_put();
    if (elements.size() == 0) return;
    if (!binary() || elements.size() == 1) {
      for (const Value& element : elements) {
        save(element, level);
        write(std::string(1, byte_of(Opcode::Append)));
      }
      return;
    }
    auto element = elements.begin();
    while (element != elements.end()) {
      write(std::string(1, byte_of(Opcode::Mark)));
      for (std::size_t i = 0; i < kBatchSize && element != elements.end(); ++i, ++element) {
        save(*element, level);
      }
      write(std::string(1, byte_of(Opcode::Appends)));
    }
  }

  void save_dict(const Dict& dict, std::size_t level) {
    write(binary() ? std::string(1, byte_of(Opcode::EmptyDict))
                   : std::string{byte_of(Opcode::Mark), byte_of(Opcode::Dict)});
    memo_put();
    if (dict.empty()) return;
    if (!binary() || dict.size() == 1) {
      for (const auto& [key, value] : dict) {
        save(key, level);
        save(value, level);
        write(std::string(1, byte_of(Opcode::SetItem)));
      }
      return;
    }
    save_batches(dict, Opcode::SetItems, [&](const Dict::Entry& entry) {
      save(entry.first, level);
      save(entry.second, level);
    });
  }

  void save_set(const Set& set, std::size_t level) {
    if (protocol_ < 4) return save_by_list("set", set, level);
    write(std::string(1, byte_of(Opcode::EmptySet)));
    memo_put();
    if (set.empty()) return;
    save_batches(set, Opcode::AddItems, [&](const Value& element) { save(element, level); });
  }

  // MARK, up to 1000 items, `close`, and again while a batch is full, as
  // _pickle.c's batch_dict_exact and save_set: so a full last batch is
  // followed by an empty one.
  template <class Range, class SaveOne>
  void save_batches(const Range& items, Opcode close, SaveOne save_one) {
    auto item = items.begin();
    std::size_t batch = 0;
    do {
      write(std::string(1, byte_of(Opcode::Mark)));
      for (batch = 0; item != items.end() && batch < kBatchSize; ++batch, ++item) save_one(*item);
      write(std::string(1, byte_of(close)));
    } while (batch == kBatchSize);
  }

  void save_frozenset(const FrozenSet& set, std::size_t level) {
    if (protocol_ < 4) return save_by_list("frozenset", set, level);
    write(std::string(1, byte_of(Opcode::Mark)));
    for (const Value& element : set) save(element, level);
    write(std::string(1, byte_of(Opcode::FrozenSet)));
    memo_put();
  }

  // set(list) and frozenset(list): protocols 0 to 3 have no set opcodes.
  template <class SetType>
  void save_by_list(const char* type, const SetType& set, std::size_t level) {
    save_global("builtins", type);
    start_tuple(1);
    save_list(set, level);
    opcode_boundary();
    end_tuple(1);
    write(std::string(1, byte_of(Opcode::Reduce)));
    memo_put();
  }

  // Protocol 0's UNICODE argument: raw-unicode-escape, with the characters
  // that would end or break the line escaped too. REQUIRES: `text` is UTF-8.
  static std::string raw_unicode_escape(std::string_view text) {
    std::string out;
    for (std::size_t at = 0; at < text.size();) {
      const diskcache::detail::CodePoint character = *diskcache::detail::code_point_at(text, at);
      at += character.length;
      const std::uint32_t code = character.code;
      char escaped[16];
      if (code >= 0x10000) {
        std::snprintf(escaped, sizeof escaped, "\\U%08x", code);
        out += escaped;
      } else if (code >= 0x100 || code == '\\' || code == 0 || code == '\n' || code == '\r' ||
                 code == 0x1a) {
        std::snprintf(escaped, sizeof escaped, "\\u%04x", code);
        out += escaped;
      } else {
        out += static_cast<char>(code);
      }
    }
    return out;
  }

  const int protocol_;
  bool framing_ = false;
  std::optional<std::size_t> frame_start_;
  Bytes out_;
  std::uint64_t memo_size_ = 0;
  std::map<Identity, std::uint64_t> shared_;
};

void check_protocol(int protocol) {
  if (protocol < 0 || protocol > kHighestProtocol) {
    throw SerializationError("pickle: protocol " + std::to_string(protocol) +
                             " is not one of 0 to 5");
  }
}

// pickletools.optimize: the same pickle without the memo entries no GET
// uses, renumbered, and framed again.
Bytes optimize(std::span<const std::byte> pickle) {
  struct Op {
    enum class Type { Put, Get, Copy } type;
    std::uint64_t id = 0;            // Put, Get
    std::size_t begin = 0, end = 0;  // Copy
  };
  detail::Scanner scanner(pickle);
  std::vector<Op> ops;
  std::unordered_set<std::uint64_t> fetched;
  std::uint64_t puts = 0;
  int protocol = 0;
  std::size_t header_end = 0;
  for (;;) {
    const detail::Instruction instruction = scanner.next();
    switch (instruction.code()) {
      case Opcode::Put:
      case Opcode::BinPut:
      case Opcode::LongBinPut:
        ops.push_back({Op::Type::Put, instruction.code() == Opcode::Put
                                          ? std::stoull(std::string(instruction.text))
                                          : instruction.number});
        ++puts;
        break;
      case Opcode::Memoize: ops.push_back({Op::Type::Put, puts++}); break;
      case Opcode::Frame: break;
      case Opcode::Get:
      case Opcode::BinGet:
      case Opcode::LongBinGet: {
        protocol = std::max(protocol, instruction.info->protocol);
        const std::uint64_t id = instruction.code() == Opcode::Get
                                     ? std::stoull(std::string(instruction.text))
                                     : instruction.number;
        fetched.insert(id);
        ops.push_back({Op::Type::Get, id});
        break;
      }
      case Opcode::Proto:
        protocol = std::max(protocol, static_cast<int>(instruction.number));
        if (instruction.offset == 0) {
          header_end = instruction.end;
          break;
        }
        ops.push_back({Op::Type::Copy, 0, instruction.offset, instruction.end});
        break;
      default: ops.push_back({Op::Type::Copy, 0, instruction.offset, instruction.end});
    }
    if (instruction.code() == Opcode::Stop) break;
  }

  Bytes out(pickle.begin(), pickle.begin() + static_cast<std::ptrdiff_t>(header_end));
  const bool framing = protocol >= 4;
  std::string frame;
  const auto append = [&out](std::string_view bytes) {
    const auto* first = reinterpret_cast<const std::byte*>(bytes.data());
    out.insert(out.end(), first, first + bytes.size());
  };
  // _Framer.commit_frame
  const auto commit = [&](bool force) {
    if (!framing || (frame.size() < kFrameSizeTarget && !force)) return;
    if (frame.size() >= kFrameSizeMin) {
      append(std::string(1, byte_of(Opcode::Frame)) + little_endian(frame.size(), 8));
    }
    append(frame);
    frame.clear();
  };
  std::unordered_map<std::uint64_t, std::uint64_t> renumbered;
  std::uint64_t next = 0;
  for (const Op& op : ops) {
    std::string data;
    bool frameless = false;
    if (op.type == Op::Type::Put) {
      if (!fetched.contains(op.id)) continue;
      renumbered[op.id] = next;
      data = memo_instruction(Memo::Put, next++, protocol);
    } else if (op.type == Op::Type::Get) {
      data = memo_instruction(Memo::Get, renumbered.at(op.id), protocol);
    } else {
      data = std::string(scanner.bytes(op.begin, op.end));
      frameless = data.size() > kFrameSizeTarget;
    }
    commit(frameless);
    if (frameless || !framing) {
      append(data);
    } else {
      frame += data;
    }
  }
  if (!frame.empty()) commit(true);
  return out;
}

}  // namespace

Bytes dumps(const Value& value, int protocol) {
  check_protocol(protocol);
  if (const PickledObject* object = value.get_if<PickledObject>()) return object->pickle();
  return Pickler(protocol).dump(value);
}

Bytes dumps_key(const Value& key, int protocol) {
  check_protocol(protocol);
  if (const PickledObject* object = key.get_if<PickledObject>()) return object->pickle();
  return optimize(Pickler(protocol).dump(key));
}

}  // namespace diskcache::pickle
