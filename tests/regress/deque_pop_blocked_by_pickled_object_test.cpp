// `diskcache deque pop DIR` refused a pickled Python object at the front of
// the queue (status 7, "it stays in the deque") and left it there, so every
// later pop failed the same way: one item Python pushed blocked the queue
// for the tool (issue 16). pop now moves the object to the queue's dead
// letters, says so on stderr, and pops the next item; `deque dead-letter`
// moves any front item aside by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "run_tool.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

#ifdef DISKCACHE_TEST_TOOL
TEST(DequePopBlockedByPickledObject, TheObjectGoesAsideAndPopGoesOn) {
  testing::TempDir dir;
  const std::string path = dir.path().string();
  ASSERT_EQ(testing::run_python("poison.py", "push-object-head '" + path + "'"), 0);
  const testing::ToolResult popped = testing::run_deque({"pop", path});
  EXPECT_EQ(popped.status, 0) << popped.err;
  EXPECT_EQ(popped.out, "'next'\n");
  EXPECT_NE(popped.err.find("moved <pickled __main__.Opaque> to the dead letters"),
            std::string::npos)
      << popped.err;
  EXPECT_EQ(testing::run_deque({"len", path}).out, "0\n");
  EXPECT_EQ(testing::run_deque({"len", path, "--dead-letters"}).out, "1\n");
  EXPECT_EQ(testing::run_python("poison.py", "dead-letters-hold-object '" + path + "'"), 0);
}
#else
TEST(DequePopBlockedByPickledObject, NeedsTheTool) {
  GTEST_SKIP() << "built without the diskcache tool";
}
#endif

}  // namespace
}  // namespace diskcache
