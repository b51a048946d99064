#!/usr/bin/env bash
# Install every Debian package that curate's build, tests and benchmarks need, then the
# project's Python environment (.venv at the repository root, pinned PyPI packages from
# python/requirements-dev.txt). Idempotent: quiet and quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake make pkg-config ccache git time
  libsimdjson-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libzstd-dev zlib1g-dev libxxhash-dev libicu-dev libssl-dev
  libcli11-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin libhwloc-dev
  # The MPI suite's Slurm test (srun --mpi=pmix over slurmd on this machine): Debian's
  # slurm-wlm-basic-plugins has mpi/pmix (pmix_v4, on libpmix2, the PMIx that Debian's
  # Open MPI 4.1 uses), auth/none and cred/none, so no munge key is needed.
  slurmctld slurmd slurm-client
  clang wamerican
  python3 python3-venv python3-dev python3-pip
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The venv is made with Debian's interpreter, the one CI and users have, never with
# whatever `python3` comes first on PATH. The stamp holds the hash of the requirements
# the venv was last installed from, so a changed pin reinstalls and nothing else does.
requirements=python/requirements-dev.txt
venv=.venv
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  exit 0
fi
echo "install-deps: installing the Python packages of $requirements into $venv"
[[ -x "$venv/bin/python" ]] || /usr/bin/python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
echo "$wanted" >"$stamp"
