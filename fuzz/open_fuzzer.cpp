// libFuzzer target: opening and using a damaged cache directory. A valid
// cache (inline and file-sized values, a queue, settings) is made once; each
// input then damages a copy of it and runs a fixed script of calls on it.
//
// Input: byte 0 picks the damage.
//   bit 0 clear: the rest of the input is the whole cache.db.
//   bit 0 set:   the template's cache.db, truncated to 16 * (bytes 1-2,
//                little-endian; 0xffff: not truncated), then patched by
//                the (offset: 2 bytes, byte) triples that follow.
//   bit 1 set:   the value file is truncated to half its size.
//   bit 2 set:   the value file's first byte is flipped.
// Every call must succeed or throw a diskcache::Error; any other exception,
// a crash, a sanitizer report or a hang is a finding.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/errors.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;

struct Template {
  fs::path root;  // a private temporary directory for the whole run
  std::string database;
  std::string value_file_name;  // relative to the cache directory
  std::string value_file;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

Template make_template() {
  Template made;
  static const diskcache::testing::TempDir root;  // removed at exit
  made.root = root.path();
  const fs::path dir = made.root / "template";
  {
    diskcache::Cache<> cache(dir, {.tag_index = true});
    cache.set("int", 42);
    cache.set("text", "hello", {.tag = "t"});
    cache.set(7, 2.5, {.expire = std::chrono::hours(1)});
    cache.set("bytes", diskcache::to_bytes("\x01\x02"));
    cache.set("file", std::string(40000, 'f'));  // a value file
    cache.incr("counter", 5);
    cache.push("job");
    cache.push("job2", "queue");
  }  // the last connection closes: the WAL is checkpointed into cache.db
  made.database = slurp(dir / "cache.db");
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() == ".val") {
      made.value_file_name = fs::relative(entry.path(), dir).string();
      made.value_file = slurp(entry.path());
    }
  }
  return made;
}

const Template& the_template() {
  static const Template made = make_template();
  return made;
}

// Runs one call, accepting the library's typed errors.
template <class Call>
void attempt(Call&& call) {
  try {
    call();
  } catch (const diskcache::Error&) {
  }
}

void run_script(const fs::path& dir) {
  // synchronous OFF: this target is about damaged bytes, not durability,
  // and an fsync per run would make it ten times slower.
  diskcache::Settings settings{.sqlite_synchronous = 0, .timeout = std::chrono::milliseconds(50)};
  std::optional<diskcache::Cache<>> opened;
  attempt([&] { opened.emplace(dir, settings); });
  if (!opened) return;
  diskcache::Cache<>& cache = *opened;
  for (const diskcache::Value& key :
       {diskcache::Value("int"), diskcache::Value("text"), diskcache::Value(7),
        diskcache::Value("bytes"), diskcache::Value("file"), diskcache::Value("counter")}) {
    attempt([&] { cache.get(key); });
    attempt([&] { cache.get_entry(key); });
    attempt([&] { cache.contains(key); });
  }
  attempt([&] { cache.set("new", "value"); });
  attempt([&] { cache.incr("counter"); });
  attempt([&] { cache.pop("text"); });
  attempt([&] { cache.pull(); });
  attempt([&] { cache.pull("queue"); });
  attempt([&] { cache.peekitem(); });
  attempt([&] { cache.peekitem(false); });
  attempt([&] {
    if (auto stream = cache.read("file")) {
      std::ostringstream sink;
      sink << stream->rdbuf();
    }
  });
  attempt([&] { cache.size(); });
  attempt([&] { cache.volume(); });
  attempt([&] { cache.stats(); });
  attempt([&] { cache.evict("t"); });
  attempt([&] { cache.expire(); });
  attempt([&] { cache.cull(); });
  attempt([&] { cache.check(); });
  attempt([&] { cache.check(/*fix=*/true); });
  attempt([&] { cache.clear(); });
  attempt([&] {
    diskcache::Deque<diskcache::Value> deque(dir);
    deque.push_back(1);
    deque.pop_front();
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Template& made = the_template();
  if (size == 0) return 0;
  const std::uint8_t damage = data[0];
  std::string database;
  if ((damage & 1) == 0) {
    database.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    database = made.database;
    if (size >= 3) {
      const std::size_t units = data[1] | (std::size_t{data[2]} << 8);
      if (units != 0xffff) database.resize(std::min(database.size(), units * 16));
    }
    for (std::size_t at = 3; at + 3 <= size; at += 3) {
      const std::size_t offset = data[at] | (std::size_t{data[at + 1]} << 8);
      if (offset < database.size()) database[offset] = static_cast<char>(data[at + 2]);
    }
  }
  std::string value_file = made.value_file;
  if (damage & 2) value_file.resize(value_file.size() / 2);
  if ((damage & 4) && !value_file.empty()) value_file[0] = static_cast<char>(~value_file[0]);

  const fs::path dir = made.root / "case";
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  spit(dir / "cache.db", database);
  spit(dir / made.value_file_name, value_file);
  run_script(dir);
  return 0;
}
