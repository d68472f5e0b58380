// diskcache::pickle: Python's pickle format for plain data, read and written
// without Python and without running anything.
//
// Python diskcache pickles every key and value that is not an int in the
// int64 range, a float, a str or a bytes: tuples, lists, dicts, None, bools,
// big ints, objects. This codec reads the plain data among them into a
// Value and writes a Value as Python's pickler would, so C++ and Python
// share those items:
//
//   diskcache::Value point = diskcache::pickle::loads(stored_bytes);  // (1, 'a')
//   diskcache::Bytes key = diskcache::pickle::dumps_key(diskcache::Tuple{1, "a"});
//   // key == Python's pickletools.optimize(pickle.dumps((1, 'a'), 5))
//
// What loads() decodes: protocols 0 to 5 (every protocol Python 3.11
// writes) of None, bool, int (any size: beyond int64 a BigInt), float, str,
// bytes, bytearray, tuple, list, dict, set and frozenset, nested, with the
// memo (shared and repeated objects) and frames. Protocols 0 to 3 write
// bytes, bytearray, set and frozenset as a call of builtins.set,
// _codecs.encode and the like (GLOBAL + REDUCE); exactly those calls, with
// the arguments Python writes, are read as data, never made.
//
// What it refuses: every opcode that would import or call code when Python
// loads it (GLOBAL and STACK_GLOBAL naming anything else, REDUCE, BUILD,
// INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1/2/4, PERSID, BINPERSID) and
// out-of-band buffers (NEXT_BUFFER, READONLY_BUFFER): SerializationError
// naming the opcode, its byte offset and the class when known; or, with
// LoadOptions::keep_objects, a Value of Kind::Object that keeps the whole
// pickle. Loading such a pickle in Python runs whatever it names, which is
// how a writable cache directory gives code execution to its Python
// readers (CVE-2025-69872); this decoder only reads data.
//
// Limits, each a SerializationError rather than a crash or an allocation
// the input does not justify: every length is checked against the bytes
// left before anything is allocated; containers nest at most
// kMaxNestingDepth (1000) deep; a str of digits (INT, LONG) has at most
// 4300 digits, as Python 3.11 allows; shared references are copied (a
// Value has no aliasing), and a pickle whose copies would take more than
// 32 times its own size (or 64 MiB if that is more) is refused; a
// self-containing structure is refused; text must be UTF-8 (Python allows
// lone surrogates, a Value's text does not); dict keys and set elements
// must be hashable, as Python requires; the pickle must end with STOP
// leaving one object, with nothing after it.
//
// Thread safety: stateless functions; any number of threads may call them.
#ifndef DISKCACHE_PICKLE_HPP_
#define DISKCACHE_PICKLE_HPP_

#include <cstddef>
#include <span>
#include <string_view>

#include "diskcache/errors.hpp"
#include "diskcache/export.hpp"
#include "diskcache/value.hpp"

namespace diskcache::pickle {

// The protocol Python diskcache pickles with by default: Python's
// pickle.HIGHEST_PROTOCOL, 5 since Python 3.8.
inline constexpr int kDefaultProtocol = 5;
inline constexpr int kHighestProtocol = 5;

struct LoadOptions {
  // What a pickle that needs code to load becomes (a class instance, a
  // function, a type). false: SerializationError. true: a Value of
  // Kind::Object holding the complete pickle and the name of the first
  // class or function it names, so that it can be listed, moved and stored
  // again unchanged; the rest of the pickle must still be well formed.
  // Default: false.
  bool keep_objects = false;
};

// Decodes a pickle of plain data (see above).
// Throws SerializationError naming the opcode and its byte offset if the
// pickle is truncated, malformed or beyond a limit, or needs code to load
// (unless options.keep_objects).
// Example: loads(dumps(value)) == value for every Value without objects.
DISKCACHE_EXPORT Value loads(std::span<const std::byte> pickle, const LoadOptions& options = {});
DISKCACHE_EXPORT Value loads(std::string_view pickle, const LoadOptions& options = {});

// Pickles `value` with `protocol` (0 to 5) as CPython 3.11's
// pickle.dumps(value, protocol) does, byte for byte, for the Python object
// the Value stands for (whose equal strs and bytes are distinct objects,
// except the empty ones and those of one character below U+0100, which
// CPython shares); so Python's pickle.loads returns an equal object.
// A Value of Kind::Object is its stored pickle, unchanged.
// Throws SerializationError if the protocol is not 0 to 5, if an object is
// nested in a container (its pickle cannot be spliced into another), if
// containers nest deeper than kMaxNestingDepth, or for an int of more than
// 4300 digits at protocol 0 or 1 (in decimal there, which Python 3.11
// refuses too).
DISKCACHE_EXPORT Bytes dumps(const Value& value, int protocol = kDefaultProtocol);

// Python diskcache's form of a pickled key (core.py, Disk.put):
// pickletools.optimize(pickle.dumps(key, protocol)), the pickle without the
// memo entries nothing refers to. Equal keys give equal bytes, and the
// same bytes as Python for the same key, so each side finds what the other
// stored; the exceptions are Python keys that share an object that CPython
// does not share by itself (('ab', 'ab') written as a literal; a str and
// bytes shared as above are reproduced), which Python itself then stores
// apart from the same key built another way. Throws as dumps().
DISKCACHE_EXPORT Bytes dumps_key(const Value& key, int protocol = kDefaultProtocol);

}  // namespace diskcache::pickle

#endif  // DISKCACHE_PICKLE_HPP_
