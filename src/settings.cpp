#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "diskcache/errors.hpp"
#include "schema.hpp"
#include "settings_table.hpp"

namespace diskcache {

const char* to_string(EvictionPolicy policy) noexcept {
  switch (policy) {
    case EvictionPolicy::LeastRecentlyStored: return "least-recently-stored";
    case EvictionPolicy::LeastRecentlyUsed: return "least-recently-used";
    case EvictionPolicy::LeastFrequentlyUsed: return "least-frequently-used";
    case EvictionPolicy::None: return "none";
  }
  return "none";
}

namespace detail {
namespace {

std::optional<EvictionPolicy> parse_policy(std::string_view text) {
  for (EvictionPolicy policy :
       {EvictionPolicy::LeastRecentlyStored, EvictionPolicy::LeastRecentlyUsed,
        EvictionPolicy::LeastFrequentlyUsed, EvictionPolicy::None}) {
    if (text == to_string(policy)) return policy;
  }
  return std::nullopt;
}

bool valid_journal_mode(std::string_view mode) {
  constexpr std::array<std::string_view, 6> kModes = {"delete", "truncate", "persist",
                                                      "memory", "wal",      "off"};
  for (std::string_view known : kModes) {
    if (mode == known) return true;
  }
  return false;
}

// Integers may be stored as REAL by Python: FanoutCache divides size_limit
// by the shard count, which need not come out whole (2**30 / 3). Those are
// truncated toward zero.
std::optional<std::int64_t> as_integer(const Value& value) {
  if (const auto* integer = value.get_if<std::int64_t>()) return *integer;
  if (const auto* real = value.get_if<double>()) {
    if (std::isfinite(*real) && std::fabs(*real) < 9.2e18) {
      return static_cast<std::int64_t>(std::trunc(*real));
    }
  }
  return std::nullopt;
}

[[noreturn]] void invalid(const std::string& name, const std::string& value,
                          const std::string& expected, const std::filesystem::path& directory,
                          bool stored) {
  const std::string message = std::string(stored ? "cache.db" : "Settings") + " has " + name +
                              " = " + value + ", expected " + expected + " (in " +
                              directory.string() + ")";
  if (stored) throw CorruptionError(message, directory);
  throw Error(message, directory);
}

std::string range_text(std::int64_t min, std::int64_t max) {
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

Settings settings_from_rows(const SettingRows& rows, const std::filesystem::path& directory) {
  Settings settings;
  auto find = [&](const char* name) -> const Value* {
    for (const auto& [key, value] : rows) {
      if (key == name) return &value;
    }
    return nullptr;
  };
  auto visitor = [&](const char* name, auto member, auto... range) {
    auto& setting = settings.*member;
    const Value* stored = find(name);
    if (stored == nullptr) return;
    using T = std::decay_t<decltype(setting.value())>;
    if constexpr (std::is_same_v<T, std::int64_t>) {
      const auto [min, max] = std::array<std::int64_t, 2>{range...};
      std::optional<std::int64_t> number = as_integer(*stored);
      if (!number || *number < min || *number > max) {
        invalid(name, stored->repr(), range_text(min, max), directory, /*stored=*/true);
      }
      setting = Setting<T>::by_default(*number);
    } else if constexpr (std::is_same_v<T, bool>) {
      std::optional<std::int64_t> number = as_integer(*stored);
      if (!number || (*number != 0 && *number != 1)) {
        invalid(name, stored->repr(), "0 or 1", directory, /*stored=*/true);
      }
      setting = Setting<T>::by_default(*number == 1);
    } else if constexpr (std::is_same_v<T, EvictionPolicy>) {
      const auto* text = stored->get_if<std::string>();
      std::optional<EvictionPolicy> policy = text ? parse_policy(*text) : std::nullopt;
      if (!policy) {
        invalid(name, stored->repr(),
                "least-recently-stored, least-recently-used, least-frequently-used or none",
                directory, /*stored=*/true);
      }
      setting = Setting<T>::by_default(*policy);
    } else {
      const auto* text = stored->get_if<std::string>();
      if (!text || !valid_journal_mode(*text)) {
        invalid(name, stored->repr(), "delete, truncate, persist, memory, wal or off", directory,
                /*stored=*/true);
      }
      setting = Setting<T>::by_default(*text);
    }
  };
  for_each_stored(visitor);
  return settings;
}

Settings merge_settings(Settings base, const Settings& overrides) {
  for_each_stored([&](const char*, auto member, auto...) {
    if ((overrides.*member).given()) base.*member = overrides.*member;
  });
  if (overrides.timeout.given()) base.timeout = overrides.timeout;
  if (overrides.file_mode.given()) base.file_mode = overrides.file_mode;
  return base;
}

void validate_settings(const Settings& settings, const std::filesystem::path& directory) {
  auto visitor = [&](const char* name, auto member, auto... range) {
    const auto& setting = settings.*member;
    using T = std::decay_t<decltype(setting.value())>;
    if constexpr (std::is_same_v<T, std::int64_t>) {
      const auto [min, max] = std::array<std::int64_t, 2>{range...};
      if (setting.value() < min || setting.value() > max) {
        invalid(name, std::to_string(setting.value()), range_text(min, max), directory,
                /*stored=*/false);
      }
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!valid_journal_mode(setting.value())) {
        invalid(name, "'" + setting.value() + "'", "delete, truncate, persist, memory, wal or off",
                directory, /*stored=*/false);
      }
    }
  };
  for_each_stored(visitor);
  if (settings.timeout.value().count() < 0) {
    invalid("timeout", std::to_string(settings.timeout.value().count()) + " ms",
            "a duration of at least 0", directory, /*stored=*/false);
  }
  const int mode = settings.file_mode.value();
  if (mode < 0 || mode > 0777 || (mode & 0600) != 0600) {
    char octal[16];
    std::snprintf(octal, sizeof octal, "0%o", static_cast<unsigned>(mode));
    invalid("file_mode", octal, "permission bits from 0600 to 0777 that include 0600", directory,
            /*stored=*/false);
  }
}

SettingRows settings_rows(const Settings& settings, bool given_only) {
  SettingRows rows;
  auto visitor = [&](const char* name, auto member, auto...) {
    const auto& setting = settings.*member;
    if (given_only && !setting.given()) return;
    using T = std::decay_t<decltype(setting.value())>;
    // Built in place: moving a temporary Value into the vector makes GCC 12
    // report a false -Wmaybe-uninitialized inside std::variant (GCC bug
    // 80635 and its relatives).
    if constexpr (std::is_same_v<T, EvictionPolicy>) {
      rows.emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                        std::forward_as_tuple(to_string(setting.value())));
    } else {
      rows.emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                        std::forward_as_tuple(setting.value()));
    }
  };
  for_each_stored(visitor);
  return rows;
}

}  // namespace detail
}  // namespace diskcache
