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
  python3 python-is-python3 curl jq bc time gzip zstd pigz libdeflate-tools openssl skopeo umoci runc podman docker-registry golang-go
  # htpasswd, for the registries with basic auth that the push and pull
  # credential tests start.
  apache2-utils
  # The eStargz reference reader (Go sources in /usr/share/gocode) that
  # tests/estargz_oracle compiles.
  golang-github-containerd-stargz-snapshotter-dev
  # Remote cache (nginx WebDAV) and remote execution (Bazel's RemoteWorker,
  # compiled from its sources with javac), both on 127.0.0.1; an empty root.
  nginx bazel-bootstrap-source default-jdk-headless util-linux
  # The arm64 build of the tool, run under qemu.
  g++-aarch64-linux-gnu qemu-user file
)

# The arm64 build of the tool (toolchains/, tests/arm64/run.sh) links
# Debian's arm64 multiarch libraries, installed next to the amd64 ones.
# Multi-Arch: same packages must have one version on both architectures, so
# apt may upgrade an amd64 package together with its arm64 twin.
# android-libboringssl-dev is Multi-Arch: foreign (its :arm64 would remove
# the amd64 one): the amd64 -dev gives the headers, which are the same for
# both, and android-libboringssl:arm64 the arm64 libcrypto.so.0. libc6:arm64
# holds the dynamic loader that qemu-aarch64 -L / runs the tool with.
arm64_packages=(
  libc6:arm64
  libabsl-dev:arm64 libre2-dev:arm64 libprotobuf-dev:arm64 android-libboringssl:arm64
  zlib1g-dev:arm64 libzstd-dev:arm64 libdeflate-dev:arm64
)

# Prints the packages of "$@" that are not installed, one per line.
missing_of() {
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      echo "$p"
    fi
  done
}

# buildifier checks the Starlark files (tools/buildifier_check.sh). Debian
# does not package it; npm's @bazel/buildifier ships the release binary.
# Pinned, because each buildifier release adds lint warnings.
BUILDIFIER_VERSION=8.2.1

SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive

mapfile -t missing < <(missing_of "${packages[@]}" "${arm64_packages[@]}")
if ((${#missing[@]} == 0)); then
  echo "setup: all $((${#packages[@]} + ${#arm64_packages[@]})) packages already installed"
else
  echo "setup: installing ${missing[*]}"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $SUDO dpkg --add-architecture arm64
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if command -v buildifier >/dev/null; then
  echo "setup: $(buildifier --version | head -1)"
else
  # Debian's npm, unless a Node.js install (which brings its own) is there.
  if ! command -v npm >/dev/null; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends npm
  fi
  echo "setup: installing buildifier $BUILDIFIER_VERSION from npm"
  $SUDO npm install -g --no-fund --no-audit "@bazel/buildifier@$BUILDIFIER_VERSION"
fi
