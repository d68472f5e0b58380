// Settings <-> rows of the Settings table, with validation of every value
// read from the database (a hostile row must not reach a PRAGMA).
#ifndef DISKCACHE_SRC_SETTINGS_TABLE_HPP_
#define DISKCACHE_SRC_SETTINGS_TABLE_HPP_

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "diskcache/settings.hpp"
#include "diskcache/value.hpp"

namespace diskcache::detail {

using SettingRows = std::vector<std::pair<std::string, Value>>;

// The stored settings: defaults overridden by `rows` (unknown names are
// ignored). Throws CorruptionError naming the setting for an invalid value.
Settings settings_from_rows(const SettingRows& rows, const std::filesystem::path& directory);

// `base` with every setting that `overrides` gave replaced.
Settings merge_settings(Settings base, const Settings& overrides);

// Throws Error naming the setting if a value is out of range.
void validate_settings(const Settings& settings, const std::filesystem::path& directory);

// Rows for the stored settings; only those `settings` gave when `given_only`.
SettingRows settings_rows(const Settings& settings, bool given_only);

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_SETTINGS_TABLE_HPP_
