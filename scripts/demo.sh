#!/bin/sh
# The main job: on a fresh Debian 12 machine (as root), installs what the
# project needs, builds it, and runs the VVAS memory demo on XRT's no-op
# device with a generated two-bank xclbin.
set -eu
. "$(dirname "$0")/setup.sh"

xclbin=$BUILD_DIR/demo-two-banks.xclbin
"$BUILD_DIR/tests/common/vvas-make-xclbin" "$xclbin" 2

echo
echo "== vvas-memory-demo on XRT's no-op device =="
XCL_EMULATION_MODE=noop XILINX_XRT=$XRT_NOOP_ROOT \
  "$BUILD_DIR/examples/vvas-memory-demo" -x "$xclbin" -n 60 "$@"
