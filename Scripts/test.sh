#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, and runs every test
# against the real kernel. CONTAINMENT_REQUIRE_PRIVILEGED=1 turns skipped
# privileged tests into failures.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build --build-tests
swift test --skip-build
