#pragma once

namespace curate::cli {

#ifndef CURATE_VERSION
#error "CURATE_VERSION is defined by the build (src/curate/CMakeLists.txt, from project())"
#endif

/// The version `curate --version` prints: the CMake project version.
inline constexpr const char* kCurateVersion = CURATE_VERSION;

}  // namespace curate::cli
