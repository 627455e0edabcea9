#!/bin/sh
# On a fresh Debian 12 machine (as root): installs what the project needs,
# builds it, and runs the whole test suite through meson test: every test,
# then the core tests again under valgrind. Ends with one line
# "N passed, N failed" (", N skipped" when some were).
set -eu
. "$(dirname "$0")/setup.sh"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

status=0
meson test -C "$BUILD_DIR" --no-rebuild --print-errorlogs \
  2>&1 | tee "$logs/plain.txt" || status=1
meson test -C "$BUILD_DIR" --no-rebuild --print-errorlogs --setup valgrind \
  2>&1 | tee "$logs/valgrind.txt" || status=1

# Adds up one field of meson's closing summary over both runs.
total () {
  sed -n "s/^$1: *\([0-9][0-9]*\) *$/\1/p" "$logs/plain.txt" \
    "$logs/valgrind.txt" | awk '{ n += $1 } END { print n + 0 }'
}
passed=$(( $(total Ok) + $(total 'Expected Fail') ))
failed=$(( $(total Fail) + $(total 'Unexpected Pass') + $(total Timeout) ))
skipped=$(total Skipped)

if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
if [ "$failed" -ne 0 ]; then
  status=1
fi
if [ "$skipped" -ne 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
