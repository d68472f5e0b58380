#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>

#include "diskcache/value.hpp"

namespace diskcache {
namespace {

constexpr std::uint32_t kDecimalChunk = 1'000'000'000;  // 10^9: nine digits per limb step
constexpr int kDigitsPerChunk = 9;

void trim(std::vector<std::uint32_t>& magnitude) {
  while (!magnitude.empty() && magnitude.back() == 0) magnitude.pop_back();
}

// magnitude = magnitude * factor + addend
void multiply_add(std::vector<std::uint32_t>& magnitude, std::uint32_t factor,
                  std::uint32_t addend) {
  std::uint64_t carry = addend;
  for (std::uint32_t& limb : magnitude) {
    const std::uint64_t product = std::uint64_t{limb} * factor + carry;
    limb = static_cast<std::uint32_t>(product);
    carry = product >> 32;
  }
  if (carry != 0) magnitude.push_back(static_cast<std::uint32_t>(carry));
}

// magnitude /= divisor; returns the remainder.
std::uint32_t divide(std::vector<std::uint32_t>& magnitude, std::uint32_t divisor) {
  std::uint64_t remainder = 0;
  for (auto limb = magnitude.rbegin(); limb != magnitude.rend(); ++limb) {
    const std::uint64_t current = (remainder << 32) | *limb;
    *limb = static_cast<std::uint32_t>(current / divisor);
    remainder = current % divisor;
  }
  trim(magnitude);
  return static_cast<std::uint32_t>(remainder);
}

// The magnitude as little-endian bytes, `size` of them (zero-extended).
Bytes magnitude_bytes(const std::vector<std::uint32_t>& magnitude, std::size_t size) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size && i / 4 < magnitude.size(); ++i) {
    bytes[i] = static_cast<std::byte>(magnitude[i / 4] >> (8 * (i % 4)));
  }
  return bytes;
}

// Two's complement negation in place: invert, add one.
void negate(Bytes& bytes) {
  bool carry = true;
  for (std::byte& byte : bytes) {
    const unsigned sum = static_cast<unsigned>(~std::to_integer<unsigned>(byte) & 0xffu) + carry;
    byte = static_cast<std::byte>(sum);
    carry = sum > 0xffu;
  }
}

}  // namespace

BigInt::BigInt(std::int64_t number) : negative_(number < 0) {
  // Through uint64: the magnitude of INT64_MIN does not fit in int64.
  std::uint64_t magnitude =
      negative_ ? 0 - static_cast<std::uint64_t>(number) : static_cast<std::uint64_t>(number);
  while (magnitude != 0) {
    magnitude_.push_back(static_cast<std::uint32_t>(magnitude));
    magnitude >>= 32;
  }
}

BigInt BigInt::from_string(std::string_view decimal) {
  std::string_view digits = decimal;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw SerializationError("not a decimal integer: '" + std::string(decimal.substr(0, 40)) +
                             (decimal.size() > 40 ? "...'" : "'"));
  }
  std::vector<std::uint32_t> magnitude;
  // The first chunk takes the odd digits, so that each later one has nine.
  std::size_t chunk = digits.size() % kDigitsPerChunk;
  if (chunk == 0) chunk = kDigitsPerChunk;
  for (std::size_t at = 0; at < digits.size(); at += chunk, chunk = kDigitsPerChunk) {
    std::uint32_t value = 0;
    std::uint32_t scale = 1;
    for (char c : digits.substr(at, chunk)) {
      value = value * 10 + static_cast<std::uint32_t>(c - '0');
      scale *= 10;
    }
    multiply_add(magnitude, scale, value);
  }
  trim(magnitude);
  return from_magnitude(negative, std::move(magnitude));
}

BigInt BigInt::from_twos_complement(std::span<const std::byte> little_endian) {
  if (little_endian.empty()) return BigInt();
  Bytes bytes(little_endian.begin(), little_endian.end());
  const bool negative = (std::to_integer<unsigned>(bytes.back()) & 0x80u) != 0;
  if (negative) negate(bytes);
  std::vector<std::uint32_t> magnitude((bytes.size() + 3) / 4);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    magnitude[i / 4] |= std::to_integer<std::uint32_t>(bytes[i]) << (8 * (i % 4));
  }
  trim(magnitude);
  return from_magnitude(negative, std::move(magnitude));
}

BigInt BigInt::from_magnitude(bool negative, std::vector<std::uint32_t> magnitude) {
  BigInt number;
  number.negative_ = negative && !magnitude.empty();
  number.magnitude_ = std::move(magnitude);
  return number;
}

std::string BigInt::to_string() const {
  if (magnitude_.empty()) return "0";
  std::vector<std::uint32_t> rest = magnitude_;
  std::string reversed;
  while (!rest.empty()) {
    std::uint32_t chunk = divide(rest, kDecimalChunk);
    for (int i = 0; i < kDigitsPerChunk && (chunk != 0 || !rest.empty()); ++i) {
      reversed += static_cast<char>('0' + chunk % 10);
      chunk /= 10;
    }
  }
  if (negative_) reversed += '-';
  return std::string(reversed.rbegin(), reversed.rend());
}

Bytes BigInt::twos_complement() const {
  if (magnitude_.empty()) return {};
  // One byte more than the magnitude needs leaves room for the sign bit.
  Bytes bytes = magnitude_bytes(magnitude_, bit_length() / 8 + 1);
  if (negative_) {
    negate(bytes);
    // -128 needs one byte, not ff 80: drop a top byte that only repeats
    // the sign, as Python's pickler does.
    if (bytes.size() > 1 && bytes.back() == std::byte{0xff} &&
        (std::to_integer<unsigned>(bytes[bytes.size() - 2]) & 0x80u) != 0) {
      bytes.pop_back();
    }
  }
  return bytes;
}

namespace {
// The magnitude as one number, if it has at most 64 bits.
std::optional<std::uint64_t> magnitude64(const std::vector<std::uint32_t>& limbs) noexcept {
  if (limbs.size() > 2) return std::nullopt;
  std::uint64_t magnitude = 0;
  for (std::size_t i = limbs.size(); i-- > 0;) magnitude = (magnitude << 32) | limbs[i];
  return magnitude;
}
}  // namespace

std::optional<std::uint64_t> BigInt::to_uint64() const noexcept {
  if (negative_) return std::nullopt;
  return magnitude64(magnitude_);
}

std::optional<std::int64_t> BigInt::to_int64() const noexcept {
  const std::optional<std::uint64_t> magnitude = magnitude64(magnitude_);
  if (!magnitude) return std::nullopt;
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;  // |INT64_MIN|
  if (negative_) {
    if (*magnitude > kLimit) return std::nullopt;
    return static_cast<std::int64_t>(0 - *magnitude);
  }
  if (*magnitude >= kLimit) return std::nullopt;
  return static_cast<std::int64_t>(*magnitude);
}

std::size_t BigInt::bit_length() const noexcept {
  if (magnitude_.empty()) return 0;
  return (magnitude_.size() - 1) * 32 + static_cast<std::size_t>(std::bit_width(magnitude_.back()));
}

std::strong_ordering operator<=>(const BigInt& a, const BigInt& b) noexcept {
  if (a.negative_ != b.negative_) {
    return a.negative_ ? std::strong_ordering::less : std::strong_ordering::greater;
  }
  std::strong_ordering magnitude = a.magnitude_.size() <=> b.magnitude_.size();
  for (std::size_t i = a.magnitude_.size(); magnitude == 0 && i-- > 0;) {
    magnitude = a.magnitude_[i] <=> b.magnitude_[i];
  }
  return a.negative_ ? 0 <=> magnitude : magnitude;
}

}  // namespace diskcache
