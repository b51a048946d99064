#pragma once

namespace curate::cli {

/// The version `curate --version` prints. Kept equal to the CMake project version
/// (CMakeLists.txt `project(curate VERSION ...)`) by hand until the build generates it.
inline constexpr const char* kCurateVersion = "0.1.0";

}  // namespace curate::cli
