#!/bin/sh
# Sourced by demo.sh and test.sh: installs the Debian packages the project
# needs (when one is missing) and configures and builds it in $BUILD_DIR.
set -eu

PACKAGES="gcc libc6-dev pkg-config meson ninja-build libxrt-dev uuid-dev
libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
gstreamer1.0-tools gstreamer1.0-plugins-base valgrind
gobject-introspection libgirepository1.0-dev gir1.2-gstreamer-1.0
gir1.2-gst-plugins-base-1.0 python3-gi gi-docgen
git dpkg-dev debhelper lintian help2man"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  echo "Installing Debian packages:$missing"
  if [ "$(id -u)" -ne 0 ]; then
    echo "root is needed to install them (run as root, or install them first)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi

SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}

# -Ddoc=enabled: the API reference (docs/reference) is built too, and an
# undocumented public symbol fails the build. An existing build folder gets
# the option as well.
if [ -f "$BUILD_DIR/build.ninja" ]; then
  meson setup --reconfigure "$BUILD_DIR" "$SOURCE_DIR" -Ddoc=enabled \
    >/dev/null
else
  meson setup "$BUILD_DIR" "$SOURCE_DIR" -Ddoc=enabled
fi
ninja -C "$BUILD_DIR"

# XRT's no-op device: the folder the build made, whose lib/ links to XRT.
XRT_NOOP_ROOT=$BUILD_DIR/tests/xrt-noop
# The plugin, from the build tree, with a registry of its own.
GST_PLUGIN_PATH=$BUILD_DIR/gst/plugin
GST_REGISTRY=$BUILD_DIR/gst-registry.bin
export GST_PLUGIN_PATH GST_REGISTRY
