#!/bin/sh
# On a fresh Debian 12 machine (as root): installs what the project needs,
# builds it, and runs the whole test suite through meson test, three ways:
# plain; under valgrind; and the core tests again built with AddressSanitizer
# and UndefinedBehaviorSanitizer. Ends with one line "N passed, N failed"
# (", N skipped" when some were), summed over the three runs.
set -eu
. "$(dirname "$0")/setup.sh"

ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-$SOURCE_DIR/build-asan}
if [ -f "$ASAN_BUILD_DIR/build.ninja" ]; then
  meson setup --reconfigure "$ASAN_BUILD_DIR" "$SOURCE_DIR" >/dev/null
else
  meson setup "$ASAN_BUILD_DIR" "$SOURCE_DIR" \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$ASAN_BUILD_DIR"

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
run valgrind -C "$BUILD_DIR" --setup valgrind
# The installed-example test builds an uninstrumented program: core only.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run sanitizers -C "$ASAN_BUILD_DIR" --suite core

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
