#!/usr/bin/env python3
# Copyright (C) 2026 The vvas-xrt-memory authors
# SPDX-License-Identifier: MIT
"""VVAS device memory from Python, through GObject introspection (GstVvas-1.0).

    appsrc (frames in device memory, from a VVAS pool) ! queue ! appsink

Each frame is filled on the host, handed to the device as a kernel would
(a map with GstVvas.MAP_VVAS: the device copy becomes current and, with
WRITE, the newer one), given its timestamps and VVAS metadata, and pushed.
What comes out is checked: device memory on the bank asked for, the bytes
(transferred back from the device by the host read), the timestamps and
the GstVvasMeta.

Usage: vvas_app.py XCLBIN [BANK [FRAMES]]
Exit status 0 when every frame came out as it went in.
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
gi.require_version("GstVvas", "1.0")
from gi.repository import GLib, Gst, GstApp, GstVvas  # noqa: E402

WIDTH, HEIGHT, FPS = 320, 240, 30


def frame_bytes(index, size):
    """What frame @index holds: differs from frame to frame."""
    row = bytes((index * 37 + i * 7) & 0xFF for i in range(256))
    return (row * (size // len(row) + 1))[:size]


def make_frame(pool, index, size):
    ret, buf = pool.acquire_buffer(None)
    if ret != Gst.FlowReturn.OK:
        raise RuntimeError(f"frame {index}: the pool gave no buffer ({ret})")
    # A host write (PyGObject maps are read-only copies: fill() writes).
    buf.fill(0, frame_bytes(index, size))
    # Device access, as an element does around a kernel: the host's bytes
    # go to the device once, and the device copy becomes the newer one.
    # info.data is then a device address: never read it.
    mem = buf.peek_memory(0)
    flags = Gst.MapFlags(Gst.MapFlags.READ | Gst.MapFlags.WRITE
                         | GstVvas.MAP_VVAS)
    ok, info = mem.map(flags)
    if not ok:
        raise RuntimeError(f"frame {index}: device map failed")
    mem.unmap(info)
    buf.pts = index * Gst.SECOND // FPS
    buf.dts = buf.pts
    buf.duration = Gst.SECOND // FPS
    # The timestamps into the memory's VvasMetadata and the GstVvasMeta.
    if not GstVvas.buffer_write_metadata(buf):
        raise RuntimeError(f"frame {index}: metadata not written")
    return buf


def check_frame(sample, index, bank, size):
    errors = []
    buf = sample.get_buffer()
    mem = buf.peek_memory(0)
    if not GstVvas.is_vvas_memory(mem):
        return [f"frame {index}: not VVAS memory"]
    if GstVvas.memory_get_bank_index(mem) != bank:
        errors.append(f"frame {index}: on bank "
                      f"{GstVvas.memory_get_bank_index(mem)}, not {bank}")
    if buf.pts != index * Gst.SECOND // FPS:
        errors.append(f"frame {index}: pts {buf.pts}")
    meta = GstVvas.buffer_get_vvas_meta(buf)
    if meta is None:
        errors.append(f"frame {index}: no GstVvasMeta")
    else:
        times = meta.get_times()
        if tuple(times) != (buf.pts, buf.dts, buf.duration):
            errors.append(f"frame {index}: meta times {tuple(times)}")
    # A host read: the device's bytes come back.
    data = buf.extract_dup(0, buf.get_size())
    if data != frame_bytes(index, size):
        wrong = sum(a != b for a, b in zip(data, frame_bytes(index, size)))
        errors.append(f"frame {index}: {wrong} of {size} bytes wrong")
    return errors


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    xclbin = argv[1]
    bank = int(argv[2]) if len(argv) > 2 else 0
    n_frames = int(argv[3]) if len(argv) > 3 else 10

    Gst.init(None)
    try:
        context = GstVvas.Context.new(0, xclbin)
        allocator = GstVvas.Allocator.new_for_bank(context, bank)
    except GLib.Error as e:
        print(f"FAIL: {e.message}", file=sys.stderr)
        return 1

    caps = Gst.Caps.from_string(
        f"video/x-raw({GstVvas.CAPS_FEATURE_MEMORY_VVAS}),format=NV12,"
        f"width={WIDTH},height={HEIGHT},framerate={FPS}/1")
    size = WIDTH * HEIGHT * 3 // 2
    pool = GstVvas.BufferPool.new(allocator)
    config = pool.get_config()
    Gst.BufferPool.config_set_params(config, caps, size, 2, 4)
    if not pool.set_config(config) or not pool.set_active(True):
        print("FAIL: the pool refused its config", file=sys.stderr)
        return 1

    pipeline = Gst.parse_launch(
        "appsrc name=src format=time ! queue ! appsink name=sink sync=false")
    src = pipeline.get_by_name("src")
    sink = pipeline.get_by_name("sink")
    src.set_caps(caps)
    # VVAS elements in the pipeline use this device context.
    pipeline.set_context(context.new_vvas_context())
    pipeline.set_state(Gst.State.PLAYING)

    errors = []
    for index in range(n_frames):
        if src.push_buffer(make_frame(pool, index, size)) != Gst.FlowReturn.OK:
            errors.append(f"frame {index}: push failed")
            break
        sample = sink.try_pull_sample(5 * Gst.SECOND)
        if sample is None:
            errors.append(f"frame {index} did not come out")
            break
        errors += check_frame(sample, index, bank, size)
        del sample

    src.end_of_stream()
    msg = pipeline.get_bus().timed_pop_filtered(
        5 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    if msg is None or msg.type != Gst.MessageType.EOS:
        errors.append(f"no EOS: {msg.type if msg else 'timeout'}")
    pipeline.set_state(Gst.State.NULL)
    pool.set_active(False)

    for e in errors:
        print(f"FAIL {e}", file=sys.stderr)
    if errors:
        return 1
    print(f"OK: {n_frames} frames of {WIDTH}x{HEIGHT} NV12 in device memory "
          f"on bank {bank}, checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
