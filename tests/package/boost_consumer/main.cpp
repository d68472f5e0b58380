// Stores a struct through disk::Boost in a temporary cache and prints its
// fields back: "ada 36".
#include <boost/serialization/string.hpp>
#include <diskcache/cache.hpp>
#include <diskcache/disk/boost.hpp>
#include <filesystem>
#include <iostream>
#include <string>

struct Person {
  std::string name;
  int age = 0;

  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    // clang-format 14 reads `archive & x;` as a declaration.
    // clang-format off
    archive & name & age;
    // clang-format on
  }
};

int main() {
  diskcache::Cache<std::string, Person, diskcache::disk::Boost> cache;
  cache.set("ada", Person{"ada", 36});
  const Person person = cache.at("ada");
  std::cout << person.name << ' ' << person.age << '\n';
  std::filesystem::remove_all(cache.directory());
}
