#include "pickle_format.hpp"

#include <array>
#include <cstdio>

#include "diskcache/errors.hpp"

namespace diskcache::pickle::detail {
namespace {

using A = Argument;
using O = Opcode;

constexpr OpcodeInfo kOpcodes[] = {
    {O::Mark, "MARK", A::None, 0},
    {O::Stop, "STOP", A::None, 0},
    {O::Pop, "POP", A::None, 0},
    {O::PopMark, "POP_MARK", A::None, 1},
    {O::Dup, "DUP", A::None, 0},
    {O::Float, "FLOAT", A::Line, 0},
    {O::Int, "INT", A::Line, 0},
    {O::BinInt, "BININT", A::Int4, 1},
    {O::BinInt1, "BININT1", A::Uint1, 1},
    {O::Long, "LONG", A::Line, 0},
    {O::BinInt2, "BININT2", A::Uint2, 1},
    {O::None, "NONE", A::None, 0},
    {O::PersId, "PERSID", A::Line, 0},
    {O::BinPersId, "BINPERSID", A::None, 1},
    {O::Reduce, "REDUCE", A::None, 0},
    {O::String, "STRING", A::Line, 0},
    {O::BinString, "BINSTRING", A::SignedBytes4, 1},
    {O::ShortBinString, "SHORT_BINSTRING", A::Bytes1, 1},
    {O::Unicode, "UNICODE", A::Line, 0},
    {O::BinUnicode, "BINUNICODE", A::Bytes4, 1},
    {O::Append, "APPEND", A::None, 0},
    {O::Build, "BUILD", A::None, 0},
    {O::Global, "GLOBAL", A::TwoLines, 0},
    {O::Dict, "DICT", A::None, 0},
    {O::EmptyDict, "EMPTY_DICT", A::None, 1},
    {O::Appends, "APPENDS", A::None, 1},
    {O::Get, "GET", A::Line, 0},
    {O::BinGet, "BINGET", A::Uint1, 1},
    {O::Inst, "INST", A::TwoLines, 0},
    {O::LongBinGet, "LONG_BINGET", A::Uint4, 1},
    {O::List, "LIST", A::None, 0},
    {O::EmptyList, "EMPTY_LIST", A::None, 1},
    {O::Obj, "OBJ", A::None, 1},
    {O::Put, "PUT", A::Line, 0},
    {O::BinPut, "BINPUT", A::Uint1, 1},
    {O::LongBinPut, "LONG_BINPUT", A::Uint4, 1},
    {O::SetItem, "SETITEM", A::None, 0},
    {O::Tuple, "TUPLE", A::None, 0},
    {O::EmptyTuple, "EMPTY_TUPLE", A::None, 1},
    {O::SetItems, "SETITEMS", A::None, 1},
    {O::BinFloat, "BINFLOAT", A::Raw8, 1},
    {O::Proto, "PROTO", A::Uint1, 2},
    {O::NewObj, "NEWOBJ", A::None, 2},
    {O::Ext1, "EXT1", A::Uint1, 2},
    {O::Ext2, "EXT2", A::Uint2, 2},
    {O::Ext4, "EXT4", A::Int4, 2},
    {O::Tuple1, "TUPLE1", A::None, 2},
    {O::Tuple2, "TUPLE2", A::None, 2},
    {O::Tuple3, "TUPLE3", A::None, 2},
    {O::NewTrue, "NEWTRUE", A::None, 2},
    {O::NewFalse, "NEWFALSE", A::None, 2},
    {O::Long1, "LONG1", A::Bytes1, 2},
    {O::Long4, "LONG4", A::SignedBytes4, 2},
    {O::BinBytes, "BINBYTES", A::Bytes4, 3},
    {O::ShortBinBytes, "SHORT_BINBYTES", A::Bytes1, 3},
    {O::ShortBinUnicode, "SHORT_BINUNICODE", A::Bytes1, 4},
    {O::BinUnicode8, "BINUNICODE8", A::Bytes8, 4},
    {O::BinBytes8, "BINBYTES8", A::Bytes8, 4},
    {O::EmptySet, "EMPTY_SET", A::None, 4},
    {O::AddItems, "ADDITEMS", A::None, 4},
    {O::FrozenSet, "FROZENSET", A::None, 4},
    {O::NewObjEx, "NEWOBJ_EX", A::None, 4},
    {O::StackGlobal, "STACK_GLOBAL", A::None, 4},
    {O::Memoize, "MEMOIZE", A::None, 4},
    {O::Frame, "FRAME", A::Uint8, 4},
    {O::ByteArray8, "BYTEARRAY8", A::Bytes8, 5},
    {O::NextBuffer, "NEXT_BUFFER", A::None, 5},
    {O::ReadonlyBuffer, "READONLY_BUFFER", A::None, 5},
};

// kOpcodes indexed by byte; nullptr for the bytes that are no opcode.
constexpr std::array<const OpcodeInfo*, 256> by_byte() {
  std::array<const OpcodeInfo*, 256> table{};
  for (const OpcodeInfo& info : kOpcodes) table[static_cast<unsigned char>(info.code)] = &info;
  return table;
}
constexpr std::array<const OpcodeInfo*, 256> kByByte = by_byte();

}  // namespace

const OpcodeInfo* find_opcode(unsigned char byte) noexcept { return kByByte[byte]; }

void fail(const Instruction& instruction, const std::string& what) {
  throw SerializationError("pickle: " + what + " (" + instruction.info->name + " at byte " +
                           std::to_string(instruction.offset) + ")");
}

Scanner::Scanner(std::span<const std::byte> pickle) noexcept
    : data_(reinterpret_cast<const char*>(pickle.data()), pickle.size()) {}

std::string_view Scanner::take(std::size_t count, const Instruction& instruction) {
  const std::size_t left = data_.size() - position_;
  if (count > left) {
    fail(instruction, "truncated: " + std::to_string(count) + " bytes needed, " +
                          std::to_string(left) + " left");
  }
  const std::string_view bytes = data_.substr(position_, count);
  position_ += count;
  return bytes;
}

std::string_view Scanner::line(const Instruction& instruction) {
  const std::size_t newline = data_.find('\n', position_);
  if (newline == std::string_view::npos) fail(instruction, "truncated: a line without '\\n'");
  const std::string_view text = data_.substr(position_, newline - position_);
  position_ = newline + 1;
  return text;
}

std::uint64_t Scanner::little_endian(std::size_t count, const Instruction& instruction) {
  const std::string_view bytes = take(count, instruction);
  std::uint64_t number = 0;
  for (std::size_t i = count; i-- > 0;) {
    number = (number << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return number;
}

void Scanner::counted(std::size_t length_size, Instruction& instruction, bool is_signed) {
  instruction.number = little_endian(length_size, instruction);
  if (is_signed && instruction.number > 0x7fffffffu) fail(instruction, "negative byte count");
  instruction.text = take(instruction.number, instruction);
}

Instruction Scanner::next() {
  if (at_end()) {
    throw SerializationError("pickle: truncated: no STOP after byte " +
                             std::to_string(data_.size()));
  }
  Instruction instruction;
  instruction.offset = position_;
  const auto byte = static_cast<unsigned char>(data_[position_]);
  instruction.info = find_opcode(byte);
  if (instruction.info == nullptr) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", byte);
    throw SerializationError("pickle: unknown opcode " + std::string(hex) + " at byte " +
                             std::to_string(position_));
  }
  ++position_;
  switch (instruction.info->argument) {
    case Argument::None: break;
    case Argument::Uint1: instruction.number = little_endian(1, instruction); break;
    case Argument::Uint2: instruction.number = little_endian(2, instruction); break;
    case Argument::Int4:
    case Argument::Uint4: instruction.number = little_endian(4, instruction); break;
    case Argument::Uint8: instruction.number = little_endian(8, instruction); break;
    case Argument::Raw8: instruction.text = take(8, instruction); break;
    case Argument::Line: instruction.text = line(instruction); break;
    case Argument::TwoLines:
      instruction.text = line(instruction);
      instruction.second_line = line(instruction);
      break;
    case Argument::Bytes1: counted(1, instruction); break;
    case Argument::Bytes4: counted(4, instruction); break;
    case Argument::SignedBytes4: counted(4, instruction, /*is_signed=*/true); break;
    case Argument::Bytes8: counted(8, instruction); break;
  }
  instruction.end = position_;
  return instruction;
}

}  // namespace diskcache::pickle::detail
