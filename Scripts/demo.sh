#!/usr/bin/env bash
# The main demo: installs what it needs, builds, and runs a command in fresh
# namespaces, printing the child's view beside the host's.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build --product namespaces-demo
exec .build/debug/namespaces-demo "$@"
