#!/bin/sh
# Installs the project into a scratch root and checks what a user gets:
# - the library files, SONAMEs and pkg-config versions agree with the
#   project version (libvvascore.so.X.Y.Z with SONAME libvvascore.so.X;
#   libgstvvas-1.0.so.0.<Y*100+Z>.0 with SONAME libgstvvas-1.0.so.0, as
#   GStreamer's libraries do), and every Since: tag is at most X.Y;
# - the installed tools run: vvas-make-xclbin writes an xclbin, and
#   vvas-xclbin-info prints the UUID XRT's no-op device reports for it;
# - examples/vvas_memory_demo.c and a version check build against the
#   installed headers and `pkg-config vvas-core` alone, and run on XRT's
#   no-op device with the installed library; examples/gst-app builds with
#   `pkg-config gstreamer-vvas-1.0` and runs with the installed libraries.
# Arguments: BUILD_DIR SOURCE_DIR PROJECT_VERSION C_COMPILER
set -eu

build_dir=$1
source_dir=$2
version=$3
cc=$4

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
micro=${rest#*.}
case "$major.$minor.$micro" in
  "$version") ;;
  *) fail "project version '$version' is not MAJOR.MINOR.MICRO" ;;
esac

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vvas-install-XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

root=$scratch/root
meson install -C "$build_dir" --no-rebuild --quiet --destdir "$root"

pc_file=$(find "$root" -name vvas-core.pc | head -n 1)
[ -n "$pc_file" ] || fail "vvas-core.pc was not installed"
PKG_CONFIG_PATH=$(dirname "$pc_file")
PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
libdir=$(dirname "$(dirname "$pc_file")")

# --- library file names, SONAMEs, pkg-config versions ----------------------
soname() {
  readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p'
}

check_library() { # FILE_NAME SONAME PC_NAME
  [ -f "$libdir/$1" ] && [ ! -L "$libdir/$1" ] ||
    fail "$libdir/$1 was not installed (found: $(ls "$libdir"))"
  got=$(soname "$libdir/$1")
  [ "$got" = "$2" ] || fail "$1 has SONAME '$got', not '$2'"
  [ "$(readlink -f "$libdir/$2")" = "$(readlink -f "$libdir/$1")" ] ||
    fail "$2 does not lead to $1"
  got=$(pkg-config --modversion "$3")
  [ "$got" = "$version" ] || fail "pkg-config $3 says '$got', not '$version'"
  echo "$1: SONAME $2, pkg-config $3 $got"
}

check_library "libvvascore.so.$version" "libvvascore.so.$major" vvas-core
if [ -f "$PKG_CONFIG_PATH/gstreamer-vvas-1.0.pc" ]; then
  check_library "libgstvvas-1.0.so.0.$((minor * 100 + micro)).0" \
    libgstvvas-1.0.so.0 gstreamer-vvas-1.0
fi

# Since: tags name the version a symbol came in: never a later one.
bad_since=$(grep -rhoE 'Since:[[:space:]]*[^[:space:]]*' \
    "$source_dir/lib" "$source_dir/gst" | awk -v maj="$major" -v min="$minor" '
  { v = $2
    if (v !~ /^[0-9]+\.[0-9]+$/) { print "malformed: " $0; next }
    split(v, p, ".")
    if (p[1] + 0 > maj + 0 || (p[1] + 0 == maj + 0 && p[2] + 0 > min + 0))
      print "later than " maj "." min ": " $0 }')
[ -z "$bad_since" ] || fail "Since: tags: $bad_since"

# --- the installed tools ------------------------------------------------------
bindir=$(dirname "$(find "$root" -type f -name vvas-xclbin-info | head -n 1)")
[ -x "$bindir/vvas-xclbin-info" ] || fail "vvas-xclbin-info was not installed"
[ -x "$bindir/vvas-make-xclbin" ] || fail "vvas-make-xclbin was not installed"
LD_LIBRARY_PATH=$libdir ldd "$bindir/vvas-xclbin-info" |
  grep "libvvascore" | grep -q "$root" ||
  fail "vvas-xclbin-info does not run with the installed libvvascore"

"$bindir/vvas-make-xclbin" "$scratch/two_banks.xclbin" 2
LD_LIBRARY_PATH=$libdir "$bindir/vvas-xclbin-info" "$scratch/two_banks.xclbin" \
  > "$scratch/info.txt"
cat "$scratch/info.txt"
grep -q '^banks:  2 (2 usable)$' "$scratch/info.txt" ||
  fail "vvas-xclbin-info does not list 2 usable banks"
info_uuid=$(sed -n 's/^uuid: *//p' "$scratch/info.txt")
got=$(LD_LIBRARY_PATH=$libdir "$bindir/vvas-xclbin-info" --version)
[ "$got" = "vvas-xclbin-info $version" ] || fail "--version says '$got'"

# --- applications built against the installed headers -----------------------
cflags=$(pkg-config --cflags vvas-core)
libs=$(pkg-config --libs vvas-core)
echo "pkg-config vvas-core: $cflags $libs"
case "$cflags $libs" in
  *"$source_dir"*|*"$build_dir"*)
    fail "pkg-config points into the source or build tree" ;;
esac

# The version header: its macros, the library's answer, the project's.
cat > "$scratch/version.c" <<'EOC'
#include <stdio.h>
#include <string.h>
#include <vvas_core/vvas_version.h>
#include <vvas_core/vvas_xclbin_info.h>
#if !VVAS_CORE_CHECK_VERSION(1, 0, 0)
#error "vvas_version.h is older than 1.0.0"
#endif
int
main (void)
{
  unsigned int major, minor, micro;

  vvas_core_get_version (&major, &minor, &micro);
  printf ("%u.%u.%u %d.%d.%d %s\n", major, minor, micro,
      VVAS_CORE_VERSION_MAJOR, VVAS_CORE_VERSION_MINOR,
      VVAS_CORE_VERSION_MICRO, vvas_core_version_string ());
  return strcmp (vvas_xclbin_mem_type_name (1), "DDR4") != 0;
}
EOC
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror $cflags "$scratch/version.c" $libs \
  -o "$scratch/version"
got=$(LD_LIBRARY_PATH=$libdir "$scratch/version")
[ "$got" = "$version $version $version" ] ||
  fail "runtime, macros and string say '$got', not '$version' three times"
echo "vvas_version.h and libvvascore: $version"

# shellcheck disable=SC2086
"$cc" -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror $cflags \
  "$source_dir/examples/vvas_memory_demo.c" $libs -o "$scratch/demo"

LD_LIBRARY_PATH=$libdir "$scratch/demo" -x "$scratch/two_banks.xclbin" -n 3 \
  > "$scratch/out.txt"
cat "$scratch/out.txt"
grep -q '^OK: ' "$scratch/out.txt" || fail "the demo did not print OK"
# The UUID the device reports is the one vvas-xclbin-info read.
grep -q "xclbin uuid $info_uuid\$" "$scratch/out.txt" ||
  fail "the device reports another UUID than vvas-xclbin-info's $info_uuid"

# The demo ran against the installed library, not the build tree's.
LD_LIBRARY_PATH=$libdir ldd "$scratch/demo" | grep -q "$root" ||
  fail "the demo does not run with the installed library"
# The GStreamer example against the installed gstreamer-vvas-1.0.pc. GStreamer
# itself is the system's, so the sysroot cannot apply to every .pc file: this
# project's are copied with their prefix pointing into the scratch root.
if [ -f "$PKG_CONFIG_PATH/gstreamer-vvas-1.0.pc" ]; then
  mkdir "$scratch/pc"
  for pc in "$PKG_CONFIG_PATH"/*.pc; do
    sed "s|^prefix=|prefix=$root|" "$pc" > "$scratch/pc/$(basename "$pc")"
  done
  gst_pkgs="gstreamer-vvas-1.0 gstreamer-app-1.0 gstreamer-video-1.0"
  # shellcheck disable=SC2086
  gst_flags=$(PKG_CONFIG_SYSROOT_DIR='' PKG_CONFIG_PATH=$scratch/pc \
    pkg-config --cflags --libs $gst_pkgs) ||
    fail "pkg-config $gst_pkgs failed"
  case "$gst_flags" in
    *"$source_dir"*|*"$build_dir"*)
      fail "pkg-config gstreamer-vvas-1.0 points into the source or build tree" ;;
  esac
  # shellcheck disable=SC2086
  "$cc" -std=c11 -Wall -Wextra -Werror \
    "$source_dir/examples/gst-app/vvas_gst_app.c" $gst_flags \
    -o "$scratch/gst-app"
  LD_LIBRARY_PATH=$libdir ldd "$scratch/gst-app" | grep "libgstvvas-1.0" |
    grep -q "$root" || fail "the GStreamer example does not run with the installed libgstvvas-1.0"
  LD_LIBRARY_PATH=$libdir "$scratch/gst-app" -x "$scratch/two_banks.xclbin" \
    -b 1 -n 3 > "$scratch/gst-app.txt"
  cat "$scratch/gst-app.txt"
  grep -q '^OK: ' "$scratch/gst-app.txt" ||
    fail "the GStreamer example did not print OK"
fi
echo "installed libraries, tools and examples checked"
