// Internal to the pickle codec: the opcodes of protocols 0 to 5, and a
// scanner that splits a pickle into instructions without interpreting
// them (the loader and pickletools.optimize's equivalent both use it).
// Facts from Python's pickletools.py, which documents the format.
#ifndef DISKCACHE_SRC_CODEC_PICKLE_FORMAT_HPP_
#define DISKCACHE_SRC_CODEC_PICKLE_FORMAT_HPP_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace diskcache::pickle::detail {

// NOTE: the values are the bytes of the format.
enum class Opcode : unsigned char {
  Mark = '(',
  Stop = '.',
  Pop = '0',
  PopMark = '1',
  Dup = '2',
  Float = 'F',
  Int = 'I',
  BinInt = 'J',
  BinInt1 = 'K',
  Long = 'L',
  BinInt2 = 'M',
  None = 'N',
  PersId = 'P',
  BinPersId = 'Q',
  Reduce = 'R',
  String = 'S',
  BinString = 'T',
  ShortBinString = 'U',
  Unicode = 'V',
  BinUnicode = 'X',
  Append = 'a',
  Build = 'b',
  Global = 'c',
  Dict = 'd',
  EmptyDict = '}',
  Appends = 'e',
  Get = 'g',
  BinGet = 'h',
  Inst = 'i',
  LongBinGet = 'j',
  List = 'l',
  EmptyList = ']',
  Obj = 'o',
  Put = 'p',
  BinPut = 'q',
  LongBinPut = 'r',
  SetItem = 's',
  Tuple = 't',
  EmptyTuple = ')',
  SetItems = 'u',
  BinFloat = 'G',
  Proto = 0x80,
  NewObj = 0x81,
  Ext1 = 0x82,
  Ext2 = 0x83,
  Ext4 = 0x84,
  Tuple1 = 0x85,
  Tuple2 = 0x86,
  Tuple3 = 0x87,
  NewTrue = 0x88,
  NewFalse = 0x89,
  Long1 = 0x8a,
  Long4 = 0x8b,
  BinBytes = 'B',
  ShortBinBytes = 'C',
  ShortBinUnicode = 0x8c,
  BinUnicode8 = 0x8d,
  BinBytes8 = 0x8e,
  EmptySet = 0x8f,
  AddItems = 0x90,
  FrozenSet = 0x91,
  NewObjEx = 0x92,
  StackGlobal = 0x93,
  Memoize = 0x94,
  Frame = 0x95,
  ByteArray8 = 0x96,
  NextBuffer = 0x97,
  ReadonlyBuffer = 0x98,
};

// The form of an opcode's argument in the byte stream.
enum class Argument {
  None,
  Uint1,         // 1 byte
  Uint2,         // 2 bytes, little-endian
  Int4,          // 4 bytes, little-endian, signed
  Uint4,         // 4 bytes, little-endian
  Uint8,         // 8 bytes, little-endian
  Raw8,          // 8 bytes as they are (BINFLOAT's big-endian double)
  Line,          // bytes up to '\n' (decimal, float, quoted or escaped text)
  TwoLines,      // module '\n' name '\n' (GLOBAL, INST)
  Bytes1,        // a 1-byte length, then that many bytes
  Bytes4,        // a 4-byte unsigned length, then the bytes
  SignedBytes4,  // a 4-byte signed length (negative: malformed), then the bytes
  Bytes8,        // an 8-byte length, then the bytes
};

struct OpcodeInfo {
  Opcode code;
  const char* name;  // as pickletools names it: "SHORT_BINUNICODE"
  Argument argument;
  int protocol;  // the first protocol that has it
};

// The opcode `byte` stands for, or nullptr.
const OpcodeInfo* find_opcode(unsigned char byte) noexcept;

// One opcode and its argument, as it appears in the pickle.
struct Instruction {
  const OpcodeInfo* info = nullptr;
  std::size_t offset = 0;  // of the opcode byte
  std::size_t end = 0;     // just after the argument
  // Uint*, Int4 (as two's complement), and the lengths of Bytes* arguments.
  std::uint64_t number = 0;
  // Bytes*: the bytes after the length; Line: the line without '\n';
  // TwoLines: the first line; Raw8: the 8 bytes.
  std::string_view text;
  std::string_view second_line;  // TwoLines

  Opcode code() const noexcept { return info->code; }
};

// Reads a pickle one instruction at a time. Every length is checked
// against the bytes left before the caller sees it.
class Scanner {
 public:
  explicit Scanner(std::span<const std::byte> pickle) noexcept;

  bool at_end() const noexcept { return position_ == data_.size(); }
  std::size_t position() const noexcept { return position_; }
  std::size_t size() const noexcept { return data_.size(); }
  std::string_view bytes(std::size_t from, std::size_t to) const noexcept {
    return data_.substr(from, to - from);
  }

  // The next instruction. Throws SerializationError naming the offset for
  // an unknown opcode or an argument cut short.
  Instruction next();

 private:
  std::string_view take(std::size_t count, const Instruction& instruction);
  std::string_view line(const Instruction& instruction);
  std::uint64_t little_endian(std::size_t count, const Instruction& instruction);
  // A length of `length_size` bytes (signed: refused if negative), then the
  // bytes it counts.
  void counted(std::size_t length_size, Instruction& instruction, bool is_signed = false);

  std::string_view data_;
  std::size_t position_ = 0;
};

// "pickle: <what> (<OPCODE> at byte <offset>)": the form of every message.
[[noreturn]] void fail(const Instruction& instruction, const std::string& what);

}  // namespace diskcache::pickle::detail

#endif  // DISKCACHE_SRC_CODEC_PICKLE_FORMAT_HPP_
