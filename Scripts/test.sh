#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every test
# against this host's kernel, then the cgroup tests again on pure cgroup v2
# and on pure cgroup v1, each in a VM (this host is hybrid; most users' hosts
# are v2). Between the two, the articles' code samples are compiled
# (check-doc-samples.sh).
# CONTAINMENT_REQUIRE_PRIVILEGED=1 turns skipped privileged tests into failures.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build --build-tests
swift test --skip-build
echo "── code samples of README.md and Documentation/"
Scripts/check-doc-samples.sh

if [ "$(id -u)" -eq 0 ]; then
  echo "── cgroup tests on pure cgroup v2 (qemu guest)"
  Scripts/cgroup2-vm.sh --timeout 900 .build/debug/swift-containmentPackageTests.xctest \
    --testing-library swift-testing --filter CgroupsTests
  echo "── cgroup tests on pure cgroup v1 (qemu guest)"
  Scripts/cgroup2-vm.sh --timeout 900 --v1 .build/debug/swift-containmentPackageTests.xctest \
    --testing-library swift-testing --filter CgroupsTests
elif [ "${CONTAINMENT_REQUIRE_PRIVILEGED:-}" = 1 ]; then
  echo "test.sh: the pure cgroup v2 and v1 runs need root, and CONTAINMENT_REQUIRE_PRIVILEGED=1 forbids skipping them" >&2
  exit 1
else
  echo "test.sh: skipping the pure cgroup v2 and v1 runs (need root)"
fi
