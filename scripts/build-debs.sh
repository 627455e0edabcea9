#!/bin/sh
# Builds the Debian packages from debian/ (dpkg-buildpackage -us -uc -b) in a
# scratch folder, checks them with lintian (an error fails), checks that apt
# could install them here, unpacks them into a scratch root (the machine's
# /usr is not touched) and runs a gst-launch-1.0 pipeline through the plugin
# from that root on XRT's no-op device. See docs/packaging.md.
#
# Usage: scripts/build-debs.sh [--keep] [--out DIR] [--update-symbols]
#                               [--with-untracked | --commit REV]
#   --keep            keep the scratch folder (build log, .debs, root)
#   --update-symbols  when the libraries' exported symbols differ from
#                     debian/*.symbols, rewrite those files in the checkout
#                     (new symbols get this upstream version) and build again
#   --out DIR         copy the .debs, .buildinfo and .changes into DIR
#   --with-untracked  also copy files git does not track yet (not ignored)
#   --commit REV      build git revision REV (git archive) instead
# The source is the working tree's git-tracked files, as they are on disk
# (uncommitted edits included). Root is needed only to install missing
# Debian packages. Ends with "OK: ..." or exits non-zero.
set -eu

keep=0
out_dir=
with_untracked=0
commit=
update_symbols=0
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=1 ;;
    --out) out_dir=${2:?--out needs a folder}; shift ;;
    --with-untracked) with_untracked=1 ;;
    --update-symbols) update_symbols=1 ;;
    --commit) commit=${2:?--commit needs a revision}; shift ;;
    -h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$SOURCE_DIR/debian/control" ] || fail "no debian/control in $SOURCE_DIR"
start=$(date +%s)

# --- Debian packages this needs -----------------------------------------------
# The tools to build and check packages and run the pipeline, then the
# Build-Depends of debian/control (dpkg-checkbuilddeps says what is unmet).
TOOLS="dpkg-dev debhelper lintian gstreamer1.0-tools gstreamer1.0-plugins-base python3-gi
git"
missing=
for p in $TOOLS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'
  then
    missing="$missing $p"
  fi
done
builddeps_met=1
if ! command -v dpkg-checkbuilddeps >/dev/null ||
    ! dpkg-checkbuilddeps "$SOURCE_DIR/debian/control" >/dev/null 2>&1; then
  builddeps_met=0
fi
if [ -n "$missing" ] || [ $builddeps_met -eq 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    fail "missing Debian packages:${missing:- (build dependencies)}; run as root to install them"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  if [ -n "$missing" ]; then
    echo "Installing Debian packages:$missing"
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
  fi
  if ! dpkg-checkbuilddeps "$SOURCE_DIR/debian/control" >/dev/null 2>&1; then
    echo "Installing the build dependencies of debian/control"
    apt-get build-dep -y -q --no-install-recommends "$SOURCE_DIR"
  fi
  dpkg-checkbuilddeps "$SOURCE_DIR/debian/control" ||
    fail "build dependencies still unmet"
fi

# --- a copy of the source in a scratch folder ---------------------------------
# dpkg-buildpackage writes the packages into the parent of the source folder:
# that parent is the scratch folder, never the checkout's parent.
work=$(mktemp -d "${TMPDIR:-/tmp}/vvas-debs-XXXXXX")
cleanup() {
  if [ $keep -eq 1 ]; then
    echo "scratch folder kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

src=$work/source
mkdir -p "$src"
if [ -n "$commit" ]; then
  (cd "$SOURCE_DIR" && git archive --format=tar "$commit") | tar -xf - -C "$src"
  echo "source: git archive $commit of $SOURCE_DIR"
else
  list=$work/files.list
  (
    cd "$SOURCE_DIR"
    if [ $with_untracked -eq 1 ]; then
      git ls-files -z --cached --others --exclude-standard
    else
      git ls-files -z --cached
    fi
  ) > "$list"
  # Tracked files deleted in the working tree are left out, as a build of
  # the working tree would.
  (cd "$SOURCE_DIR" && tr '\0' '\n' < "$list" | while IFS= read -r f; do
    if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
  done | tar --null -T - -cf -) | tar -xf - -C "$src"
  echo "source: $(find "$src" -type f | wc -l) files of $SOURCE_DIR's working tree"
fi
[ -f "$src/debian/rules" ] ||
  fail "debian/ is not tracked by git yet (commit it, or pass --with-untracked)"
source_name=$(dpkg-parsechangelog -l "$src/debian/changelog" -SSource)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -SVersion)
upstream_version=${version%-*}
meson_version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" \
  "$src/meson.build" | head -n 1)
[ "$upstream_version" = "$meson_version" ] ||
  fail "debian/changelog says $version, meson.build says $meson_version: add a changelog entry (dch -v $meson_version-1)"

mv "$src" "$work/$source_name-$upstream_version"
src=$work/$source_name-$upstream_version

# --- build ----------------------------------------------------------------------
# Source and binary packages: the source package lets lintian check debian/
# itself (copyright, control, rules), which a binary-only build hides. The
# orig tarball is the copied source without debian/.
(cd "$work" && tar -cJf "${source_name}_$upstream_version.orig.tar.xz" \
  --exclude="$source_name-$upstream_version/debian" \
  "$source_name-$upstream_version")
jobs=$(nproc 2>/dev/null || echo 1)
# The system's PATH, as in a build chroot: the build finds Debian's python3,
# not one a user installed first on PATH.
build() {
  (cd "$src" &&
    PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEB_BUILD_OPTIONS="parallel=$jobs ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc) > "$work/build.log" 2>&1
}
# The library packages with a symbols file.
symbols_packages=
for f in "$src"/debian/*.symbols; do
  [ -e "$f" ] && symbols_packages="$symbols_packages $(basename "$f" .symbols)"
done
echo "dpkg-buildpackage -us -uc (log: $work/build.log)"
if ! build; then
  if grep -q '^dpkg-gensymbols: error' "$work/build.log"; then
    sed -n '/^dpkg-gensymbols: error/,/^dh_makeshlibs: error/p' \
      "$work/build.log" >&2
    if [ $update_symbols -eq 1 ]; then
      for p in $symbols_packages; do
        (cd "$src" && dpkg-gensymbols -p"$p" -P"debian/$p" \
          -v"$upstream_version" -O -q) > "$SOURCE_DIR/debian/$p.symbols"
        cp "$SOURCE_DIR/debian/$p.symbols" "$src/debian/$p.symbols"
      done
      echo "debian/*.symbols rewritten in $SOURCE_DIR (review and commit them); building again"
      build || {
        tail -n 60 "$work/build.log" >&2
        keep=1
        fail "dpkg-buildpackage failed (whole log: $work/build.log)"
      }
    else
      keep=1
      fail "the libraries' symbols differ from debian/*.symbols: if the API change is meant, run again with --update-symbols (see debian/README.source)"
    fi
  else
    tail -n 60 "$work/build.log" >&2
    keep=1
    fail "dpkg-buildpackage failed (whole log: $work/build.log)"
  fi
fi
# dpkg-gensymbols and dh_missing report here what changed.
grep -E '^dpkg-gensymbols: warning|^dh_missing' "$work/build.log" || true
# Built against Debian's XRT (debian/rules: -Dxrt_root=/usr), whatever else
# the machine has.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
xrt_line=$(grep -m 1 '^Message: XRT headers: ' "$work/build.log" || true)
if [ "$xrt_line" != "Message: XRT headers: /usr/include/xrt, library: /usr/lib/$multiarch" ]; then
  keep=1
  fail "the packages were not built against Debian's XRT in /usr (log: $work/build.log): ${xrt_line:-no XRT line}"
fi
echo "XRT: ${xrt_line#Message: XRT }"
changes=$(ls "$work"/*.changes)
debs=$(ls "$work"/*.deb)
echo "built:"
for d in $debs; do
  printf '  %s (%s)\n' "$(basename "$d")" "$(du -h "$d" | cut -f1)"
done

# --- lintian ----------------------------------------------------------------------
# Warnings and info are printed (debian/README.source says why those that
# remain are there); an error fails.
echo "lintian $(basename "$changes"):"
lintian_user=
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 &&
    command -v runuser >/dev/null; then
  # lintian warns when it runs as root; it only reads the files (when the
  # scratch folder's parents let another user in).
  chmod -R a+rX "$work"
  if runuser -u nobody -- test -r "$changes"; then
    lintian_user=nobody
  fi
fi
set +e
if [ -n "$lintian_user" ]; then
  runuser -u "$lintian_user" -- env HOME="$work" \
    lintian --fail-on error --display-info --pedantic "$changes" \
    > "$work/lintian.txt" 2>&1
else
  lintian --fail-on error --display-info --pedantic "$changes" \
    > "$work/lintian.txt" 2>&1
fi
lintian_rc=$?
set -e
sed 's/^/  /' "$work/lintian.txt"
[ $lintian_rc -eq 0 ] || fail "lintian found errors (exit $lintian_rc)"
echo "  lintian: no errors ($(grep -c '^W: ' "$work/lintian.txt" || true) warnings," \
  "$(grep -c '^[IP]: ' "$work/lintian.txt" || true) info/pedantic tags)"

# --- could apt install them here? -------------------------------------------------
# A simulation: nothing is installed. It fails when a Depends cannot be met
# from this machine's packages and archives.
echo "apt-get install --simulate:"
# shellcheck disable=SC2086 # one argument per package file
if ! apt-get install --simulate --no-install-recommends $debs \
    > "$work/apt-simulate.txt" 2>&1; then
  cat "$work/apt-simulate.txt" >&2
  fail "apt-get cannot install the packages on this machine"
fi
ours=$(for d in $debs; do dpkg-deb -f "$d" Package; done)
extra=$(sed -n 's/^Inst \([^ ]*\) .*/\1/p' "$work/apt-simulate.txt" |
  grep -vxF "$ours" || true)
echo "  installable; other packages apt would add: ${extra:-none}"

# --- unpack into a scratch root -------------------------------------------------
root=$work/root
mkdir -p "$root"
for d in $debs; do
  dpkg-deb -x "$d" "$root"
done
libdir=$root/usr/lib/$multiarch
plugin=$libdir/gstreamer-1.0/libgstvvas.so
[ -f "$plugin" ] || fail "the plugin is not in the packages ($plugin)"

# The plugin's libraries resolve into the root (none are on the machine's
# library path as well, or they would come from there).
ldd_out=$(LD_LIBRARY_PATH=$libdir ldd "$plugin")
for lib in libgstvvas-1.0.so.0 libvvascore.so.1; do
  echo "$ldd_out" | grep -q "$lib => $libdir/" ||
    fail "$lib does not resolve into the root: $(echo "$ldd_out" | grep "$lib")"
done
if echo "$ldd_out" | grep -q 'not found'; then
  fail "unresolved libraries: $(echo "$ldd_out" | grep 'not found')"
fi

# XRT's no-op device: XILINX_XRT/lib must hold libxrt_noop.so.2 (Debian
# installs it in the multiarch libdir), as tests/meson.build sets it up.
xrt_coreutil=$(find /usr/lib/"$multiarch" /usr/lib /opt/xilinx/xrt/lib \
  -maxdepth 1 -name 'libxrt_coreutil.so.2' 2>/dev/null | head -n 1)
[ -n "$xrt_coreutil" ] || fail "libxrt_coreutil.so.2 not found (libxrt1)"
xrt_libdir=$(dirname "$xrt_coreutil")
[ -e "$xrt_libdir/libxrt_noop.so.2" ] ||
  fail "XRT's no-op shim libxrt_noop.so.2 is not in $xrt_libdir"
mkdir -p "$work/xrt-noop"
ln -s "$xrt_libdir" "$work/xrt-noop/lib"

export LD_LIBRARY_PATH="$libdir"
export XCL_EMULATION_MODE=noop XILINX_XRT="$work/xrt-noop"
export GST_DEBUG_NO_COLOR=1
unset GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0 GST_PLUGIN_SYSTEM_PATH GST_DEBUG \
  GST_REGISTRY GST_PLUGIN_SYSTEM_PATH_1_0 GST_REGISTRY_1_0 LD_PRELOAD \
  VVAS_XRT_EMULATION

# --- gst-inspect-1.0 vvas: only the root's plugins, every warning shown -----------
echo "gst-inspect-1.0 vvas:"
if ! GST_PLUGIN_SYSTEM_PATH_1_0=$libdir/gstreamer-1.0 \
    GST_REGISTRY_1_0=$work/registry-inspect.bin GST_DEBUG='*:2' \
    gst-inspect-1.0 vvas > "$work/inspect.txt" 2> "$work/inspect.err"; then
  cat "$work/inspect.txt" "$work/inspect.err" >&2
  fail "gst-inspect-1.0 vvas failed"
fi
grep -E '^  (Filename|Version|License|Source module|Binary package|Origin URL)' \
  "$work/inspect.txt" || true
grep -Eq "^  Filename +$plugin\$" "$work/inspect.txt" ||
  fail "gst-inspect-1.0 did not load the plugin from the root"
grep -Eq '^  License +MIT/X11$' "$work/inspect.txt" ||
  fail "the plugin's license is not MIT/X11"
# The binary package name and origin URL debian/rules passes to Meson.
for field in 'Binary package:PACKAGE_NAME' 'Origin URL:PACKAGE_ORIGIN'; do
  label=${field%%:*}
  want=$(sed -n "s/^${field#*:} = //p" "$src/debian/rules")
  [ -n "$want" ] || fail "debian/rules sets no ${field#*:}"
  got=$(sed -n "s/^  $label  *//p" "$work/inspect.txt")
  [ "$got" = "$want" ] ||
    fail "the plugin's $label is '$got', debian/rules says '$want'"
done
for element in vvasupload vvasdownload; do
  grep -Eq "^  $element: " "$work/inspect.txt" ||
    fail "the plugin has no $element element"
done
if [ -s "$work/inspect.err" ]; then
  cat "$work/inspect.err" >&2
  fail "gst-inspect-1.0 vvas printed warnings"
fi
echo "  loaded from the root, license MIT/X11, binary package and origin as debian/rules sets them, no warning"

# --- the pipeline -------------------------------------------------------------------
# An xclbin with two banks from the installed vvas-make-xclbin
# (vvas-xrt-memory-tools), as a user without an FPGA would make one.
frames=${FRAMES:-30}
make_xclbin=$root/usr/bin/vvas-make-xclbin
xclbin_info=$root/usr/bin/vvas-xclbin-info
if [ ! -x "$make_xclbin" ] || [ ! -x "$xclbin_info" ]; then
  fail "no package installs /usr/bin/vvas-make-xclbin and /usr/bin/vvas-xclbin-info"
fi
"$make_xclbin" "$work/two-banks.xclbin" 2 > /dev/null ||
  fail "$make_xclbin failed"
# The installed vvas-xclbin-info reads it back: two used banks.
"$xclbin_info" "$work/two-banks.xclbin" > "$work/xclbin-info.txt" ||
  fail "$xclbin_info failed on $work/two-banks.xclbin"
grep -q '^banks: *2 (2 usable)' "$work/xclbin-info.txt" || {
  cat "$work/xclbin-info.txt" >&2
  fail "vvas-xclbin-info does not show the two banks vvas-make-xclbin wrote"
}
echo "vvas-make-xclbin wrote a two-bank xclbin; vvas-xclbin-info: $(grep '^banks:' "$work/xclbin-info.txt")"
pipeline="videotestsrc num-buffers=$frames
  ! video/x-raw,format=NV12,width=1280,height=720
  ! vvasupload dev-idx=0 mem-bank=1 xclbin-location=$work/two-banks.xclbin
  ! vvasdownload ! fakesink"
echo "gst-launch-1.0 on XRT's no-op device:"
echo "$pipeline" | sed 's/^/  /'
# The root's plugin first, then the machine's (videotestsrc, fakesink).
# shellcheck disable=SC2086
if ! GST_PLUGIN_SYSTEM_PATH_1_0=$libdir/gstreamer-1.0:/usr/lib/$multiarch/gstreamer-1.0 \
    GST_REGISTRY_1_0=$work/registry-launch.bin \
    GST_DEBUG=vvasupload:4,vvasdownload:4 \
    gst-launch-1.0 $pipeline > "$work/launch.txt" 2>&1; then
  tail -n 40 "$work/launch.txt" >&2
  fail "the pipeline failed"
fi
for element in vvasupload0 vvasdownload0; do
  line=$(grep "$element> EOS: " "$work/launch.txt" | tail -n 1)
  echo "  ${line#*> }" | sed "s/^  /  $element: /"
  echo "$line" | grep -q "EOS: $frames buffers passed through, 0 copied" ||
    fail "$element did not pass $frames buffers through without a copy"
done

# --- the typelib, from Python ---------------------------------------------------
# Debian's python3 (python3-gi), not another python3 that may come first on
# PATH.
GI_TYPELIB_PATH=$libdir/girepository-1.0 /usr/bin/python3 -c '
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstVvas", "1.0")
from gi.repository import Gst, GstVvas
assert issubclass(GstVvas.Allocator, Gst.Allocator), "no GstVvas.Allocator"
' || fail "the installed typelib GstVvas-1.0 does not load in Python"
echo "GstVvas-1.0 typelib: loads in Python, GstVvas.Allocator is a Gst.Allocator"

if [ -n "$out_dir" ]; then
  mkdir -p "$out_dir"
  cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$work"/*.dsc \
    "$work"/*.tar.xz "$out_dir"/
  echo "packages copied to $out_dir"
fi
count=$(echo "$debs" | wc -w)
echo "OK: $count packages of $source_name $version built, lintian clean of errors, installed into a scratch root, $frames frames through the installed plugin ($(($(date +%s) - start)) s)"
