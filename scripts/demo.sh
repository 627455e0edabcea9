#!/bin/sh
# The main job: on a fresh Debian 12 machine (as root), installs what the
# project needs, builds it, and runs a gst-launch-1.0 pipeline that moves
# 1080p NV12 frames through VVAS device memory on XRT's no-op device, then
# prints what the elements counted: every buffer passed on, none copied.
set -eu
. "$(dirname "$0")/setup.sh"

FRAMES=${FRAMES:-300}
xclbin=$BUILD_DIR/demo-two-banks.xclbin
"$BUILD_DIR/tools/vvas-make-xclbin" "$xclbin" 2

pipeline="videotestsrc num-buffers=$FRAMES pattern=smpte
  ! video/x-raw,format=NV12,width=1920,height=1080,framerate=30/1
  ! vvasupload dev-idx=0 mem-bank=1 xclbin-location=$xclbin
  ! vvasdownload ! fakesink"

echo
echo "== gst-launch-1.0 on XRT's no-op device =="
echo "$pipeline" | sed 's/^/  /'
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
if ! XCL_EMULATION_MODE=noop XILINX_XRT=$XRT_NOOP_ROOT GST_DEBUG_NO_COLOR=1 \
    GST_DEBUG=vvasupload:4,vvasdownload:4 gst-launch-1.0 $pipeline \
    >"$log" 2>&1; then
  cat "$log"
  echo "the pipeline failed" >&2
  exit 1
fi
grep -E '^(Execution ended|Got EOS)' "$log" | sed 's/^/  /'
echo "== what the elements counted =="
sed -n 's/.*<\(vvas[a-z]*[0-9]*\)> EOS: /  \1: /p' "$log"
if ! grep -q "vvasupload0> EOS: $FRAMES buffers passed through, 0 copied" \
    "$log" ||
  ! grep -q "vvasdownload0> EOS: $FRAMES buffers passed through, 0 copied" \
    "$log"; then
  echo "expected all $FRAMES frames passed through both elements" >&2
  exit 1
fi
echo "OK: $FRAMES frames of 1920x1080 NV12 through device memory, zero copies"
