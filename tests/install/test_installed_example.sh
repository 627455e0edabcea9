#!/bin/sh
# Installs the project into a scratch root, builds examples/vvas_memory_demo.c
# against the installed headers and `pkg-config vvas-core` alone, and runs it
# on XRT's no-op device.
# Arguments: BUILD_DIR SOURCE_DIR MAKE_XCLBIN C_COMPILER
set -eu

build_dir=$1
source_dir=$2
make_xclbin=$3
cc=$4

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vvas-install-XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

root=$scratch/root
meson install -C "$build_dir" --no-rebuild --quiet --destdir "$root"

pc_file=$(find "$root" -name vvas-core.pc | head -n 1)
if [ -z "$pc_file" ]; then
  echo "vvas-core.pc was not installed" >&2
  exit 1
fi
PKG_CONFIG_PATH=$(dirname "$pc_file")
PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

cflags=$(pkg-config --cflags vvas-core)
libs=$(pkg-config --libs vvas-core)
echo "pkg-config vvas-core: $cflags $libs"
case "$cflags $libs" in
  *"$source_dir"*|*"$build_dir"*)
    echo "pkg-config points into the source or build tree" >&2
    exit 1 ;;
esac

# shellcheck disable=SC2086
"$cc" -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror $cflags \
  "$source_dir/examples/vvas_memory_demo.c" $libs -o "$scratch/demo"

libdir=$(dirname "$(find "$root" -name 'libvvascore.so.1' | head -n 1)")
"$make_xclbin" "$scratch/two_banks.xclbin" 2

LD_LIBRARY_PATH=$libdir "$scratch/demo" -x "$scratch/two_banks.xclbin" -n 3 \
  > "$scratch/out.txt"
cat "$scratch/out.txt"
grep -q '^OK: ' "$scratch/out.txt"

# The demo ran against the installed library, not the build tree's.
LD_LIBRARY_PATH=$libdir ldd "$scratch/demo" | grep -q "$root"
echo "installed example built and ran"
