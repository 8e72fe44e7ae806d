#!/usr/bin/env bash
# Installs the Debian packages swift-containment builds, tests and benchmarks
# with, when any is missing. Idempotent; needs root (or sudo).
set -euo pipefail
packages=(
  libseccomp-dev libcap-dev   # system libraries the SDK links
  uidmap                      # newuidmap/newgidmap for multi-range rootless maps
  busybox-static              # image roots for examples and tests
  libcap2-bin                 # setcap/getcap for file-capability tests
  gcc libc6-dev python3       # payloads the default seccomp profile must run
  qemu-system-x86             # the pure cgroup v2 guest (Scripts/cgroup2-vm.sh)
  util-linux iproute2 procps  # setpriv, ip, ps used by tests and examples
)
missing=()
for package in "${packages[@]}"; do
  case "$package" in \#*) continue ;; esac
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
