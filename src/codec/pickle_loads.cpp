// pickle::loads: a pickle machine that builds plain data and refuses to
// import or call anything.
//
// Python's unpickler works on shared, mutable objects: a list may be put in
// the memo, fetched twice, and appended to afterwards. The loader keeps
// that model (containers are nodes referred to by index, so a change shows
// through every reference) and turns the result into a Value, which has no
// sharing, only at STOP. Dict keys and set elements are hashable, hence
// immutable, and become Values as soon as they are added, as Python hashes
// them then.
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>

#include "diskcache/detail/utf8.hpp"
#include "diskcache/pickle.hpp"
#include "pickle_format.hpp"

namespace diskcache::pickle {
namespace {

using detail::fail;
using detail::Instruction;
using detail::Opcode;

// Python 3.11 refuses to read an int of more decimal digits
// (sys.int_info.default_max_str_digits); so does this loader.
constexpr std::size_t kMaxDigits = 4300;
// What a shared object's copies may cost: kBudgetPerByte times the
// pickle's size, at least kMinBudget (bytes of Values and their contents).
constexpr std::size_t kBudgetPerByte = 32;
constexpr std::size_t kMinBudget = std::size_t{64} << 20;

constexpr const char* kPlainData =
    "only plain data is decoded: None, bool, int, float, str, bytes, bytearray, tuple, "
    "list, dict, set and frozenset";

using NodeId = std::uint32_t;

// A stack or memo slot: a small scalar held here, or a node.
struct Item {
  enum class Tag : std::uint8_t { None, Bool, Integer, Real, Node };
  Tag tag = Tag::None;
  union {
    bool flag;
    std::int64_t integer;
    double real;
    NodeId node;
  };
  Item() : integer(0) {}
  static Item of_bool(bool flag) {
    Item item;
    item.tag = Tag::Bool;
    item.flag = flag;
    return item;
  }
  static Item of_integer(std::int64_t number) {
    Item item;
    item.tag = Tag::Integer;
    item.integer = number;
    return item;
  }
  static Item of_real(double number) {
    Item item;
    item.tag = Tag::Real;
    item.real = number;
    return item;
  }
  static Item of_node(NodeId id) {
    Item item;
    item.tag = Tag::Node;
    item.node = id;
    return item;
  }
};

// The calls protocols 0 to 3 write for plain data (pickle.hpp), read as
// data by REDUCE.
enum class Callable { Set, FrozenSet, ByteArray, Bytes, Encode };

struct Container {
  // Orders positions in `keys` by the keys there, as Python tells keys apart.
  struct KeyAt {
    const std::vector<Value>* keys;
    bool operator()(std::size_t a, std::size_t b) const {
      return diskcache::detail::key_order((*keys)[a], (*keys)[b]) < 0;
    }
  };

  Container() : position(KeyAt{&keys}) {}
  Container(const Container&) = delete;
  Container& operator=(const Container&) = delete;

  std::vector<Item> items;                // list and tuple elements; dict values
  std::vector<Value> keys;                // dict keys; set elements
  std::set<std::size_t, KeyAt> position;  // every position in `keys`, by key
  std::size_t keys_cost = 0;              // charged when the keys were built
  std::size_t keys_height = 0;            // containers nested in the deepest key
};

struct Node {
  enum class Kind : std::uint8_t { Scalar, List, Tuple, Dict, Set, Callable };
  Kind kind = Kind::Scalar;
  bool visiting = false;    // being turned into a Value (a cycle if met again)
  Callable callable{};      // Kind::Callable
  std::uint32_t links = 0;  // containers (and STOP) holding it
  std::size_t cost = 0;     // Scalar: what one copy costs
  std::size_t height = 0;   // Scalar: containers nested in it (a frozenset)
  std::size_t offset = 0;   // Callable: where it was named, and by which opcode
  const char* named_by = "";
  Value scalar;  // Scalar; Callable: its name as Text
  std::unique_ptr<Container> container;
};

std::size_t cost_of_scalar(const Value& value) {
  std::size_t payload = 0;
  if (const auto* text = value.get_if<std::string>()) payload = text->size();
  if (const auto* bytes = value.get_if<Bytes>()) payload = bytes->size();
  if (const auto* array = value.get_if<ByteArray>()) payload = array->size();
  if (const auto* big = value.get_if<BigInt>()) payload = big->magnitude().size() * 4;
  return sizeof(Value) + payload;
}

bool contains_nan(const Value& value) {
  if (const double* number = value.get_if<double>()) return std::isnan(*number);
  if (const Tuple* tuple = value.get_if<Tuple>()) {
    for (const Value& element : *tuple) {
      if (contains_nan(element)) return true;
    }
  }
  if (const FrozenSet* set = value.get_if<FrozenSet>()) {
    for (const Value& element : *set) {
      if (contains_nan(element)) return true;
    }
  }
  return false;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// module.name, with Python 2's name of the builtins module (protocols 0 to
// 2) read as Python 3 reads it.
std::string qualified_name(const std::string& module, const std::string& name) {
  return (module == "__builtin__" ? "builtins" : module) + "." + name;
}

// A refused opcode: what it names, for Kind::Object and for the message.
struct Refusal {
  std::string class_name;
  std::string message;
};

class Loader {
 public:
  Loader(std::span<const std::byte> pickle, const LoadOptions& options)
      : pickle_(pickle),
        scanner_(pickle),
        options_(options),
        budget_(std::max(kMinBudget, pickle.size() * kBudgetPerByte)) {}

  Value run() {
    try {
      for (;;) {
        current_ = scanner_.next();
        if (current_.code() == Opcode::Stop) return stop();
        step();
      }
    } catch (const Refusal& refusal) {
      if (!options_.keep_objects) throw SerializationError(refusal.message);
      return kept_object(refusal);
    }
  }

 private:
  // --- the machine ---------------------------------------------------------

  void step() {
    switch (current_.code()) {
      case Opcode::Proto:
        if (current_.number > static_cast<unsigned>(kHighestProtocol)) {
          fail(current_, "unsupported protocol " + std::to_string(current_.number));
        }
        return;
      case Opcode::Frame:
        if (current_.number > scanner_.size() - scanner_.position()) {
          fail(current_, "truncated: a frame of " + std::to_string(current_.number) + " bytes, " +
                             std::to_string(scanner_.size() - scanner_.position()) + " left");
        }
        return;
      case Opcode::None: return push(Item());
      case Opcode::NewTrue: return push(Item::of_bool(true));
      case Opcode::NewFalse: return push(Item::of_bool(false));
      case Opcode::Int: return push_int_line(current_.text, /*bool_forms=*/true);
      case Opcode::Long: {
        std::string_view digits = current_.text;
        if (!digits.empty() && digits.back() == 'L') digits.remove_suffix(1);
        return push_int_line(digits, /*bool_forms=*/false);
      }
      case Opcode::BinInt:
        return push(Item::of_integer(static_cast<std::int32_t>(current_.number)));
      case Opcode::BinInt1:
      case Opcode::BinInt2:
        return push(Item::of_integer(static_cast<std::int64_t>(current_.number)));
      case Opcode::Long1:
      case Opcode::Long4:
        return push_big(BigInt::from_twos_complement(std::span(
            reinterpret_cast<const std::byte*>(current_.text.data()), current_.text.size())));
      case Opcode::Float: return push(Item::of_real(float_line(current_.text)));
      case Opcode::BinFloat: {
        std::uint64_t bits = 0;
        for (const char c : current_.text) bits = (bits << 8) | static_cast<unsigned char>(c);
        double number = 0;
        std::memcpy(&number, &bits, sizeof number);
        return push(Item::of_real(number));
      }
      case Opcode::String: return push_scalar(Value(ascii(escaped_string(current_.text))));
      case Opcode::BinString:
      case Opcode::ShortBinString: return push_scalar(Value(ascii(std::string(current_.text))));
      case Opcode::Unicode: return push_scalar(Value(raw_unicode_escape(current_.text)));
      case Opcode::BinUnicode:
      case Opcode::ShortBinUnicode:
      case Opcode::BinUnicode8: return push_scalar(Value(utf8(current_.text)));
      case Opcode::BinBytes:
      case Opcode::ShortBinBytes:
      case Opcode::BinBytes8: return push_scalar(Value(to_bytes(current_.text)));
      case Opcode::ByteArray8: return push_scalar(Value(ByteArray(to_bytes(current_.text))));

      case Opcode::EmptyList: return push(new_container(Node::Kind::List));
      case Opcode::EmptyTuple: return push(new_container(Node::Kind::Tuple));
      case Opcode::EmptyDict: return push(new_container(Node::Kind::Dict));
      case Opcode::EmptySet: return push(new_container(Node::Kind::Set));
      case Opcode::List: return push(sequence(Node::Kind::List, pop_mark()));
      case Opcode::Tuple: return push(sequence(Node::Kind::Tuple, pop_mark()));
      case Opcode::Tuple1:
      case Opcode::Tuple2:
      case Opcode::Tuple3: {
        const std::size_t count = static_cast<std::size_t>(current_.code()) -
                                  static_cast<std::size_t>(Opcode::Tuple1) + 1;
        return push(sequence(Node::Kind::Tuple, pop_items(count)));
      }
      case Opcode::Dict: {
        const Item dict = new_container(Node::Kind::Dict);
        set_items(dict, pop_mark());
        return push(dict);
      }
      case Opcode::FrozenSet: return push(frozen_set(pop_mark()));
      case Opcode::Append: {
        std::vector<Item> value = pop_items(1);
        return append(top(), value);
      }
      case Opcode::Appends: {
        std::vector<Item> values = pop_mark();
        return append(top(), values);
      }
      case Opcode::SetItem: {
        std::vector<Item> pair = pop_items(2);
        return set_items(top(), pair);
      }
      case Opcode::SetItems: {
        std::vector<Item> pairs = pop_mark();
        return set_items(top(), pairs);
      }
      case Opcode::AddItems: {
        std::vector<Item> elements = pop_mark();
        return add_items(top(), elements);
      }

      case Opcode::Mark: marks_.push_back(stack_.size()); return;
      case Opcode::Pop:
        if (!marks_.empty() && marks_.back() == stack_.size()) {
          marks_.pop_back();
        } else {
          pop_items(1);
        }
        return;
      case Opcode::PopMark: pop_mark(); return;
      case Opcode::Dup: return push(top());
      case Opcode::Put: return memo_put(decimal_index(current_.text));
      case Opcode::BinPut:
      case Opcode::LongBinPut: return memo_put(current_.number);
      case Opcode::Memoize: return memo_put(memo_.size());
      case Opcode::Get: return memo_get(decimal_index(current_.text));
      case Opcode::BinGet:
      case Opcode::LongBinGet: return memo_get(current_.number);

      case Opcode::Global:
        return push_global(std::string(current_.text), std::string(current_.second_line));
      case Opcode::StackGlobal: {
        std::vector<Item> names = pop_items(2);
        const std::string* module = text_of(names[0]);
        const std::string* name = text_of(names[1]);
        if (module == nullptr || name == nullptr) {
          fail(current_, "the module and name of a global must be str");
        }
        return push_global(*module, *name);
      }
      case Opcode::Reduce: return reduce();
      case Opcode::Inst:
        refuse(qualified_name(std::string(current_.text), std::string(current_.second_line)));
      case Opcode::Ext1:
      case Opcode::Ext2:
      case Opcode::Ext4:
        refuse("copyreg extension " + std::to_string(static_cast<std::int32_t>(current_.number)));
      case Opcode::PersId:
      case Opcode::BinPersId: refuse("persistent id");
      case Opcode::NextBuffer:
      case Opcode::ReadonlyBuffer: refuse("out-of-band buffer");
      case Opcode::Build:
      case Opcode::Obj:
      case Opcode::NewObj:
      case Opcode::NewObjEx: refuse(callable_below());
      case Opcode::Stop: break;  // stop()
    }
  }

  Value stop() {
    if (!marks_.empty()) fail(current_, "a MARK is left open");
    if (stack_.size() != 1) {
      fail(current_, std::to_string(stack_.size()) + " objects on the stack, not one");
    }
    if (!scanner_.at_end()) {
      fail(current_, std::to_string(scanner_.size() - scanner_.position()) +
                         " bytes after the end of the pickle");
    }
    const Item root = stack_.back();
    link(root);
    return build(root, 0, /*as_key=*/false, /*unique=*/true);
  }

  // A pickle that needs code: kept whole, once the rest of it proves to be
  // a well-formed pickle.
  Value kept_object(const Refusal& refusal) {
    while (current_.code() != Opcode::Stop) current_ = scanner_.next();
    if (!scanner_.at_end()) {
      fail(current_, std::to_string(scanner_.size() - scanner_.position()) +
                         " bytes after the end of the pickle");
    }
    return Value(PickledObject(refusal.class_name, Bytes(pickle_.begin(), pickle_.end())));
  }

  [[noreturn]] void refuse(const std::string& class_name) {
    const std::string what = class_name.empty() ? "an object" : class_name;
    throw Refusal{class_name.empty() ? "unknown" : class_name,
                  "pickle: " + what + " needs code to load, which is never run (" +
                      current_.info->name + " at byte " + std::to_string(current_.offset) + "); " +
                      kPlainData};
  }

  // --- stack and memo ------------------------------------------------------

  std::size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }

  void push(const Item& item) { stack_.push_back(item); }

  const Item& top() {
    if (stack_.size() <= fence()) fail(current_, "the stack is empty");
    return stack_.back();
  }

  std::vector<Item> pop_items(std::size_t count) {
    if (stack_.size() - fence() < count) {
      fail(current_, "needs " + std::to_string(count) + " objects on the stack");
    }
    std::vector<Item> items(stack_.end() - static_cast<std::ptrdiff_t>(count), stack_.end());
    stack_.resize(stack_.size() - count);
    return items;
  }

  std::vector<Item> pop_mark() {
    if (marks_.empty()) fail(current_, "no MARK before it");
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<Item> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }

  void memo_put(std::uint64_t index) { memo_[index] = top(); }

  void memo_get(std::uint64_t index) {
    const auto found = memo_.find(index);
    if (found == memo_.end()) fail(current_, "the memo has no entry " + std::to_string(index));
    push(found->second);
  }

  std::uint64_t decimal_index(std::string_view text) {
    std::uint64_t index = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), index);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
      fail(current_, "not a memo index: '" + std::string(text.substr(0, 20)) + "'");
    }
    return index;
  }

  // --- nodes ---------------------------------------------------------------

  Node& node(const Item& item) { return nodes_[item.node]; }
  const Node* node_of(const Item& item) const {
    return item.tag == Item::Tag::Node ? &nodes_[item.node] : nullptr;
  }

  Item new_node(Node node) {
    if (nodes_.size() >= UINT32_MAX) fail(current_, "too many objects");
    nodes_.push_back(std::move(node));
    return Item::of_node(static_cast<NodeId>(nodes_.size() - 1));
  }

  void push_scalar(Value value) {
    Node node;
    node.cost = cost_of_scalar(value);
    node.scalar = std::move(value);
    push(new_node(std::move(node)));
  }

  void push_big(BigInt number) {
    if (const std::optional<std::int64_t> small = number.to_int64()) {
      return push(Item::of_integer(*small));
    }
    push_scalar(Value(std::move(number)));
  }

  Item new_container(Node::Kind kind) {
    Node node;
    node.kind = kind;
    node.container = std::make_unique<Container>();
    return new_node(std::move(node));
  }

  const std::string* text_of(const Item& item) const {
    const Node* found = node_of(item);
    return found != nullptr && found->kind == Node::Kind::Scalar
               ? found->scalar.get_if<std::string>()
               : nullptr;
  }

  // The container `item` refers to, if it is one of `kind`.
  Container* container_of(const Item& item, Node::Kind kind) {
    return item.tag == Item::Tag::Node && node(item).kind == kind ? node(item).container.get()
                                                                  : nullptr;
  }

  // An object now held by a container. A global must not be: only REDUCE
  // may use one, and only as what pickle.hpp lists.
  void link(const Item& item) {
    if (item.tag != Item::Tag::Node) return;
    Node& linked = node(item);
    if (linked.kind == Node::Kind::Callable) refuse_global(linked);
    ++linked.links;
  }

  [[noreturn]] void refuse_global(const Node& global) {
    throw Refusal{*global.scalar.get_if<std::string>(),
                  "pickle: " + *global.scalar.get_if<std::string>() +
                      " is a class or function, which is never loaded (" + global.named_by +
                      " at byte " + std::to_string(global.offset) + "); " + kPlainData};
  }

  Item sequence(Node::Kind kind, const std::vector<Item>& items) {
    const Item made = new_container(kind);
    for (const Item& item : items) link(item);
    node(made).container->items = items;
    return made;
  }

  void append(const Item& target, const std::vector<Item>& values) {
    Container* list = container_of(target, Node::Kind::List);
    if (list == nullptr) fail(current_, "appends to something other than a list");
    for (const Item& value : values) link(value);
    list->items.insert(list->items.end(), values.begin(), values.end());
  }

  void set_items(const Item& target, const std::vector<Item>& pairs) {
    Container* dict = container_of(target, Node::Kind::Dict);
    if (dict == nullptr) fail(current_, "sets items of something other than a dict");
    if (pairs.size() % 2 != 0) fail(current_, "a key without a value");
    for (std::size_t i = 0; i < pairs.size(); i += 2) {
      link(pairs[i + 1]);
      const std::size_t at = add_key(*dict, pairs[i], "dict key");
      if (at == dict->items.size()) {
        dict->items.push_back(pairs[i + 1]);
      } else {
        dict->items[at] = pairs[i + 1];  // Python: d[k] = v keeps the first key
      }
    }
  }

  void add_items(const Item& target, const std::vector<Item>& elements) {
    Container* set = container_of(target, Node::Kind::Set);
    if (set == nullptr) fail(current_, "adds items to something other than a set");
    for (const Item& element : elements) add_key(*set, element, "set element");
  }

  Item frozen_set(const std::vector<Item>& elements) {
    Container unique;
    for (const Item& element : elements) add_key(unique, element, "frozenset element");
    Node made;
    made.cost = sizeof(Value) + unique.keys_cost;
    made.height = unique.keys_height + 1;
    made.scalar = Value(FrozenSet(std::move(unique.keys)));
    return new_node(std::move(made));
  }

  // Adds `item` to the keys of `container` unless an equal key is there
  // (as Python's: 1, 1.0 and True are one); returns its position. NaN
  // equals NaN in a Value, but Python keeps two NaN objects apart as keys:
  // such a pair is refused rather than merged.
  std::size_t add_key(Container& container, const Item& item, const char* what) {
    deepest_ = 0;
    const std::size_t spent_before = spent_;
    container.keys.push_back(build(item, 0, /*as_key=*/true, /*unique=*/false));
    const auto [found, added] = container.position.insert(container.keys.size() - 1);
    if (!added) {
      const bool nan = contains_nan(container.keys.back());
      container.keys.pop_back();
      if (nan) {
        fail(current_, std::string("two ") + what +
                           "s holding NaN, which Python keeps apart and a Value cannot");
      }
      return *found;
    }
    container.keys_cost += spent_ - spent_before;
    container.keys_height = std::max(container.keys_height, deepest_);
    return container.keys.size() - 1;
  }

  // --- globals and REDUCE --------------------------------------------------

  void push_global(const std::string& module, const std::string& name) {
    const bool builtins = module == "builtins" || module == "__builtin__";
    std::optional<Callable> callable;
    if (builtins && name == "set") callable = Callable::Set;
    if (builtins && name == "frozenset") callable = Callable::FrozenSet;
    if (builtins && name == "bytearray") callable = Callable::ByteArray;
    if (builtins && name == "bytes") callable = Callable::Bytes;
    if ((module == "_codecs" || module == "codecs") && name == "encode") {
      callable = Callable::Encode;
    }
    const std::string qualified = qualified_name(module, name);
    if (!callable) refuse(qualified);
    Node global;
    global.kind = Node::Kind::Callable;
    global.callable = *callable;
    global.offset = current_.offset;
    global.named_by = current_.info->name;
    global.scalar = Value(qualified);
    push(new_node(std::move(global)));
  }

  // The name of the global just below the top of the stack, for BUILD,
  // NEWOBJ and the like (which Python's plain data never uses).
  std::string callable_below() const {
    for (auto item = stack_.rbegin(); item != stack_.rend(); ++item) {
      const Node* found = node_of(*item);
      if (found != nullptr && found->kind == Node::Kind::Callable) {
        return *found->scalar.get_if<std::string>();
      }
    }
    return {};
  }

  void reduce() {
    std::vector<Item> call = pop_items(2);
    const Node* global = node_of(call[0]);
    if (global == nullptr || global->kind != Node::Kind::Callable) refuse(callable_below());
    // Copies: making nodes below may move the nodes.
    const Callable callable = global->callable;
    const std::string name = *global->scalar.get_if<std::string>();
    const Container* arguments = container_of(call[1], Node::Kind::Tuple);
    if (arguments == nullptr) refuse(name);
    const std::vector<Item>& args = arguments->items;
    switch (callable) {
      case Callable::Set:
      case Callable::FrozenSet: {
        std::vector<Item> elements;
        if (args.size() == 1) {
          const Container* source = container_of(args[0], Node::Kind::List);
          if (source == nullptr) source = container_of(args[0], Node::Kind::Tuple);
          if (source == nullptr) break;
          elements = source->items;
        } else if (!args.empty()) {
          break;
        }
        if (callable == Callable::FrozenSet) return push(frozen_set(elements));
        const Item set = new_container(Node::Kind::Set);
        add_items(set, elements);
        return push(set);
      }
      case Callable::ByteArray: {
        if (args.empty()) return push_scalar(Value(ByteArray()));
        const Node* source = node_of(args[0]);
        const Bytes* bytes = source != nullptr && source->kind == Node::Kind::Scalar
                                 ? source->scalar.get_if<Bytes>()
                                 : nullptr;
        if (args.size() == 1 && bytes != nullptr) {
          Value copy{ByteArray(*bytes)};
          return push_scalar(std::move(copy));
        }
        // Python 2's form: bytearray(u'...', 'latin-1').
        if (args.size() == 2 && latin1_encoding(args[1]) && text_of(args[0]) != nullptr) {
          return push_scalar(Value(ByteArray(latin1(*text_of(args[0])))));
        }
        break;
      }
      case Callable::Bytes:
        if (args.empty()) return push_scalar(Value(Bytes()));
        break;
      case Callable::Encode:
        if (args.size() == 2 && latin1_encoding(args[1]) && text_of(args[0]) != nullptr) {
          return push_scalar(Value(latin1(*text_of(args[0]))));
        }
        break;
    }
    refuse(name + " with arguments Python never pickles");
  }

  bool latin1_encoding(const Item& item) const {
    const std::string* name = text_of(item);
    return name != nullptr && (*name == "latin1" || *name == "latin-1");
  }

  // The bytes whose Latin-1 decoding is `text` (UTF-8, as the loader
  // checked every str).
  Bytes latin1(const std::string& text) {
    Bytes bytes;
    for (std::size_t at = 0; at < text.size();) {
      const diskcache::detail::CodePoint character = *diskcache::detail::code_point_at(text, at);
      if (character.code > 0xff) fail(current_, "a character beyond Latin-1 in bytes");
      bytes.push_back(static_cast<std::byte>(character.code));
      at += character.length;
    }
    return bytes;
  }

  // --- scalars -------------------------------------------------------------

  void push_int_line(std::string_view text, bool bool_forms) {
    std::string_view digits = text;
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
      digits.remove_prefix(1);
    }
    // INT's "00" and "01" are False and True; any other leading zero is
    // octal to one of Python's loaders and an error to the other.
    const bool bool_form = bool_forms && (text == "00" || text == "01");
    if (digits.empty() || digits.size() > kMaxDigits ||
        (digits.size() > 1 && digits.front() == '0' && !bool_form) ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      fail(current_, digits.size() > kMaxDigits
                         ? "an int of more than " + std::to_string(kMaxDigits) + " digits"
                         : "not a decimal int: '" + std::string(text.substr(0, 40)) + "'");
    }
    if (bool_form) return push(Item::of_bool(digits.back() == '1'));
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(text.data() + (text.front() == '+' ? 1 : 0),
                                              text.data() + text.size(), number);
    if (error == std::errc() && end == text.data() + text.size()) {
      return push(Item::of_integer(number));
    }
    push_big(BigInt::from_string(text));
  }

  double float_line(std::string_view text) {
    std::string_view number_text = text;
    if (!number_text.empty() && number_text.front() == '+') number_text.remove_prefix(1);
    double number = 0;
    const auto [end, error] =
        std::from_chars(number_text.data(), number_text.data() + number_text.size(), number);
    if (error != std::errc() || end != number_text.data() + number_text.size() ||
        number_text.empty()) {
      fail(current_, "not a float: '" + std::string(text.substr(0, 40)) + "'");
    }
    return number;
  }

  std::string utf8(std::string_view text) {
    const std::size_t bad = diskcache::detail::invalid_utf8_offset(text);
    if (bad != text.size()) {
      fail(current_, "text that is not UTF-8 at its byte " + std::to_string(bad) +
                         " (a lone surrogate, which a Value's text cannot hold, or bad bytes)");
    }
    return std::string(text);
  }

  // Python 2's str, which Python 3 reads with encoding='ASCII'.
  std::string ascii(std::string text) {
    for (const char c : text) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        fail(current_, "a Python 2 str that is not ASCII, which Python 3 refuses too");
      }
    }
    return text;
  }

  // STRING's argument: a quoted Python 2 str literal (codecs.escape_decode).
  std::string escaped_string(std::string_view text) {
    if (text.size() < 2 || text.front() != text.back() ||
        (text.front() != '\'' && text.front() != '"')) {
      fail(current_, "the argument must be quoted");
    }
    const std::string_view body = text.substr(1, text.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] != '\\') {
        out += body[i];
        continue;
      }
      if (++i == body.size()) fail(current_, "a trailing backslash");
      const char c = body[i];
      switch (c) {
        case '\n': break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case '\\':
        case '\'':
        case '"': out += c; break;
        case 'x': {
          const int high = i + 1 < body.size() ? hex_digit(body[i + 1]) : -1;
          const int low = i + 2 < body.size() ? hex_digit(body[i + 2]) : -1;
          if (high < 0 || low < 0) fail(current_, "an invalid \\x escape");
          out += static_cast<char>(high * 16 + low);
          i += 2;
          break;
        }
        default:
          if (c >= '0' && c <= '7') {
            int code = 0;
            std::size_t digits = 0;
            for (; digits < 3 && i < body.size() && body[i] >= '0' && body[i] <= '7'; ++digits) {
              code = code * 8 + (body[i++] - '0');
            }
            --i;
            out += static_cast<char>(code & 0xff);
          } else {
            out += '\\';
            out += c;
          }
      }
    }
    return out;
  }

  // UNICODE's argument: raw-unicode-escape, where \uXXXX and \UXXXXXXXX
  // escape a character and every other byte is one Latin-1 character.
  std::string raw_unicode_escape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      if (text[i] != '\\') {
        diskcache::detail::append_utf8(out, static_cast<unsigned char>(text[i++]));
        continue;
      }
      // Only an odd run of backslashes escapes the u that follows it.
      std::size_t run = 0;
      while (i + run < text.size() && text[i + run] == '\\') ++run;
      const std::size_t after = i + run;
      const bool escape =
          run % 2 == 1 && after < text.size() && (text[after] == 'u' || text[after] == 'U');
      out.append(escape ? run - 1 : run, '\\');
      i = after;
      if (!escape) continue;
      const std::size_t digits = text[after] == 'u' ? 4 : 8;
      std::uint32_t code = 0;
      for (std::size_t d = 0; d < digits; ++d) {
        const int value = after + 1 + d < text.size() ? hex_digit(text[after + 1 + d]) : -1;
        if (value < 0) fail(current_, "a truncated \\u or \\U escape");
        code = code * 16 + static_cast<std::uint32_t>(value);
      }
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        fail(current_, "a \\u or \\U escape of a lone surrogate or beyond U+10FFFF");
      }
      diskcache::detail::append_utf8(out, code);
      i = after + 1 + digits;
    }
    return out;
  }

  // --- from nodes to a Value -------------------------------------------------

  void charge(std::size_t cost) {
    spent_ += cost;
    if (spent_ > budget_) {
      fail(current_, "the objects it shares would take more than " + std::to_string(budget_) +
                         " bytes once copied into a Value");
    }
  }

  // The Value of `item`, `level` containers deep. A key (`as_key`) must be
  // hashable, as in Python. `unique`: nothing else refers to the item, so
  // its contents may be moved out.
  Value build(const Item& item, std::size_t level, bool as_key, bool unique) {
    switch (item.tag) {
      case Item::Tag::None: charge(sizeof(Value)); return Value();
      case Item::Tag::Bool: charge(sizeof(Value)); return Value(item.flag);
      case Item::Tag::Integer: charge(sizeof(Value)); return Value(item.integer);
      case Item::Tag::Real: charge(sizeof(Value)); return Value(item.real);
      case Item::Tag::Node: break;
    }
    Node& built = node(item);
    if (built.kind == Node::Kind::Scalar) {
      if (as_key && built.scalar.kind() == Value::Kind::ByteArray) unhashable("bytearray");
      nested(level + built.height);
      charge(built.cost);
      return unique ? std::move(built.scalar) : built.scalar;
    }
    if (as_key && built.kind != Node::Kind::Tuple) {
      unhashable(built.kind == Node::Kind::List   ? "list"
                 : built.kind == Node::Kind::Dict ? "dict"
                                                  : "set");
    }
    nested(level + 1);
    if (built.visiting) fail(current_, "a container that contains itself");
    built.visiting = true;
    charge(sizeof(Value));
    Container& contents = *built.container;
    const auto child = [&](const Item& element) {
      const Node* element_node = node_of(element);
      const bool element_unique = unique && (element_node == nullptr || element_node->links <= 1);
      return build(element, level + 1, as_key, element_unique);
    };
    Value result;
    switch (built.kind) {
      case Node::Kind::List:
      case Node::Kind::Tuple: {
        std::vector<Value> elements;
        elements.reserve(contents.items.size());
        for (const Item& element : contents.items) elements.push_back(child(element));
        result = built.kind == Node::Kind::List
                     ? Value(List(std::make_move_iterator(elements.begin()),
                                  std::make_move_iterator(elements.end())))
                     : Value(Tuple(std::make_move_iterator(elements.begin()),
                                   std::make_move_iterator(elements.end())));
        break;
      }
      case Node::Kind::Dict: {
        nested(level + 1 + contents.keys_height);
        if (!unique) charge(contents.keys_cost);
        std::vector<Dict::Entry> entries;
        entries.reserve(contents.keys.size());
        for (std::size_t i = 0; i < contents.keys.size(); ++i) {
          Value key = unique ? std::move(contents.keys[i]) : contents.keys[i];
          entries.emplace_back(std::move(key), child(contents.items[i]));
        }
        result = Value(Dict::from_entries(std::move(entries)));
        break;
      }
      case Node::Kind::Set:
        nested(level + 1 + contents.keys_height);
        if (!unique) charge(contents.keys_cost);
        result = Value(Set(unique ? std::move(contents.keys) : contents.keys));
        break;
      default: break;
    }
    built.visiting = false;
    return result;
  }

  void nested(std::size_t depth) {
    deepest_ = std::max(deepest_, depth);
    if (depth > kMaxNestingDepth) {
      fail(current_, "containers nested more than " + std::to_string(kMaxNestingDepth) + " deep");
    }
  }

  [[noreturn]] void unhashable(const char* type) {
    fail(current_, std::string("unhashable type '") + type + "' as a dict key or set element");
  }

  std::span<const std::byte> pickle_;
  detail::Scanner scanner_;
  LoadOptions options_;
  Instruction current_;
  std::vector<Node> nodes_;
  std::vector<Item> stack_;
  std::vector<std::size_t> marks_;  // stack sizes at each open MARK
  std::unordered_map<std::uint64_t, Item> memo_;
  std::size_t budget_;
  std::size_t spent_ = 0;
  std::size_t deepest_ = 0;  // deepest nesting seen by the last build()
};

}  // namespace

Value loads(std::span<const std::byte> pickle, const LoadOptions& options) {
  return Loader(pickle, options).run();
}

Value loads(std::string_view pickle, const LoadOptions& options) {
  return loads(std::span(reinterpret_cast<const std::byte*>(pickle.data()), pickle.size()),
               options);
}

}  // namespace diskcache::pickle
