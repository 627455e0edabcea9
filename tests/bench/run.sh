#!/bin/sh
# Runs the VVAS memory benchmark (tests/bench/bench_vvas.c) and draws its plot.
#
#   tests/bench/run.sh [BUILD_DIR] [bench_vvas options...]
#
# BUILD_DIR defaults to ./build (configured and built if needed). Results go
# to $BENCH_OUT (default BUILD_DIR/bench-results): table.txt (the table
# printed on stdout), table.md, bench.csv (one row per figure), samples.csv
# (every sample), bench.png (contention and pipeline figures) and
# many-streams.png (the streams section).
#
# The environment: XRT's no-op device (XCL_EMULATION_MODE=noop, XILINX_XRT
# = BUILD_DIR/tests/xrt-noop), the plugin from the build tree with a private
# registry, no GStreamer debug output, and glibc's regime for large blocks
# pinned: BENCH_MALLOC_REGIME=heap (default: frame-sized blocks come from
# the heap, as they do in a long-running process) or mmap (each one is
# mmapped). The allocator figures are measured in child processes of their
# own, with the regime pinned (heap, mmap) or glibc's default settings, and
# with the recycling cache on and off, whatever this is set to.
#
# Options after BUILD_DIR go to bench_vvas (e.g. --quick, --only pool,map);
# see `BUILD_DIR/tests/bench/bench_vvas --help`.
set -eu

SOURCE_DIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$SOURCE_DIR/build
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  BUILD_DIR=$1
  shift
fi
case $BUILD_DIR in
  /*) ;;
  *) BUILD_DIR=$(pwd)/$BUILD_DIR ;;
esac

# gnuplot draws the plot: Debian's gnuplot-nox, installed as
# scripts/setup.sh installs packages.
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "Installing Debian package: gnuplot-nox"
  if [ "$(id -u)" -ne 0 ]; then
    echo "root is needed to install gnuplot-nox (run as root, or install it" \
      "first); the benchmark runs without the plot" >&2
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends gnuplot-nox
  fi
fi

if [ -f "$BUILD_DIR/build.ninja" ]; then
  # A build configured before tests/bench existed does not know it yet.
  if [ ! -d "$BUILD_DIR/tests/bench" ]; then
    meson setup --reconfigure "$BUILD_DIR" "$SOURCE_DIR" >/dev/null
  fi
else
  meson setup "$BUILD_DIR" "$SOURCE_DIR"
fi
ninja -C "$BUILD_DIR" >/dev/null

BENCH=$BUILD_DIR/tests/bench/bench_vvas
if [ ! -x "$BENCH" ]; then
  echo "$BENCH was not built (are the GStreamer development packages" \
    "installed, and does tests/meson.build include tests/bench?)" >&2
  exit 1
fi
buildtype=$(meson introspect --buildoptions "$BUILD_DIR" 2>/dev/null |
  tr '{' '\n' | grep '"name": "buildtype"' |
  sed 's/.*"value": "\([a-z]*\)".*/\1/' || true)
case $buildtype in
  debugoptimized|release|minsize) ;;
  *) echo "warning: BUILD_DIR has buildtype '$buildtype': optimise" \
    "(debugoptimized or release) for figures that mean something" >&2 ;;
esac

OUT=${BENCH_OUT:-$BUILD_DIR/bench-results}
mkdir -p "$OUT"

# XRT's no-op device: the folder the build made, whose lib/ links to XRT.
XCL_EMULATION_MODE=noop
XILINX_XRT=$BUILD_DIR/tests/xrt-noop
# The plugin from the build tree, next to the system's (videotestsrc,
# fakesink), with a registry of its own.
GST_PLUGIN_PATH=$BUILD_DIR/gst/plugin
GST_REGISTRY=$BUILD_DIR/tests/bench/gst-registry.bin
export XCL_EMULATION_MODE XILINX_XRT GST_PLUGIN_PATH GST_REGISTRY
unset GST_DEBUG GST_TRACERS G_SLICE LD_PRELOAD GLIBC_TUNABLES || true

# glibc's regime for frame-sized blocks, pinned: setting both thresholds
# stops glibc from moving the mmap threshold by itself.
case ${BENCH_MALLOC_REGIME:-heap} in
  heap) MALLOC_MMAP_THRESHOLD_=33554432; MALLOC_TRIM_THRESHOLD_=536870912 ;;
  mmap) MALLOC_MMAP_THRESHOLD_=131072; MALLOC_TRIM_THRESHOLD_=131072 ;;
  *) echo "BENCH_MALLOC_REGIME must be heap or mmap" >&2; exit 2 ;;
esac
export MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_

"$BENCH" --out-dir "$OUT" "$@" | tee "$OUT/table.txt"

# The plot: total operations per second against threads for the three
# contention figures, and the pipelines' frames per second.
CSV=$OUT/bench.csv
for s in contention-pool contention-map-shared contention-map-per-thread \
    contention-pool-floor; do
  awk -F, -v s="$s" '$1 == s && $3 > 0 {
    print $3, $5, $6, $7, $10, $11, $12 }' "$CSV" > "$OUT/$s.dat"
done
awk -F, '$1 == "pipeline" {
  label = ($3 == 1) ? "zero-copy" : "force-copy";
  print $3, label, $5, $6, $7, $10, $11, $12 }' "$CSV" > "$OUT/pipeline.dat"

if ! command -v gnuplot >/dev/null 2>&1; then
  echo "no gnuplot: no plot" >&2
  exit 0
fi

# The many-streams plot: total frames per second and resident memory per
# stream against the number of concurrent pipelines.
for s in streams-fps streams-rss; do
  awk -F, -v s="$s" '$1 == s && $3 > 0 {
    print $3, $5, $6, $7, $10, $11, $12 }' "$CSV" > "$OUT/$s.dat"
done
if [ -s "$OUT/streams-fps.dat" ] && [ -s "$OUT/streams-rss.dat" ]; then
  gnuplot <<EOF
set terminal pngcairo size 1400,600 font "DejaVu Sans,11"
set output "$OUT/many-streams.png"
set multiplot layout 1,2 title "Concurrent 1080p NV12 pipelines in one process (XRT no-op device, $(nproc) CPUs); median, bars: min..max over rounds"
set grid
set xlabel "concurrent pipelines"
set logscale x 2
set xtics (1, 4, 16, 32)
set xrange [0.8:40]
set yrange [0:*]

set title "total frames per second"
set ylabel "frames per second, all pipelines"
set key bottom left
plot "$OUT/streams-fps.dat" using (\$1*0.97):2:3:4 with yerrorlines lw 2 pt 7 title "videotestsrc ! vvasupload ! vvasdownload ! fakesink", \
     "" using (\$1*1.03):5:6:7 with yerrorlines lw 2 pt 5 title "videotestsrc ! fakesink (system memory)"

set title "resident memory per pipeline"
set ylabel "VmRSS / pipelines (MiB)"
set key top right
plot "$OUT/streams-rss.dat" using (\$1*0.97):2:3:4 with yerrorlines lw 2 pt 7 title "VVAS pipelines", \
     "" using (\$1*1.03):5:6:7 with yerrorlines lw 2 pt 5 title "system-memory pipelines"
unset multiplot
EOF
  echo "wrote $OUT/many-streams.png"
fi
for f in contention-pool contention-map-shared contention-map-per-thread \
    pipeline; do
  if [ ! -s "$OUT/$f.dat" ]; then
    echo "no plot: it needs the contention and pipeline sections"
    exit 0
  fi
done

gnuplot <<EOF
set terminal pngcairo size 1600,1100 font "DejaVu Sans,11"
set output "$OUT/bench.png"
set multiplot layout 2,2 title "VVAS memory vs system memory (XRT no-op device, $(nproc) CPUs); median, bars: min..max over rounds"
set grid
set key top right
set xlabel "threads"
set logscale x 2
set xtics (1, 2, 4, 8)
set xrange [0.8:10]
set ylabel "total operations per second (millions)"
set yrange [0:*]

set title "buffer pool acquire+release, one shared pool"
plot "$OUT/contention-pool.dat" using (\$1*0.97):(\$2/1e6):(\$3/1e6):(\$4/1e6) with yerrorlines lw 2 pt 7 title "GstVvasBufferPool", \
     "" using (\$1*1.03):(\$5/1e6):(\$6/1e6):(\$7/1e6) with yerrorlines lw 2 pt 5 title "GstVideoBufferPool (system memory)", \
     "$OUT/contention-pool-floor.dat" using 1:(\$2/1e6):(\$3/1e6):(\$4/1e6) with yerrorlines lw 1 dt 2 pt 1 title "floor: GstBufferPool with empty vfuncs"

set title "map+unmap READ, one shared memory"
plot "$OUT/contention-map-shared.dat" using (\$1*0.97):(\$2/1e6):(\$3/1e6):(\$4/1e6) with yerrorlines lw 2 pt 7 title "VVAS memory", \
     "" using (\$1*1.03):(\$5/1e6):(\$6/1e6):(\$7/1e6) with yerrorlines lw 2 pt 5 title "system memory"

set title "map+unmap READ, one memory per thread"
plot "$OUT/contention-map-per-thread.dat" using (\$1*0.97):(\$2/1e6):(\$3/1e6):(\$4/1e6) with yerrorlines lw 2 pt 7 title "VVAS memory", \
     "" using (\$1*1.03):(\$5/1e6):(\$6/1e6):(\$7/1e6) with yerrorlines lw 2 pt 5 title "system memory"

unset logscale x
set xrange [0.4:2.6]
set xtics ("vvasupload ! vvasdownload" 1, "... force-copy=true" 2)
set xlabel "1080p NV12, videotestsrc pattern=solid-color ... ! fakesink"
set ylabel "frames per second (steady state)"
set title "pipeline"
set key top right
set offsets graph 0, graph 0, graph 0.3, graph 0
set style fill solid 0.6 border -1
set boxwidth 0.3
plot "$OUT/pipeline.dat" using (\$1-0.16):3 with boxes lc rgb "#1f77b4" title "VVAS pipeline", \
     "" using (\$1-0.16):3:4:5 with yerrorbars lc rgb "black" pt 0 notitle, \
     "" using (\$1+0.16):6 with boxes lc rgb "#ff7f0e" title "videotestsrc ! fakesink (system memory)", \
     "" using (\$1+0.16):6:7:8 with yerrorbars lc rgb "black" pt 0 notitle
unset multiplot
EOF
echo "wrote $OUT/bench.png"
