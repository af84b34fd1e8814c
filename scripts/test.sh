#!/usr/bin/env bash
# The whole test suite: prepares the machine (engine, base image, a loopback registry with
# stand-ins for Docker Hub's official images, and the static build), then runs the unit tests and the end-to-end
# tests, which bring real labs up on the engine.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/local-registry.sh
# The static binary, for the test that runs it in a bare job container (tests/e2e/remote_engine.rs).
MSMLAB_STATIC_BINARY="$(scripts/static-build.sh)"
export MSMLAB_STATIC_BINARY
# Every test binary runs even when one fails, so a failure never hides the others.
cargo test --locked --no-fail-fast "$@"
