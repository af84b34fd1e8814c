#!/usr/bin/env bash
# The quickstart: prepares the machine (engine, base image), builds msmlab, brings a
# Tomcat 9 lab up and verifies that its Tomcats share one session. The lab stays up:
# open the URL it prints, then remove it with `target/release/msmlab down` (its hints name the
# binary as it was run; `cargo install --path . --locked` puts `msmlab` on the PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

MSMLAB_JRES="${MSMLAB_JRES:-17}" scripts/setup.sh  # the default JRE is enough for the main job
cargo build --release --locked
target/release/msmlab up --tomcat 9 --serializer java "$@"
target/release/msmlab verify
