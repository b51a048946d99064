#!/usr/bin/env bash
# Install every Debian package that curate's build, tests and benchmarks need.
# Idempotent: quiet and quick when everything is present.
set -euo pipefail

packages=(
  build-essential cmake make pkg-config ccache git time
  libsimdjson-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libzstd-dev zlib1g-dev libxxhash-dev libicu-dev libssl-dev
  libcli11-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin libhwloc-dev
  clang wamerican
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
