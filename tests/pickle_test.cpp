// diskcache::pickle: the codec on its own, without Python (the fixtures
// are what CPython 3.11 writes; tests/python/pickle_fixtures.py prints
// them). pickle_interop_test.cpp checks it against live Python.
#include "diskcache/pickle.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace diskcache {

void PrintTo(const Value& value, std::ostream* out) { *out << value.short_repr(); }

namespace {

using namespace std::string_literals;

// --- helpers -------------------------------------------------------------------

Bytes from_hex(std::string_view hex) {
  Bytes bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

Value load(std::string_view pickle, bool keep_objects = false) {
  return pickle::loads(pickle, {.keep_objects = keep_objects});
}

// The message of the SerializationError loading `pickle` throws ("" if none).
std::string refusal(std::string_view pickle) {
  try {
    load(pickle);
  } catch (const SerializationError& error) {
    return error.what();
  }
  ADD_FAILURE() << "loads accepted " << testing::PrintToString(pickle);
  return "";
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Mirrors ASSORTMENT in tests/python/pickle_fixtures.py.
Value assortment() {
  return List{
      nullptr,
      true,
      false,
      0,
      -1,
      255,
      256,
      65536,
      std::int64_t{INT32_MIN},
      std::int64_t{1} << 31,
      BigInt::from_string("9223372036854775808"),
      BigInt::from_string("-1180591620717411303424"),
      1.5,
      -0.0,
      std::numeric_limits<double>::infinity(),
      "",
      "a",
      "\u00e9\u20ac\U0001F600",
      "it's",
      Bytes{},
      to_bytes("\x00\xff"s),
      ByteArray(to_bytes("ab")),
      Tuple{},
      Tuple{1},
      Tuple{1, 2},
      Tuple{1, 2, 3},
      Tuple{1, 2, 3, 4},
      List{},
      List{1},
      Dict{},
      Dict{{"k", List{1, 2}}},
      Set{},
      Set{3},
      FrozenSet{},
      FrozenSet{4},
  };
}

// kDumps[protocol]
const char* const kDumps[] = {
    "286c70300a4e614930310a614930300a6149300a61492d310a61493235350a61493235360a614936"
    "353533360a61492d323134373438333634380a614c323134373438333634384c0a614c3932323333"
    "37323033363835343737353830384c0a614c2d313138303539313632303731373431313330333432"
    "344c0a6146312e350a61462d302e300a6146696e660a61560a70310a6156610a70320a6156e95c75"
    "323061635c5530303031663630300a70330a6156697427730a70340a61635f5f6275696c74696e5f"
    "5f0a62797465730a70350a28745270360a61635f636f646563730a656e636f64650a70370a28565c"
    "7530303030ff0a70380a566c6174696e310a70390a747031300a527031310a61635f5f6275696c74"
    "696e5f5f0a6279746561727261790a7031320a2867370a285661620a7031330a67390a747031340a"
    "527031350a747031360a527031370a612874612849310a747031380a612849310a49320a74703139"
    "0a612849310a49320a49330a747032300a612849310a49320a49330a49340a747032310a61286c70"
    "32320a61286c7032330a49310a616128647032340a6128647032350a566b0a7032360a286c703237"
    "0a49310a6149320a617361635f5f6275696c74696e5f5f0a7365740a7032380a28286c7032390a74"
    "7033300a527033310a616732380a28286c7033320a49330a61747033330a527033340a61635f5f62"
    "75696c74696e5f5f0a66726f7a656e7365740a7033350a28286c7033360a747033370a527033380a"
    "616733350a28286c7033390a49340a61747034300a527034310a612e",
    "5d7100284e4930310a4930300a4b004affffffff4bff4d00014a000001004a000000804c32313437"
    "3438333634384c0a4c393232333337323033363835343737353830384c0a4c2d3131383035393136"
    "32303731373431313330333432344c0a473ff8000000000000478000000000000000477ff0000000"
    "0000005800000000710158010000006171025809000000c3a9e282acf09f98807103580400000069"
    "7427737104635f5f6275696c74696e5f5f0a62797465730a710529527106635f636f646563730a65"
    "6e636f64650a710728580300000000c3bf710858060000006c6174696e31710974710a52710b635f"
    "5f6275696c74696e5f5f0a6279746561727261790a710c2868072858020000006162710d68097471"
    "0e52710f74711052711129284b01747112284b014b02747113284b014b024b03747114284b014b02"
    "4b034b047471155d71165d71174b01617d71187d711958010000006b711a5d711b284b014b026573"
    "635f5f6275696c74696e5f5f0a7365740a711c285d711d74711e52711f681c285d71204b03617471"
    "21527122635f5f6275696c74696e5f5f0a66726f7a656e7365740a7123285d712474712552712668"
    "23285d71274b0461747128527129652e",
    "80025d7100284e88894b004affffffff4bff4d00014a000001004a000000808a0500000080008a09"
    "0000000000000080008a090000000000000000c0473ff8000000000000478000000000000000477f"
    "f00000000000005800000000710158010000006171025809000000c3a9e282acf09f988071035804"
    "000000697427737104635f5f6275696c74696e5f5f0a62797465730a710529527106635f636f6465"
    "63730a656e636f64650a7107580300000000c3bf710858060000006c6174696e31710986710a5271"
    "0b635f5f6275696c74696e5f5f0a6279746561727261790a710c680758020000006162710d680986"
    "710e52710f857110527111294b018571124b014b028671134b014b024b03877114284b014b024b03"
    "4b047471155d71165d71174b01617d71187d711958010000006b711a5d711b284b014b026573635f"
    "5f6275696c74696e5f5f0a7365740a711c5d711d85711e52711f681c5d71204b0361857121527122"
    "635f5f6275696c74696e5f5f0a66726f7a656e7365740a71235d712485712552712668235d71274b"
    "0461857128527129652e",
    "80035d7100284e88894b004affffffff4bff4d00014a000001004a000000808a0500000080008a09"
    "0000000000000080008a090000000000000000c0473ff8000000000000478000000000000000477f"
    "f00000000000005800000000710158010000006171025809000000c3a9e282acf09f988071035804"
    "00000069742773710443007105430200ff7106636275696c74696e730a6279746561727261790a71"
    "0743026162710885710952710a294b0185710b4b014b0286710c4b014b024b0387710d284b014b02"
    "4b034b0474710e5d710f5d71104b01617d71117d711258010000006b71135d7114284b014b026573"
    "636275696c74696e730a7365740a71155d711685711752711868155d71194b036185711a52711b63"
    "6275696c74696e730a66726f7a656e7365740a711c5d711d85711e52711f681c5d71204b04618571"
    "21527122652e",
    "800495e0000000000000005d94284e88894b004affffffff4bff4d00014a000001004a000000808a"
    "0500000080008a090000000000000080008a090000000000000000c0473ff8000000000000478000"
    "000000000000477ff00000000000008c00948c0161948c09c3a9e282acf09f9880948c0469742773"
    "94430094430200ff948c086275696c74696e73948c09627974656172726179949394430261629485"
    "945294294b0185944b014b0286944b014b024b038794284b014b024b034b0474945d945d944b0161"
    "7d947d948c016b945d94284b014b0265738f948f94284b0390289194284b049194652e",
    "800595ca000000000000005d94284e88894b004affffffff4bff4d00014a000001004a000000808a"
    "0500000080008a090000000000000080008a090000000000000000c0473ff8000000000000478000"
    "000000000000477ff00000000000008c00948c0161948c09c3a9e282acf09f9880948c0469742773"
    "94430094430200ff94960200000000000000616294294b0185944b014b0286944b014b024b038794"
    "284b014b024b034b0474945d945d944b01617d947d948c016b945d94284b014b0265738f948f9428"
    "4b0390289194284b049194652e",
};
// kKeys[protocol]
const char* const kKeys[] = {
    "286c4e614930310a614930300a6149300a61492d310a61493235350a61493235360a614936353533"
    "360a61492d323134373438333634380a614c323134373438333634384c0a614c3932323333373230"
    "33363835343737353830384c0a614c2d313138303539313632303731373431313330333432344c0a"
    "6146312e350a61462d302e300a6146696e660a61560a6156610a6156e95c75323061635c55303030"
    "31663630300a6156697427730a61635f5f6275696c74696e5f5f0a62797465730a28745261635f63"
    "6f646563730a656e636f64650a70300a28565c7530303030ff0a566c6174696e310a70310a745261"
    "635f5f6275696c74696e5f5f0a6279746561727261790a2867300a285661620a67310a7452745261"
    "2874612849310a74612849310a49320a74612849310a49320a49330a74612849310a49320a49330a"
    "49340a7461286c61286c49310a61612864612864566b0a286c49310a6149320a617361635f5f6275"
    "696c74696e5f5f0a7365740a70320a28286c74526167320a28286c49330a61745261635f5f627569"
    "6c74696e5f5f0a66726f7a656e7365740a70330a28286c74526167330a28286c49340a617452612e",
    "5d284e4930310a4930300a4b004affffffff4bff4d00014a000001004a000000804c323134373438"
    "333634384c0a4c393232333337323033363835343737353830384c0a4c2d31313830353931363230"
    "3731373431313330333432344c0a473ff8000000000000478000000000000000477ff00000000000"
    "0058000000005801000000615809000000c3a9e282acf09f9880580400000069742773635f5f6275"
    "696c74696e5f5f0a62797465730a2952635f636f646563730a656e636f64650a7100285803000000"
    "00c3bf58060000006c6174696e3171017452635f5f6275696c74696e5f5f0a627974656172726179"
    "0a286800285802000000616268017452745229284b0174284b014b0274284b014b024b0374284b01"
    "4b024b034b04745d5d4b01617d7d58010000006b5d284b014b026573635f5f6275696c74696e5f5f"
    "0a7365740a7102285d74526802285d4b03617452635f5f6275696c74696e5f5f0a66726f7a656e73"
    "65740a7103285d74526803285d4b04617452652e",
    "80025d284e88894b004affffffff4bff4d00014a000001004a000000808a0500000080008a090000"
    "000000000080008a090000000000000000c0473ff8000000000000478000000000000000477ff000"
    "000000000058000000005801000000615809000000c3a9e282acf09f988058040000006974277363"
    "5f5f6275696c74696e5f5f0a62797465730a2952635f636f646563730a656e636f64650a71005803"
    "00000000c3bf58060000006c6174696e3171018652635f5f6275696c74696e5f5f0a627974656172"
    "7261790a680058020000006162680186528552294b01854b014b02864b014b024b0387284b014b02"
    "4b034b04745d5d4b01617d7d58010000006b5d284b014b026573635f5f6275696c74696e5f5f0a73"
    "65740a71025d855268025d4b03618552635f5f6275696c74696e5f5f0a66726f7a656e7365740a71"
    "035d855268035d4b04618552652e",
    "80035d284e88894b004affffffff4bff4d00014a000001004a000000808a0500000080008a090000"
    "000000000080008a090000000000000000c0473ff8000000000000478000000000000000477ff000"
    "000000000058000000005801000000615809000000c3a9e282acf09f988058040000006974277343"
    "00430200ff636275696c74696e730a6279746561727261790a430261628552294b01854b014b0286"
    "4b014b024b0387284b014b024b034b04745d5d4b01617d7d58010000006b5d284b014b0265736362"
    "75696c74696e730a7365740a71005d855268005d4b03618552636275696c74696e730a66726f7a65"
    "6e7365740a71015d855268015d4b04618552652e",
    "800495c5000000000000005d284e88894b004affffffff4bff4d00014a000001004a000000808a05"
    "00000080008a090000000000000080008a090000000000000000c0473ff800000000000047800000"
    "0000000000477ff00000000000008c008c01618c09c3a9e282acf09f98808c046974277343004302"
    "00ff8c086275696c74696e738c0962797465617272617993430261628552294b01854b014b02864b"
    "014b024b0387284b014b024b034b04745d5d4b01617d7d8c016b5d284b014b0265738f8f284b0390"
    "2891284b0491652e",
    "800595b4000000000000005d284e88894b004affffffff4bff4d00014a000001004a000000808a05"
    "00000080008a090000000000000080008a090000000000000000c0473ff800000000000047800000"
    "0000000000477ff00000000000008c008c01618c09c3a9e282acf09f98808c046974277343004302"
    "00ff9602000000000000006162294b01854b014b02864b014b024b0387284b014b024b034b04745d"
    "5d4b01617d7d8c016b5d284b014b0265738f8f284b03902891284b0491652e",
};

// --- every protocol ------------------------------------------------------------

TEST(PickleTest, LoadsWhatPythonWritesAtEveryProtocol) {
  for (int protocol = 0; protocol <= 5; ++protocol) {
    EXPECT_EQ(pickle::loads(from_hex(kDumps[protocol])), assortment()) << "protocol " << protocol;
    EXPECT_EQ(pickle::loads(from_hex(kKeys[protocol])), assortment()) << "protocol " << protocol;
  }
}

TEST(PickleTest, DumpsWhatPythonWritesAtEveryProtocol) {
  for (int protocol = 0; protocol <= 5; ++protocol) {
    EXPECT_EQ(pickle::dumps(assortment(), protocol), from_hex(kDumps[protocol]))
        << "protocol " << protocol;
  }
}

TEST(PickleTest, DumpsKeyIsPythonDiskcachesKeyAtEveryProtocol) {
  for (int protocol = 0; protocol <= 5; ++protocol) {
    EXPECT_EQ(pickle::dumps_key(assortment(), protocol), from_hex(kKeys[protocol]))
        << "protocol " << protocol;
  }
}

TEST(PickleTest, KeysAreThoseOfPythonDiskcache) {
  // pickletools.optimize(pickle.dumps(key, 5)) for each key.
  EXPECT_EQ(pickle::dumps_key(Tuple{1, "a"}), from_hex("80059507000000000000004b018c0161862e"));
  EXPECT_EQ(pickle::dumps_key(true), from_hex("8005882e"));
  EXPECT_EQ(pickle::dumps_key(Value()), from_hex("80054e2e"));
  EXPECT_EQ(pickle::dumps_key(BigInt::from_string("18446744073709551616")),
            from_hex("8005950c000000000000008a090000000000000000012e"));
  EXPECT_EQ(pickle::dumps_key(FrozenSet{1, 2}), from_hex("8005950700000000000000284b014b02912e"));
  EXPECT_EQ(pickle::dumps_key(Tuple{Tuple{}, List{}, Dict{}}),
            from_hex("8005950500000000000000295d7d872e"));
}

TEST(PickleTest, KeysShareWhatCPythonShares) {
  // CPython keeps one object for '' and each one-character str below
  // U+0100 (and for b'' and each one-byte bytes): the second is a GET.
  EXPECT_EQ(pickle::dumps_key(Tuple{"a", "a"}), from_hex("80059508000000000000008c0161946800862e"));
  const Bytes twice = pickle::dumps_key(Tuple{"ab", "ab"});
  EXPECT_EQ(twice, from_hex("8005950a000000000000008c0261628c026162862e"));
  EXPECT_EQ(pickle::loads(twice), (Tuple{"ab", "ab"}));
}

TEST(PickleTest, RoundTripsEveryKindAtEveryProtocol) {
  const Value nested = Dict{
      {Tuple{1, "x", FrozenSet{2.5, Bytes{}}},
       List{Set{true, BigInt::from_string("-1" + std::string(60, '0'))}}},
      {"deep", List{List{List{Dict{{1, ByteArray(to_bytes("\x00"s))}}}}}},
      {false, std::numeric_limits<double>::quiet_NaN()},
  };
  for (int protocol = 0; protocol <= 5; ++protocol) {
    EXPECT_EQ(pickle::loads(pickle::dumps(nested, protocol)), nested) << protocol;
    EXPECT_EQ(pickle::loads(pickle::dumps_key(nested, protocol)), nested) << protocol;
    EXPECT_EQ(pickle::loads(pickle::dumps(assortment(), protocol)), assortment()) << protocol;
  }
}

TEST(PickleTest, LargeStrBytesAndIntsRoundTripOutsideFrames) {
  const Value large = Tuple{std::string(70'000, 'x'), Bytes(65'536, std::byte{7}),
                            ByteArray(Bytes(100'000, std::byte{1})),
                            BigInt::from_twos_complement(Bytes(300, std::byte{0x55}))};
  for (int protocol = 0; protocol <= 5; ++protocol) {
    EXPECT_EQ(pickle::loads(pickle::dumps(large, protocol)), large) << protocol;
  }
}

// --- opcode families -------------------------------------------------------------

TEST(PickleTest, IntegersOfEveryOpcode) {
  EXPECT_EQ(load("I42\n."), Value(42));
  EXPECT_EQ(load("I-7\n."), Value(-7));
  EXPECT_EQ(load("I01\n.").kind(), Value::Kind::Bool);  // INT's True
  EXPECT_EQ(load("I00\n."), Value(false));
  EXPECT_EQ(load("I99999999999999999999\n."), Value(BigInt::from_string("99999999999999999999")));
  EXPECT_EQ(load("L12L\n."), Value(12));
  EXPECT_EQ(load("L-123456789012345678901234567890L\n."),
            Value(BigInt::from_string("-123456789012345678901234567890")));
  EXPECT_EQ(load("J\xff\xff\xff\xff."s), Value(-1));
  EXPECT_EQ(load("K\xff."s), Value(255));
  EXPECT_EQ(load("M\x00\x01."s), Value(256));
  EXPECT_EQ(load("\x80\x02\x8a\x00."s), Value(0));  // LONG1 of no bytes
  EXPECT_EQ(load("\x80\x02\x8a\x01\x80."s), Value(-128));
  EXPECT_EQ(load("\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00."s),
            Value(BigInt::from_string("9223372036854775808")));
  EXPECT_EQ(load("\x80\x02\x8b\x02\x00\x00\x00\xff\x7f."s), Value(32767));  // LONG4
  EXPECT_EQ(load("\x80\x02\x88."s), Value(true));
  EXPECT_EQ(load("\x80\x02\x89."s), Value(false));
}

TEST(PickleTest, BigIntegersKeepEveryDigit) {
  const std::string digits = "-" + std::string(4300, '9');
  const Value number = load("L" + digits + "L\n.");
  ASSERT_EQ(number.kind(), Value::Kind::BigInt);
  EXPECT_EQ(number.get_if<BigInt>()->to_string(), digits);
  EXPECT_EQ(number.repr(), digits);
  EXPECT_EQ(pickle::loads(pickle::dumps(number)), number);
  EXPECT_TRUE(mentions(refusal("L1" + std::string(4300, '0') + "\n."), "4300 digits"));
}

TEST(PickleTest, FloatsOfEveryOpcode) {
  EXPECT_EQ(load("F1.5\n."), Value(1.5));
  EXPECT_EQ(load("F1e+16\n."), Value(1e16));
  EXPECT_TRUE(std::isinf(load("Finf\n.").as<double>()));
  EXPECT_TRUE(std::isnan(load("Fnan\n.").as<double>()));
  EXPECT_EQ(load("G?\xf8\x00\x00\x00\x00\x00\x00."s), Value(1.5));
  EXPECT_TRUE(std::signbit(load("G\x80\x00\x00\x00\x00\x00\x00\x00."s).as<double>()));
  EXPECT_TRUE(mentions(refusal("F1e999\n."), "not a float"));
}

TEST(PickleTest, TextOfEveryOpcode) {
  EXPECT_EQ(load("Va\\u20ac\\U0001f600\xe9\n."s), Value("a\u20ac\U0001F600\u00e9"));
  EXPECT_EQ(load("V\\\\u20ac\n."),
            Value("\\\\u20ac"));  // an even run of backslashes escapes nothing
  EXPECT_EQ(load("X\x03\x00\x00\x00"
                 "abc."s),
            Value("abc"));
  EXPECT_EQ(load("\x8c\x02\xc3\xa9."s), Value("\u00e9"));
  EXPECT_EQ(load("\x8d\x01\x00\x00\x00\x00\x00\x00\x00z."s), Value("z"));
  // Python 2's str, read as Python 3 does (encoding='ASCII').
  EXPECT_EQ(load("S'it\\'s\\n\\x41\\101'\n."), Value("it's\nAA"));
  EXPECT_EQ(load("T\x02\x00\x00\x00hi."s), Value("hi"));
  EXPECT_EQ(load("U\x02hi."s), Value("hi"));
  EXPECT_TRUE(mentions(refusal("U\x01\xe9."s), "ASCII"));
  EXPECT_TRUE(mentions(refusal("X\x01\x00\x00\x00\xff."s), "not UTF-8"));
  EXPECT_TRUE(mentions(refusal("\x8c\x03\xed\xa0\x80."s), "surrogate"));
  EXPECT_TRUE(mentions(refusal("V\\ud800\n."), "surrogate"));
  EXPECT_TRUE(mentions(refusal("Vab\\u12\n."), "truncated"));
  EXPECT_TRUE(mentions(refusal("Sabc\n."), "quoted"));
}

TEST(PickleTest, BytesOfEveryOpcode) {
  EXPECT_EQ(load("C\x02\x00\xff."s), Value(to_bytes("\x00\xff"s)));
  EXPECT_EQ(load("B\x01\x00\x00\x00z."s), Value(to_bytes("z")));
  EXPECT_EQ(load("\x8e\x01\x00\x00\x00\x00\x00\x00\x00z."s), Value(to_bytes("z")));
  EXPECT_EQ(load("\x96\x01\x00\x00\x00\x00\x00\x00\x00z."s), Value(ByteArray(to_bytes("z"))));
  // Protocols 0 to 2 call _codecs.encode and builtins.bytes: read as data.
  EXPECT_EQ(load("c_codecs\nencode\n(V\xe9\nVlatin1\ntR."s), Value(to_bytes("\xe9"s)));
  EXPECT_EQ(load("c__builtin__\nbytes\n(tR."), Value(Bytes{}));
  EXPECT_EQ(load("c__builtin__\nbytearray\n(Vab\nVlatin-1\ntR."), Value(ByteArray(to_bytes("ab"))));
  EXPECT_TRUE(mentions(refusal("c_codecs\nencode\n(V\\u20ac\nVlatin1\ntR."), "Latin-1"));
}

TEST(PickleTest, ContainersOfEveryOpcode) {
  EXPECT_EQ(load("(I1\nI2\nt."), (Tuple{1, 2}));
  EXPECT_EQ(load(")."), Value(Tuple{}));
  EXPECT_EQ(load("\x80\x02K\x01K\x02K\x03\x87."s), (Tuple{1, 2, 3}));
  EXPECT_EQ(load("(lI1\naI2\na."), (List{1, 2}));
  EXPECT_EQ(load("](K\x01K\x02"
                 "e."s),
            (List{1, 2}));
  EXPECT_EQ(load("(dVa\nI1\nsVb\nI2\ns."), (Dict{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(load("(Va\nI1\nd."), (Dict{{"a", 1}}));
  EXPECT_EQ(load("}(K\x01K\x02K\x03K\x04u."s), (Dict{{1, 2}, {3, 4}}));
  EXPECT_EQ(load("\x80\x04\x8f(K\x01K\x02\x90."s), (Set{1, 2}));
  EXPECT_EQ(load("\x80\x04(K\x01\x91."s), (FrozenSet{1}));
  EXPECT_EQ(load("c__builtin__\nset\n((lI1\natR."), (Set{1}));
  EXPECT_EQ(load("cbuiltins\nfrozenset\n(]tR."), (FrozenSet{}));
}

TEST(PickleTest, InsertionOrderIsKept) {
  const Value dict = load("}(K\x03K\x00K\x01K\x00K\x02K\x00u."s);
  std::vector<Value> keys;
  for (const auto& [key, value] : dict.as<Dict>()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<Value>{3, 1, 2}));
  EXPECT_EQ(load("\x8f(K\x03K\x01\x90."s).repr(), "{3, 1}");
}

TEST(PickleTest, DuplicateKeysKeepTheFirstPlaceAndTheLastValue) {
  // As Python's dict: {1: 'a', True: 'b', 2: 'c'} is {1: 'b', 2: 'c'}.
  EXPECT_EQ(load("(dI1\nVa\nsI01\nVb\nsI2\nVc\ns.").repr(), "{1: 'b', 2: 'c'}");
  EXPECT_EQ(load("(dI1\nVa\nsF1.0\nVb\ns.").repr(), "{1: 'b'}");
  EXPECT_EQ(load("\x8f(K\x01\x88K\x02\x90."s).repr(), "{1, 2}");
}

TEST(PickleTest, MemoOfEveryOpcode) {
  EXPECT_EQ(load("(Va\np7\ng7\nt."), (Tuple{"a", "a"}));
  EXPECT_EQ(load("(X\x01\x00\x00\x00"
                 "aq\x05h\x05t."s),
            (Tuple{"a", "a"}));
  EXPECT_EQ(load("(X\x01\x00\x00\x00"
                 "ar\x00\x00\x01\x00j\x00\x00\x01\x00t."s),
            (Tuple{"a", "a"}));
  EXPECT_EQ(load("\x80\x04(\x8c\x01"
                 "a\x94\x8c\x01"
                 "b\x94h\x00h\x01t."s),
            (Tuple{"a", "b", "a", "b"}));
  EXPECT_TRUE(mentions(refusal("h\x00."s), "memo has no entry 0"));
  EXPECT_TRUE(mentions(refusal("p0\n."), "stack is empty"));
}

TEST(PickleTest, SharedListsSeeLaterChanges) {
  // outer = []; a = []; outer.append(a); outer.append(a); a.append(5)
  EXPECT_EQ(load("\x80\x05]]q\x00"
                 "ah\x00"
                 "ah\x00K\x05"
                 "a0."s),
            (List{List{5}, List{5}}));
}

TEST(PickleTest, StackOpcodes) {
  EXPECT_EQ(load("K\x01K\x02"
                 "0."s),
            Value(1));  // POP
  EXPECT_EQ(load("K\x01(K\x02K\x03"
                 "1."s),
            Value(1));                     // POP_MARK
  EXPECT_EQ(load("(0K\x07."s), Value(7));  // POP of a MARK
  EXPECT_EQ(load("K\x09"
                 "2\x86."s),
            (Tuple{9, 9}));                                                     // DUP
  EXPECT_EQ(load("\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00N."s), Value());  // FRAME
}

// --- what is refused -------------------------------------------------------------

TEST(PickleTest, EveryOpcodeThatRunsCodeIsRefusedByName) {
  const std::vector<std::pair<std::string, std::string>> hostile = {
      {"GLOBAL", "cos\nsystem\n(S'echo pwned'\ntR."},
      {"STACK_GLOBAL", "\x80\x04\x8c\x02os\x8c\x06system\x93."s},
      {"REDUCE", "c__builtin__\nset\n(I1\ntR."},
      {"BUILD", "\x80\x02}}b."s},
      {"INST", "(S'ls'\nios\nsystem\n."},
      {"OBJ", "(c__builtin__\nset\no."},
      {"NEWOBJ",
       "\x80\x02"
       "c__builtin__\nset\n)\x81."s},
      {"NEWOBJ_EX",
       "\x80\x04"
       "c__builtin__\nset\n)}\x92."s},
      {"EXT1", "\x80\x02\x82\x01."s},
      {"EXT2", "\x80\x02\x83\x01\x00."s},
      {"EXT4", "\x80\x02\x84\x01\x00\x00\x00."s},
      {"PERSID", "Pfile\n."},
      {"BINPERSID", "K\x01Q."s},
      {"NEXT_BUFFER", "\x80\x05\x97."s},
      {"READONLY_BUFFER", "\x80\x05N\x98."s},
  };
  for (const auto& [opcode, pickle] : hostile) {
    const std::string message = refusal(pickle);
    EXPECT_TRUE(mentions(message, opcode + " at byte")) << opcode << ": " << message;
  }
  EXPECT_TRUE(mentions(refusal("cos\nsystem\n(S'echo pwned'\ntR."), "os.system"));
  EXPECT_TRUE(mentions(refusal("(S'ls'\nios\nsystem\n."), "os.system"));
  EXPECT_TRUE(mentions(refusal("c__builtin__\nset\n(I1\ntR."), "builtins.set"));
}

TEST(PickleTest, AGlobalIsNeverData) {
  // pickle.dumps(set): the class itself.
  EXPECT_TRUE(mentions(refusal("c__builtin__\nset\n."), "builtins.set"));
  EXPECT_TRUE(mentions(refusal("(c__builtin__\nset\nl."), "GLOBAL at byte 1"));
}

TEST(PickleTest, CallsPythonNeverWritesAreRefused) {
  // bytearray(10**9) would allocate a gigabyte in Python.
  EXPECT_TRUE(mentions(refusal("c__builtin__\nbytearray\n(I1000000000\ntR."), "REDUCE"));
  EXPECT_TRUE(mentions(refusal("c__builtin__\nbytes\n(I5\ntR."), "REDUCE"));
  EXPECT_TRUE(mentions(refusal("c_codecs\nencode\n(Vx\nVutf-8\ntR."), "REDUCE"));
}

TEST(PickleTest, AnObjectIsKeptWholeWhenAsked) {
  // pickle.dumps(datetime.date(2020, 1, 2), 5)
  const Bytes date = from_hex(
      "80059520000000000000008c086461746574696d65948c0464617465949394430407e4010294859452942e");
  const Value object = pickle::loads(date, {.keep_objects = true});
  ASSERT_EQ(object.kind(), Value::Kind::Object);
  EXPECT_EQ(object.get_if<PickledObject>()->class_name(), "datetime.date");
  EXPECT_EQ(object.get_if<PickledObject>()->pickle(), date);
  EXPECT_EQ(object.repr(), "<pickled datetime.date>");
  EXPECT_EQ(pickle::dumps(object), date);
  EXPECT_EQ(pickle::dumps_key(object), date);
  try {
    object.as<std::int64_t>();
    FAIL() << "as<> of an object";
  } catch (const SerializationError& error) {
    EXPECT_TRUE(mentions(error.what(), "datetime.date")) << error.what();
  }
  EXPECT_THROW(pickle::dumps(List{object}), SerializationError);
  // Without keep_objects: refused, naming the class.
  EXPECT_TRUE(
      mentions(refusal(std::string(reinterpret_cast<const char*>(date.data()), date.size())),
               "datetime.date"));
  // Kept objects must still be well-formed pickles.
  Bytes cut(date.begin(), date.end() - 1);
  EXPECT_THROW(pickle::loads(cut, {.keep_objects = true}), SerializationError);
}

// --- malformed and hostile input -----------------------------------------------

TEST(PickleTest, EveryTruncationIsASerializationError) {
  for (int protocol = 0; protocol <= 5; ++protocol) {
    const Bytes whole = from_hex(kDumps[protocol]);
    for (std::size_t size = 0; size < whole.size(); ++size) {
      EXPECT_THROW(pickle::loads(std::span(whole.data(), size)), SerializationError)
          << "protocol " << protocol << ", first " << size << " bytes";
    }
  }
}

TEST(PickleTest, MalformedPicklesAreSerializationErrors) {
  EXPECT_TRUE(mentions(refusal("\xff."s), "unknown opcode 0xff at byte 0"));
  EXPECT_TRUE(mentions(refusal("N.N"), "1 bytes after the end"));
  EXPECT_TRUE(mentions(refusal("NN."), "2 objects on the stack"));
  EXPECT_TRUE(mentions(refusal("(N."), "MARK is left open"));
  EXPECT_TRUE(mentions(refusal("."), "0 objects on the stack"));
  EXPECT_TRUE(mentions(refusal("t."), "no MARK"));
  EXPECT_TRUE(mentions(refusal("K\x01K\x02"
                               "a."s),
                       "appends to something other than a list"));
  EXPECT_TRUE(mentions(refusal("K\x01s."s), "needs 2 objects"));
  EXPECT_TRUE(mentions(refusal("}(K\x01u."s), "a key without a value"));
  EXPECT_TRUE(mentions(refusal("\x80\x06N."s), "unsupported protocol 6"));
  EXPECT_TRUE(mentions(refusal("Iabc\n."), "not a decimal int"));
  EXPECT_TRUE(mentions(refusal("I010\n."), "not a decimal int"));
  EXPECT_TRUE(mentions(refusal("\x80\x02\x8b\xff\xff\xff\xff."s), "negative byte count"));
  EXPECT_TRUE(mentions(refusal("T\xff\xff\xff\xff."s), "negative byte count"));
  EXPECT_TRUE(mentions(refusal("\x95\x00\x01\x00\x00\x00\x00\x00\x00N."s), "a frame of"));
  EXPECT_TRUE(mentions(refusal("I5"), "a line without"));
}

TEST(PickleTest, LengthsAreCheckedBeforeAnyAllocation) {
  // Each claims far more bytes than follow: refused at once, not allocated.
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& bomb : {
           "\x8e\xff\xff\xff\xff\xff\xff\xff\x3f."s,  // BINBYTES8 of 2^62 bytes
           "\x96\xff\xff\xff\xff\xff\xff\xff\xff."s,  // BYTEARRAY8
           "\x8d\x00\x00\x00\x00\x00\x00\x00\x40."s,  // BINUNICODE8
           "X\xff\xff\xff\xff."s,                     // BINUNICODE of 4 GiB
           "\x80\x02\x8b\xff\xff\xff\x7f."s,          // LONG4 of 2 GiB
       }) {
    EXPECT_TRUE(mentions(refusal(bomb), "truncated")) << testing::PrintToString(bomb);
  }
  // A memo index of 2^32 - 1 is a hash entry, not a 32 GiB table.
  EXPECT_EQ(load("K\x07r\xff\xff\xff\xffj\xff\xff\xff\xff\x86."s), (Tuple{7, 7}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

std::string nested_lists(std::size_t depth) {
  // depth lists, each appended to the one before it.
  return std::string(depth, ']') + std::string(depth - 1, 'a') + ".";
}

TEST(PickleTest, NestingIsBoundedAt1000) {
  const Value deepest = load(nested_lists(kMaxNestingDepth));
  EXPECT_EQ(pickle::loads(pickle::dumps(deepest)), deepest);
  EXPECT_TRUE(mentions(refusal(nested_lists(kMaxNestingDepth + 1)), "nested more than 1000"));
  EXPECT_TRUE(mentions(refusal(nested_lists(100'000)), "nested more than 1000"));
  // A key counts: a dict holding a 1000-deep tuple as a key is 1001 deep.
  const std::string deep_tuple =
      std::string(kMaxNestingDepth, '(') + std::string(kMaxNestingDepth, 't');
  EXPECT_TRUE(mentions(refusal("}" + deep_tuple + "Ns."), "nested more than 1000"));
  Value too_deep = List{};
  for (std::size_t i = 0; i < kMaxNestingDepth; ++i) {
    List outer;
    outer.push_back(std::move(too_deep));
    too_deep = std::move(outer);
  }
  EXPECT_THROW(pickle::dumps(too_deep), SerializationError);
}

TEST(PickleTest, SharingThatWouldMultiplyIsRefused) {
  // A list of 100 zeros, then 9 lists of 100 references to the one before:
  // 10^20 elements once copied, in 2 kB.
  std::string bomb = "\x80\x04](" + std::string(100, '\x89') + "e\x94";
  for (int level = 0; level < 9; ++level) {
    bomb += "0](";  // POP the list before: it stays in the memo
    for (int i = 0; i < 100; ++i) bomb += "h"s + static_cast<char>(level);
    bomb += "e\x94";
  }
  bomb += ".";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(mentions(refusal(bomb), "once copied"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  // Modest sharing is fine: [[0] * 100] * 100 is 10,000 elements.
  std::string modest = "\x80\x04](" + std::string(100, '\x89') +
                       "e\x94"
                       "0](";
  for (int i = 0; i < 100; ++i) modest += "h\x00"s;
  modest += "e.";
  EXPECT_EQ(load(modest).size(), 100u);
}

TEST(PickleTest, SelfContainingStructuresAreRefused) {
  EXPECT_TRUE(mentions(refusal("]\x94h\x00"
                               "a."s),
                       "contains itself"));                                 // l = [l]
  EXPECT_TRUE(mentions(refusal("}\x94K\x01h\x00s."s), "contains itself"));  // d = {1: d}
}

TEST(PickleTest, KeysMustBeHashable) {
  EXPECT_TRUE(mentions(refusal("}]K\x01s."s), "unhashable type 'list'"));
  EXPECT_TRUE(mentions(refusal("\x8f(}\x90."s), "unhashable type 'dict'"));
  EXPECT_TRUE(mentions(refusal("(](t\x91."s), "unhashable type 'list'"));  // tuple holding a list
  EXPECT_TRUE(mentions(refusal("}\x96\x00\x00\x00\x00\x00\x00\x00\x00Ns."s),
                       "unhashable type 'bytearray'"));
}

TEST(PickleTest, TwoNaNKeysAreRefusedNotMerged) {
  // {float('nan'), float('nan')}: two objects Python keeps apart.
  const std::string nan = "G\x7f\xf8\x00\x00\x00\x00\x00\x00"s;
  EXPECT_TRUE(mentions(refusal("\x8f(" + nan + nan + "\x90."), "NaN"));
  EXPECT_EQ(load("\x8f(" + nan + "\x90.").size(), 1u);
}

TEST(PickleTest, DumpsRefusesWhatItCannotWrite) {
  // Protocols 0 and 1 write ints in decimal, which Python refuses past 4300
  // digits.
  const Value huge = BigInt::from_string(std::string(4301, '7'));
  EXPECT_THROW(pickle::dumps(huge, 0), SerializationError);
  EXPECT_THROW(pickle::dumps(huge, 1), SerializationError);
  EXPECT_EQ(pickle::loads(pickle::dumps(huge, 2)), huge);
  EXPECT_EQ(pickle::loads(pickle::dumps(BigInt::from_string(std::string(4300, '7')), 0)),
            Value(BigInt::from_string(std::string(4300, '7'))));
  EXPECT_THROW(pickle::dumps(1, 6), SerializationError);
  EXPECT_THROW(pickle::dumps(1, -1), SerializationError);
  EXPECT_THROW(pickle::dumps_key(1, 6), SerializationError);
}

}  // namespace
}  // namespace diskcache
