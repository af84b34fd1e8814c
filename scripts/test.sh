#!/usr/bin/env bash
# The whole test suite: prepares the machine (engine, base image, and a loopback registry with
# stand-ins for Docker Hub's official images), then runs the unit tests and the end-to-end
# tests, which bring real labs up on the engine.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/local-registry.sh
# Every test binary runs even when one fails, so a failure never hides the others.
cargo test --locked --no-fail-fast "$@"
