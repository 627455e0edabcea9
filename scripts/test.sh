#!/bin/sh
# On a fresh Debian 12 machine (as root): installs what the project needs,
# builds it, and runs the whole test suite through meson test, five ways:
# plain (every suite, the Python one, gi, included); on the emulated device
# (tests/common/xrt_emu.h: a device copy per buffer, so that a wrong or
# missing transfer shows as wrong bytes); under valgrind (the test setup
# leaves out the gi and install suites); the core and
# GStreamer-library tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer; and the same built with ThreadSanitizer.
# Ends with one line "N passed, N failed" (", N skipped" when some were),
# summed over the runs.
set -eu
. "$(dirname "$0")/setup.sh"

# A sanitizer build of its own: build_sanitized DIR SANITIZERS
build_sanitized () {
  if [ -f "$1/build.ninja" ]; then
    meson setup --reconfigure "$1" "$SOURCE_DIR" >/dev/null
  else
    meson setup "$1" "$SOURCE_DIR" -Db_sanitize="$2" -Db_lundef=false \
      >/dev/null
  fi
  ninja -C "$1"
}
ASAN_BUILD_DIR=$SOURCE_DIR/build-asan
TSAN_BUILD_DIR=$SOURCE_DIR/build-tsan
build_sanitized "$ASAN_BUILD_DIR" address,undefined
build_sanitized "$TSAN_BUILD_DIR" thread

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

status=0
run () {
  name=$1
  shift
  echo "== meson test: $name =="
  meson test --no-rebuild --print-errorlogs "$@" 2>&1 \
    | tee "$logs/$name.txt" || status=1
}

run plain -C "$BUILD_DIR"
run emulated -C "$BUILD_DIR" --setup emulated
run valgrind -C "$BUILD_DIR" --setup valgrind
# Tests that start uninstrumented programs (gst-launch-1.0, the plugin
# scanner, the installed example) on instrumented libraries cannot run
# under a sanitizer: the plugin and install suites are left out.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run asan -C "$ASAN_BUILD_DIR" --suite core --suite gst
export TSAN_OPTIONS=halt_on_error=1
run tsan -C "$TSAN_BUILD_DIR" --suite core --suite gst

# Adds up one field of meson's closing summaries.
total () {
  sed -n "s/^$1: *\([0-9][0-9]*\) *$/\1/p" "$logs"/*.txt \
    | awk '{ n += $1 } END { print n + 0 }'
}
passed=$(( $(total Ok) + $(total 'Expected Fail') ))
failed=$(( $(total Fail) + $(total 'Unexpected Pass') + $(total Timeout) ))
skipped=$(total Skipped)

if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
[ "$failed" -eq 0 ] || status=1
if [ "$skipped" -ne 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
