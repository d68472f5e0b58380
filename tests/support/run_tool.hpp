// Runs a program (the installed diskcache tool) with arguments, no shell
// interpretation, stdin from a string, stdout and stderr captured apart.
// Tests built with the tool (DISKCACHE_TEST_TOOL, its installed path) also
// get run_deque.
#ifndef DISKCACHE_TESTS_RUN_TOOL_HPP_
#define DISKCACHE_TESTS_RUN_TOOL_HPP_

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"
#include "test_support.hpp"

namespace diskcache::testing {

struct ToolResult {
  int status = -1;  // exit status; -1 if killed by a signal
  std::string out;
  std::string err;
};

inline std::string shell_quoted(const std::string& argument) {
  std::string quoted = "'";
  for (const char c : argument) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

inline ToolResult run_program(const std::string& program, const std::vector<std::string>& arguments,
                              const std::string& input = "") {
  const TempDir scratch;
  std::string command = shell_quoted(program);
  for (const std::string& argument : arguments) command += " " + shell_quoted(argument);
  const std::filesystem::path in = scratch.path() / "stdin", out = scratch.path() / "stdout",
                              err = scratch.path() / "stderr";
  std::ofstream(in, std::ios::binary) << input;
  command += " <" + shell_quoted(in) + " >" + shell_quoted(out) + " 2>" + shell_quoted(err);
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

#ifdef DISKCACHE_TEST_TOOL
// Runs `diskcache deque <arguments>` with the installed tool.
inline ToolResult run_deque(const std::vector<std::string>& arguments) {
  std::vector<std::string> all{"deque"};
  all.insert(all.end(), arguments.begin(), arguments.end());
  return run_program(DISKCACHE_TEST_TOOL, all);
}
#endif

}  // namespace diskcache::testing

#endif  // DISKCACHE_TESTS_RUN_TOOL_HPP_
