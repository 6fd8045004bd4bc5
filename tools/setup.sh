#!/usr/bin/env bash
# Installs everything imagewriter's build, tests and end-to-end checks need,
# from Debian's packages only. Idempotent: when every package is already
# installed it only runs dpkg-query and exits.
set -euo pipefail

packages=(
  # Build: Bazel 4.2.3 plus the local repositories the WORKSPACE points at.
  bazel-bootstrap bazel-platforms bazel-skylib
  g++ clang libclang-rt-14-dev
  # Libraries, linked through third_party/*.BUILD.
  libabsl-dev libre2-dev libprotobuf-dev protobuf-compiler
  android-libboringssl-dev zlib1g-dev libzstd-dev libdeflate-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # Tests and end-to-end checks.
  python3 python-is-python3 curl jq bc time gzip zstd pigz libdeflate-tools openssl skopeo umoci runc podman docker-registry
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
