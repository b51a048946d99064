// The CPU quota of the process's cgroup (v1 and v2), read from /proc and the cgroup
// file systems: the half of resource discovery that parses kernel files.

#include "curate/backends/resource_discovery.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

namespace curate::backends {
namespace {

namespace fs = std::filesystem;

// cgroup v2 documents 100ms as the period assumed when cpu.max names only a quota.
constexpr long long kDefaultCfsPeriodUs = 100000;

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(std::move(field));
  return fields;
}

std::optional<long long> parse_integer(std::string_view text) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool comma_list_contains(std::string_view list, std::string_view item) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (list.substr(0, comma) == item) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The kernel writes space, tab, newline and backslash in mountinfo paths as \ooo octal.
std::string unescape_mountinfo(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '3' &&
        text[i + 2] >= '0' && text[i + 2] <= '7' && text[i + 3] >= '0' && text[i + 3] <= '7') {
      out.push_back(static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                      (text[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

enum class CgroupVersion { kV1, kV2 };

// Where one hierarchy is mounted, and which of its subtrees the mount shows.
struct CgroupMount {
  fs::path mount_point;
  std::string root = "/";
};

// The process's cgroup path in the hierarchy that holds the cpu controller, per version.
struct CgroupMembership {
  std::optional<std::string> v1_cpu_path;
  std::optional<std::string> v2_path;
};

CgroupMembership read_membership(const fs::path& proc_self_cgroup) {
  CgroupMembership membership;
  const std::optional<std::string> text = read_file(proc_self_cgroup);
  if (!text) return membership;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    // "id:controllers:path"; the path itself may contain ':'.
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string_view id = std::string_view(line).substr(0, first);
    const std::string_view controllers =
        std::string_view(line).substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (id == "0" && controllers.empty()) {
      membership.v2_path = std::move(path);
    } else if (comma_list_contains(controllers, "cpu")) {
      membership.v1_cpu_path = std::move(path);
    }
  }
  return membership;
}

std::optional<CgroupMount> find_mount(const fs::path& proc_self_mountinfo, CgroupVersion version) {
  const std::optional<std::string> text = read_file(proc_self_mountinfo);
  if (!text) return std::nullopt;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    // "id parent major:minor root mount_point options [optional...] - fstype source super"
    const std::vector<std::string> fields = split_fields(line);
    const auto separator = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || separator == fields.end() || fields.end() - separator < 4) continue;
    const std::string& fstype = *(separator + 1);
    const std::string& super_options = *(separator + 3);
    const bool matches = version == CgroupVersion::kV2
                             ? fstype == "cgroup2"
                             : fstype == "cgroup" && comma_list_contains(super_options, "cpu");
    if (matches) return CgroupMount{unescape_mountinfo(fields[4]), unescape_mountinfo(fields[3])};
  }
  return std::nullopt;
}

// The mount a hierarchy has when the mount table is unreadable or lists none (a minimal
// container): the systemd layout under `cgroup_root`.
std::optional<CgroupMount> default_mount(const fs::path& cgroup_root, CgroupVersion version) {
  std::error_code error;
  if (version == CgroupVersion::kV2) {
    if (fs::exists(cgroup_root / "cgroup.controllers", error)) return CgroupMount{cgroup_root};
    return std::nullopt;
  }
  for (const char* name : {"cpu", "cpu,cpuacct", "cpuacct,cpu"}) {
    if (fs::is_directory(cgroup_root / name, error)) return CgroupMount{cgroup_root / name};
  }
  return std::nullopt;
}

// The process's cgroup directory inside `mount`: its path made relative to the subtree the
// mount shows. A path outside that subtree (a cgroup namespace shows "/.." paths for
// foreign cgroups) falls back to the mount point, the closest ancestor we can see.
fs::path cgroup_directory(const CgroupMount& mount, const std::string& cgroup_path) {
  std::string_view relative = cgroup_path;
  if (relative == ".." || relative.starts_with("../") || relative.ends_with("/..") ||
      relative.find("/../") != std::string_view::npos) {
    return mount.mount_point;
  }
  std::string_view root = mount.root;
  while (root.size() > 1 && root.ends_with('/')) root.remove_suffix(1);
  if (root != "/") {
    if (!relative.starts_with(root) ||
        (relative.size() > root.size() && relative[root.size()] != '/')) {
      return mount.mount_point;
    }
    relative.remove_prefix(root.size());
  }
  while (relative.starts_with('/')) relative.remove_prefix(1);
  return relative.empty() ? mount.mount_point : mount.mount_point / relative;
}

std::optional<double> quota_in_cpus(long long quota_us, long long period_us) {
  if (quota_us <= 0 || period_us <= 0) return std::nullopt;  // -1 means unlimited in v1
  return static_cast<double>(quota_us) / static_cast<double>(period_us);
}

std::optional<double> read_v2_limit(const fs::path& directory) {
  const std::optional<std::string> text = read_file(directory / "cpu.max");
  if (!text) return std::nullopt;
  const std::vector<std::string> fields = split_fields(*text);  // "max 100000" or "150000 100000"
  if (fields.empty() || fields[0] == "max") return std::nullopt;
  const std::optional<long long> quota = parse_integer(fields[0]);
  const std::optional<long long> period =
      fields.size() > 1 ? parse_integer(fields[1]) : std::optional<long long>(kDefaultCfsPeriodUs);
  if (!quota || !period) return std::nullopt;
  return quota_in_cpus(*quota, *period);
}

std::optional<double> read_v1_limit(const fs::path& directory) {
  const std::optional<std::string> quota_text = read_file(directory / "cpu.cfs_quota_us");
  const std::optional<std::string> period_text = read_file(directory / "cpu.cfs_period_us");
  if (!quota_text || !period_text) return std::nullopt;
  const std::vector<std::string> quota_fields = split_fields(*quota_text);
  const std::vector<std::string> period_fields = split_fields(*period_text);
  if (quota_fields.empty() || period_fields.empty()) return std::nullopt;
  const std::optional<long long> quota = parse_integer(quota_fields[0]);
  const std::optional<long long> period = parse_integer(period_fields[0]);
  if (!quota || !period) return std::nullopt;
  return quota_in_cpus(*quota, *period);
}

std::optional<double> tighter(std::optional<double> a, std::optional<double> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

fs::path without_trailing_separator(fs::path path) {
  if (!path.has_filename() && path.has_relative_path()) return path.parent_path();
  return path;
}

// The smallest limit from the process's cgroup up to the mount point: the kernel throttles
// a cgroup by its own quota and by every ancestor's.
std::optional<double> limit_along_hierarchy(const CgroupMount& mount, const std::string& path,
                                            CgroupVersion version) {
  const fs::path top = without_trailing_separator(mount.mount_point.lexically_normal());
  fs::path directory = without_trailing_separator(cgroup_directory(mount, path).lexically_normal());
  std::optional<double> limit;
  while (true) {
    limit = tighter(
        limit, version == CgroupVersion::kV2 ? read_v2_limit(directory) : read_v1_limit(directory));
    if (directory == top) break;
    const fs::path parent = directory.parent_path();
    // Stop at the filesystem root, or when the parent is no longer inside the mount.
    if (parent == directory ||
        std::mismatch(top.begin(), top.end(), parent.begin(), parent.end()).first != top.end()) {
      break;
    }
    directory = parent;
  }
  return limit;
}

std::optional<double> limit_for(const CgroupPaths& paths, const std::optional<std::string>& path,
                                CgroupVersion version) {
  if (!path) return std::nullopt;
  std::optional<CgroupMount> mount = find_mount(paths.proc_self_mountinfo, version);
  if (!mount) mount = default_mount(paths.cgroup_root, version);
  if (!mount) return std::nullopt;
  return limit_along_hierarchy(*mount, *path, version);
}

}  // namespace

std::optional<double> cgroup_cpu_limit(const CgroupPaths& paths) {
  // Hybrid hosts mount v1 controllers and an empty v2 hierarchy side by side; whichever
  // version actually holds a quota limits us, so both are read and the tighter one wins.
  const CgroupMembership membership = read_membership(paths.proc_self_cgroup);
  return tighter(limit_for(paths, membership.v1_cpu_path, CgroupVersion::kV1),
                 limit_for(paths, membership.v2_path, CgroupVersion::kV2));
}

}  // namespace curate::backends
