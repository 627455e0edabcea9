#!/usr/bin/env python3
#
# Copyright (C) 2026 The vvas-xrt-memory authors
# SPDX-License-Identifier: MIT
#
"""A Python script that ends with device memory still alive, as a user's
first script does: the test is its exit code, which must be 0.

  appsink  videotestsrc ! vvasupload ! appsink, PLAYING; one sample pulled
           and held, two more queued in the appsink, the pipeline never
           stopped.
  pool     GstVvas from Python: an allocator's memory and an active pool
           with a buffer acquired, in globals; two more of its buffers
           queued in the appsink of an appsrc ! appsink pipeline, PLAYING,
           never stopped.

Python cannot dispose of a pipeline that was never stopped: GStreamer says
so on stderr at exit ("Trying to dispose element ... PLAYING"), as it does
for a user's script, and everything the pipeline holds stays alive.

Run by `meson test --suite exit` with VVAS_MAKE_XCLBIN (the test xclbin
generator), GI_TYPELIB_PATH, LD_LIBRARY_PATH and GST_PLUGIN_PATH pointing
into the build tree.
"""

import os
import subprocess
import sys
import tempfile
import threading

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstVideo', '1.0')
gi.require_version('GstVvas', '1.0')
from gi.repository import Gst, GstVideo, GstVvas  # noqa: E402

CAPS = 'video/x-raw,format=NV12,width=320,height=240,framerate=30/1'
# What the scenarios leave alive, referenced from here to the end.
alive = []


def make_xclbin(folder):
    path = os.path.join(folder, 'two_banks.xclbin')
    subprocess.run([os.environ['VVAS_MAKE_XCLBIN'], path, '2'], check=True)
    return path


def leave_appsink(xclbin):
    pipeline = Gst.parse_launch(
        'videotestsrc num-buffers=3 ! ' + CAPS + ' ! '
        'vvasupload xclbin-location=' + xclbin + ' ! appsink name=sink')
    sink = pipeline.get_by_name('sink')
    # The source's EOS reaching the appsink: every buffer is then in the
    # appsink or back in the pool, and the streaming thread waits there
    # for the queue to be emptied, which it never is.
    eos = threading.Event()

    def on_event(pad, info):
        if info.get_event().type == Gst.EventType.EOS:
            eos.set()
        return Gst.PadProbeReturn.OK

    sink.get_static_pad('sink').add_probe(
        Gst.PadProbeType.EVENT_DOWNSTREAM, on_event)
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        sys.exit('the pipeline does not start')
    sample = sink.emit('pull-sample')
    if sample is None:
        sys.exit('no sample')
    if not GstVvas.is_vvas_memory(sample.get_buffer().peek_memory(0)):
        sys.exit('the sample is not in device memory')
    if not eos.wait(30):
        sys.exit('no EOS at the appsink')
    alive.extend([pipeline, sink, sample])


def leave_pool(xclbin):
    allocator = GstVvas.Allocator.new_for_device(0, xclbin, 1)
    mem = allocator.alloc(4096, None)
    if not GstVvas.is_vvas_memory(mem):
        sys.exit('not device memory')
    pool = GstVvas.BufferPool.new(allocator)
    caps = Gst.Caps.from_string(CAPS)
    info = GstVideo.VideoInfo.new_from_caps(caps)
    config = pool.get_config()
    Gst.BufferPool.config_set_params(config, caps, info.size, 2, 4)
    if not pool.set_config(config) or not pool.set_active(True):
        sys.exit('the pool does not start')
    ret, held = pool.acquire_buffer(None)
    if ret != Gst.FlowReturn.OK:
        sys.exit('no buffer')
    # Pool buffers queued in an appsink that is never emptied, in a
    # pipeline never stopped (an element not in NULL is never disposed).
    pipeline = Gst.parse_launch('appsrc name=src caps="' + CAPS + '" '
                                'format=time ! appsink name=sink')
    src = pipeline.get_by_name('src')
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        sys.exit('the pipeline does not start')
    for _ in range(2):
        ret, buf = pool.acquire_buffer(None)
        if ret != Gst.FlowReturn.OK or \
                src.emit('push-buffer', buf) != Gst.FlowReturn.OK:
            sys.exit('cannot push a pool buffer')
    alive.extend([allocator, mem, pool, held, pipeline])


def main():
    scenarios = {'appsink': leave_appsink, 'pool': leave_pool}
    if len(sys.argv) != 2 or sys.argv[1] not in scenarios:
        sys.exit('usage: exit_live.py ' + '|'.join(scenarios))
    Gst.init(None)
    with tempfile.TemporaryDirectory(prefix='vvas-exit-') as folder:
        scenarios[sys.argv[1]](make_xclbin(folder))
    print('exit_live.py: %s: ending with device memory alive' % sys.argv[1],
          flush=True)


if __name__ == '__main__':
    main()
