#!/bin/sh
# Build, lint and test spl-datafusion, a crate outside the main workspace (DataFusion is a
# large build). Not part of .ci/run, whose 15-minute budget it would break: a clean debug
# build of this crate alone takes about 12 minutes on two cores, and its tests about 6
# more (the benchmark pack, in a debug build). Run it by hand, or from a
# CI job of its own:
#
#     spl-datafusion/run-tests.sh
#
# The benchmark pack test needs ../shared/perf beside the repository; without it, it
# prints one `skipped:` line and passes (SPLC_REQUIRE_CORPUS=1 makes it fail instead).
set -eu
cd "$(dirname "$0")"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
nice -n 19 cargo fmt --check
nice -n 19 cargo clippy --all-targets -- -D warnings
nice -n 19 cargo test -- --nocapture
