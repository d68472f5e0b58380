// keys, dump, load: waiting for Cache iteration.
#include "commands.hpp"

namespace diskcache::tool {

void add_listing_commands(CLI::App&, const GlobalOptions&) {}

}  // namespace diskcache::tool
