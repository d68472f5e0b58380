// A command's result as "name: value" lines, or (with --json) as one JSON
// object printed when the Report goes away (unless an exception is passing:
// then nothing is printed, rather than half a report).
#ifndef DISKCACHE_TOOLS_REPORT_HPP_
#define DISKCACHE_TOOLS_REPORT_HPP_

#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "json_format.hpp"

namespace diskcache::tool {

class Report {
 public:
  explicit Report(const GlobalOptions& options)
      : json_(options.json), exceptions_(std::uncaught_exceptions()) {
    if (json_) line_.writer().StartObject();
  }
  void add(const char* name, std::int64_t number) {
    if (json_) {
      line_.writer().Key(name);
      line_.writer().Int64(number);
    } else {
      print_line(std::string(name) + ": " + std::to_string(number));
    }
  }
  void add(const char* name, const std::string& text) {
    if (json_) {
      line_.writer().Key(name);
      write_string(line_.writer(), text);
    } else {
      print_line(std::string(name) + ": " + text);
    }
  }
  void add(const char* name, const std::vector<std::string>& lines) {
    if (json_) {
      line_.writer().Key(name);
      line_.writer().StartArray();
      for (const std::string& text : lines) write_string(line_.writer(), text);
      line_.writer().EndArray();
    } else {
      for (const std::string& text : lines) print_line(text);
    }
  }
  // Text: "name: a, b"; JSON: "name": ["a", "b"].
  void add_list(const char* name, const std::vector<std::string>& items) {
    if (json_) {
      add(name, items);
      return;
    }
    std::string line = std::string(name) + ":";
    for (std::size_t i = 0; i < items.size(); ++i) line += (i == 0 ? " " : ", ") + items[i];
    print_line(line);
  }
  // Rows of named numbers. Text: a line "name ROW: a 1, b 2" per row;
  // JSON: "names": [{"name": "ROW", "a": 1, "b": 2}, ...].
  struct Row {
    std::string name;
    std::vector<std::pair<const char*, std::int64_t>> numbers;
  };
  void add_rows(const char* name, const std::vector<Row>& rows) {
    if (json_) {
      line_.writer().Key((std::string(name) + "s").c_str());
      line_.writer().StartArray();
      for (const Row& row : rows) {
        line_.writer().StartObject();
        line_.writer().Key("name");
        write_string(line_.writer(), row.name);
        for (const auto& [label, number] : row.numbers) {
          line_.writer().Key(label);
          line_.writer().Int64(number);
        }
        line_.writer().EndObject();
      }
      line_.writer().EndArray();
      return;
    }
    for (const Row& row : rows) {
      std::string line = std::string(name) + " " + row.name + ":";
      for (std::size_t i = 0; i < row.numbers.size(); ++i) {
        line += std::string(i == 0 ? " " : ", ") + row.numbers[i].first + " " +
                std::to_string(row.numbers[i].second);
      }
      print_line(line);
    }
  }
  ~Report() {
    if (!json_ || std::uncaught_exceptions() > exceptions_) return;
    line_.writer().EndObject();
    print_line(line_.str());
  }

 private:
  const bool json_;
  const int exceptions_;  // uncaught when constructed
  JsonLine line_;
};

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_REPORT_HPP_
