#!/usr/bin/env python3
#
# Copyright (C) 2026 The vvas-xrt-memory authors
# SPDX-License-Identifier: MIT
#
"""libgstvvas-1.0 from Python, through its introspection data (GstVvas-1.0).

Runs on XRT's no-op device under `meson test --suite gi`, which sets
XCL_EMULATION_MODE=noop and XILINX_XRT, GI_TYPELIB_PATH and LD_LIBRARY_PATH
(the build tree's typelib and libraries), LD_PRELOAD (libxrtcount, which
counts the library's XRT calls at the XRT boundary), VVAS_XRT_COUNT_H (its
header, for the call names), VVAS_MAKE_XCLBIN (the test xclbin generator),
VVAS_DOCS_GSTREAMER_MD (docs/gstreamer.md, whose Python snippet is run) and
VVAS_PROJECT_VERSION (meson.project_version(), which the library's version
must be).
Only PyGObject and Python's standard library are used.
"""

import ctypes
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstVideo', '1.0')
gi.require_version('GstVvas', '1.0')
from gi.repository import GLib, Gst, GstVideo, GstVvas  # noqa: E402

NONE = Gst.CLOCK_TIME_NONE
NO_DEVICE_ADDRESS = 2 ** 64 - 1
SIZES = (1, 100, 4096, 65536 + 3, 1920 * 1080 * 3 // 2)


def pattern(size, seed):
    """@size bytes that differ from one seed to another and along the way."""
    ramp = bytes((i * 7 + seed) & 0xff for i in range(256))
    return (ramp * (size // 256 + 1))[:size]


def write(mem, data):
    """Writes @data into @mem through a WRITE map (PyGObject's GstMapInfo
    data is a read-only copy: gst_buffer_fill() maps and writes)."""
    buf = Gst.Buffer.new()
    buf.append_memory(mem)
    return buf.fill(0, data)


def read(mem):
    """The bytes of @mem, read through a READ map."""
    ok, info = mem.map(Gst.MapFlags.READ)
    if not ok:
        return None
    try:
        return info.data
    finally:
        mem.unmap(info)


class XrtCount:
    """tests/common/xrt_count.c, preloaded: its counts, through ctypes."""

    def __init__(self, lib_path, header_path):
        with open(header_path, encoding='utf-8') as f:
            match = re.search(r'typedef enum\s*\{(.*?)\}\s*XrtCall;', f.read(),
                              re.S)
        if not match:
            raise RuntimeError(header_path + ': no XrtCall enum')
        names = [n.strip() for n in match.group(1).split(',') if n.strip()]
        if any('=' in n for n in names):
            raise RuntimeError(header_path + ': XrtCall values not implicit')
        self.calls = {n: i for i, n in enumerate(names)}
        self.lib = ctypes.CDLL(lib_path)
        self.lib.xrt_count_get.argtypes = [ctypes.c_int]
        self.lib.xrt_count_get.restype = ctypes.c_uint64
        self.lib.xrt_count_reset.argtypes = []
        self.lib.xrt_count_reset.restype = None
        self.lib.xrt_count_is_active.argtypes = []
        self.lib.xrt_count_is_active.restype = ctypes.c_bool
        self.lib.xrt_count_fail_next.argtypes = [ctypes.c_int, ctypes.c_uint]
        self.lib.xrt_count_fail_next.restype = None
        self.lib.xrt_emu_enabled.argtypes = []
        self.lib.xrt_emu_enabled.restype = ctypes.c_bool

    def get(self, name):
        return self.lib.xrt_count_get(self.calls['XRT_CALL_' + name])

    def reset(self):
        self.lib.xrt_count_reset()

    def is_active(self):
        return self.lib.xrt_count_is_active()

    def fail_next(self, name, n):
        self.lib.xrt_count_fail_next(self.calls['XRT_CALL_' + name], n)

    def emulated(self):
        """True on the emulated device (tests/common/xrt_emu.h)."""
        return self.lib.xrt_emu_enabled()


tmpdir = None
xclbin = None
ctx = None
xrt = None


def setUpModule():
    global tmpdir, xclbin, ctx, xrt
    Gst.init(None)
    tmpdir = tempfile.mkdtemp(prefix='vvas-gi-')
    xclbin = os.path.join(tmpdir, 'two.xclbin')
    env = dict(os.environ)
    env.pop('LD_PRELOAD', None)
    subprocess.run([os.environ['VVAS_MAKE_XCLBIN'], xclbin, '2'], env=env,
                   check=True)
    xrt = XrtCount(os.environ['LD_PRELOAD'], os.environ['VVAS_XRT_COUNT_H'])
    ctx = GstVvas.Context.new(0, xclbin)


def tearDownModule():
    shutil.rmtree(tmpdir, ignore_errors=True)


class ContextTest(unittest.TestCase):

    def test_device_context(self):
        self.assertIsInstance(ctx, GstVvas.Context)
        self.assertIsInstance(ctx, Gst.Object)
        self.assertEqual(ctx.get_device_index(), 0)
        self.assertEqual(ctx.get_xclbin_location(), xclbin)
        self.assertEqual(ctx.describe_usable_banks(), '0, 1')

    def test_host_only_context(self):
        host = GstVvas.Context.new(-1, None)
        self.assertEqual(host.get_device_index(), -1)
        self.assertIsNone(host.get_xclbin_location())
        self.assertIn('host-only', host.describe_usable_banks())
        with self.assertRaises(GLib.Error) as cm:
            GstVvas.Allocator.new_for_bank(host, 0)
        self.assertIn('host only', cm.exception.message)

    def test_missing_xclbin_is_an_error(self):
        missing = os.path.join(tmpdir, 'missing.xclbin')
        with self.assertRaises(GLib.Error) as cm:
            GstVvas.Context.new(0, missing)
        self.assertTrue(cm.exception.matches(Gst.ResourceError.quark(),
                                             cm.exception.code))
        self.assertIn(missing, cm.exception.message)

    def test_gst_context(self):
        gst_context = ctx.new_vvas_context()
        self.assertEqual(gst_context.get_context_type(), GstVvas.CONTEXT_TYPE)
        self.assertTrue(gst_context.is_persistent())
        self.assertEqual(
            gst_context.get_structure().get_value('dev-idx'), 0)
        found, carried = GstVvas.Context.get_vvas_context(gst_context)
        self.assertTrue(found)
        self.assertIs(carried, ctx)
        found, carried = GstVvas.Context.get_vvas_context(
            Gst.Context.new('some.other.context', True))
        self.assertFalse(found)
        self.assertIsNone(carried)


class AllocatorTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.allocators = {bank: GstVvas.Allocator.new_for_bank(ctx, bank)
                          for bank in (0, 1)}

    def test_allocators(self):
        for bank, allocator in self.allocators.items():
            self.assertIsInstance(allocator, GstVvas.Allocator)
            self.assertIsInstance(allocator, Gst.Allocator)
            self.assertEqual(allocator.get_mem_bank(), bank)
            self.assertIs(allocator.get_context(), ctx)

    def test_default_allocator_only_when_registered(self):
        # Making allocators (setUpClass made two) registers none: a
        # registered allocator keeps its device open until Gst.deinit().
        self.assertIsNone(Gst.Allocator.find(GstVvas.ALLOCATOR_NAME))
        self.allocators[1].register_default()
        found = Gst.Allocator.find(GstVvas.ALLOCATOR_NAME)
        self.assertIs(found, self.allocators[1])
        self.assertEqual(found.mem_type, GstVvas.MEMORY_TYPE_NAME)

    def test_alloc_write_read(self):
        for bank, allocator in self.allocators.items():
            for size in SIZES:
                with self.subTest(bank=bank, size=size):
                    mem = allocator.alloc(size, None)
                    self.assertIsNotNone(mem)
                    self.assertTrue(GstVvas.is_vvas_memory(mem))
                    self.assertEqual(mem.size, size)
                    self.assertEqual(GstVvas.memory_get_device_index(mem), 0)
                    self.assertEqual(GstVvas.memory_get_bank_index(mem), bank)
                    paddr = GstVvas.memory_get_paddr(mem)
                    self.assertNotEqual(paddr, NO_DEVICE_ADDRESS)
                    self.assertGreater(paddr, 0)
                    self.assertIsNotNone(GstVvas.memory_get_bo(mem))
                    self.assertTrue(
                        GstVvas.memory_can_avoid_copy(mem, 0, bank))
                    self.assertFalse(
                        GstVvas.memory_can_avoid_copy(mem, 0, 1 - bank))
                    self.assertFalse(
                        GstVvas.memory_can_avoid_copy(mem, 1, bank))

                    ok, info = mem.map(Gst.MapFlags.WRITE)
                    self.assertTrue(ok)
                    mapped_size = info.size
                    mem.unmap(info)
                    self.assertEqual(mapped_size, size)

                    data = pattern(size, seed=size + bank)
                    self.assertEqual(write(mem, data), size)
                    self.assertEqual(read(mem), data)

    def test_share(self):
        mem = self.allocators[1].alloc(256, None)
        data = pattern(256, seed=3)
        self.assertEqual(write(mem, data), 256)
        share = mem.share(16, 32)
        self.assertTrue(GstVvas.is_vvas_memory(share))
        self.assertEqual(GstVvas.memory_get_paddr(share),
                         GstVvas.memory_get_paddr(mem) + 16)
        self.assertEqual(read(share), data[16:48])

    def test_fill_byte(self):
        allocator = GstVvas.Allocator.new_for_bank(ctx, 0)
        allocator.set_fill_byte(0xab)
        self.assertEqual(read(allocator.alloc(33, None)), b'\xab' * 33)
        allocator.set_fill_byte(0x00)
        self.assertEqual(read(allocator.alloc(33, None)), b'\x00' * 33)

    def test_other_memory_is_not_vvas(self):
        system = Gst.Allocator.find(None).alloc(64, None)
        self.assertFalse(GstVvas.is_vvas_memory(system))
        self.assertFalse(GstVvas.is_vvas_memory(None))
        self.assertFalse(GstVvas.memory_can_avoid_copy(system, 0, 0))

    def test_bank_that_does_not_exist(self):
        for bank in (2, 255):
            with self.subTest(bank=bank):
                with self.assertRaises(GLib.Error) as cm:
                    GstVvas.Allocator.new_for_bank(ctx, bank)
                self.assertTrue(cm.exception.matches(
                    Gst.ResourceError.quark(), Gst.ResourceError.SETTINGS))
                self.assertIn('bank %d' % bank, cm.exception.message)
                self.assertIn('usable banks: 0, 1', cm.exception.message)
        # A bank is a guint8: PyGObject refuses more before calling.
        with self.assertRaises(OverflowError):
            GstVvas.Allocator.new_for_bank(ctx, 256)
        # Nothing broke: the context still allocates.
        mem = self.allocators[1].alloc(8, None)
        self.assertEqual(write(mem, b'12345678'), 8)
        self.assertEqual(read(mem), b'12345678')

    def test_new_for_device(self):
        allocator = GstVvas.Allocator.new_for_device(0, xclbin, 1)
        self.assertIsInstance(allocator, GstVvas.Allocator)
        self.assertEqual(allocator.get_mem_bank(), 1)
        # The process's context of device 0: the one the module opened.
        own = allocator.get_context()
        self.assertIs(own, ctx)
        self.assertEqual(own.get_device_index(), 0)
        self.assertEqual(own.get_xclbin_location(), xclbin)
        mem = allocator.alloc(64, None)
        self.assertEqual(GstVvas.memory_get_bank_index(mem), 1)
        with self.assertRaises(GLib.Error) as cm:
            GstVvas.Allocator.new_for_device(0, xclbin, 5)
        self.assertIn('usable banks: 0, 1', cm.exception.message)

    def test_export_dmabuf_error(self):
        # A device that cannot export (XRT's no-op device; here any, with
        # XRT's export failing): the failure is a GLib.Error.
        mem = self.allocators[0].alloc(64, None)
        xrt.fail_next('BO_EXPORT', 1)
        with self.assertRaises(GLib.Error) as cm:
            GstVvas.memory_export_dmabuf(mem)
        self.assertIn('DMA-buf', cm.exception.message)

    def test_export_dmabuf(self):
        mem = self.allocators[0].alloc(64, None)
        self.assertTrue(write(mem, pattern(64, 3)))
        if not xrt.emulated():
            with self.assertRaises(GLib.Error):
                GstVvas.memory_export_dmabuf(mem)
            return
        # A descriptor of the caller's own, holding the host's bytes.
        fd = GstVvas.memory_export_dmabuf(mem)
        try:
            self.assertEqual(os.pread(fd, 64, 0), pattern(64, 3))
        finally:
            os.close(fd)
        self.assertEqual(read(mem), pattern(64, 3))


class DeviceMapTest(unittest.TestCase):
    """GstVvas.MAP_VVAS maps, with the XRT transfers they cause counted."""

    def setUp(self):
        self.allocator = GstVvas.Allocator.new_for_bank(ctx, 1)

    def device_map(self, mem, access):
        flags = Gst.MapFlags(access | GstVvas.MAP_VVAS)
        ok, info = mem.map(flags)
        self.assertTrue(ok)
        # info.data is the device address, not host memory: never read it.
        size, mapped_flags = info.size, int(info.flags)
        mem.unmap(info)
        self.assertEqual(size, mem.size)
        self.assertTrue(mapped_flags & GstVvas.MAP_VVAS)

    def assertTransfers(self, to_device, from_device):
        self.assertEqual((xrt.get('SYNC_TO_DEVICE'),
                          xrt.get('SYNC_FROM_DEVICE')),
                         (to_device, from_device))

    def test_flag_value(self):
        self.assertIsInstance(GstVvas.MAP_VVAS, int)
        self.assertEqual(GstVvas.MAP_VVAS, int(Gst.MapFlags.FLAG_LAST) << 1)

    def test_device_access(self):
        size = 4096
        data = pattern(size, seed=11)
        xrt.reset()
        mem = self.allocator.alloc(size, None)
        self.assertTrue(xrt.is_active())
        self.assertEqual(xrt.get('BO_ALLOC'), 1)

        # A new memory has nothing pending; the host write makes the host
        # copy newer.
        self.assertEqual(write(mem, data), size)
        self.assertTransfers(0, 0)
        # Device access: the pending host-to-device transfer, once.
        self.device_map(mem, Gst.MapFlags.READ)
        self.assertTransfers(1, 0)
        self.device_map(mem, Gst.MapFlags.READ)
        self.assertTransfers(1, 0)
        # A device write makes the device copy newer: the next host map
        # transfers it back, once.
        self.device_map(mem, Gst.MapFlags.WRITE)
        self.assertTransfers(1, 0)
        # (The no-op device moves nothing: the host bytes stand.)
        self.assertEqual(read(mem), data)
        self.assertTransfers(1, 1)
        self.assertEqual(read(mem), data)
        self.assertTransfers(1, 1)

        del mem
        self.assertEqual(xrt.get('BO_FREE'), 1)


class BufferPoolTest(unittest.TestCase):

    def setUp(self):
        self.allocator = GstVvas.Allocator.new_for_bank(ctx, 1)
        self.caps = Gst.Caps.from_string(
            'video/x-raw,format=NV12,width=320,height=240,framerate=30/1')
        self.info = GstVideo.VideoInfo.new_from_caps(self.caps)
        self.pool = GstVvas.BufferPool.new(self.allocator)
        config = self.pool.get_config()
        Gst.BufferPool.config_set_params(config, self.caps, self.info.size,
                                         0, 2)
        Gst.BufferPool.config_add_option(
            config, GstVideo.BUFFER_POOL_OPTION_VIDEO_META)
        self.assertTrue(self.pool.set_config(config))
        self.assertTrue(self.pool.set_active(True))

    def tearDown(self):
        self.assertTrue(self.pool.set_active(False))

    def acquire(self, dontwait=False):
        params = Gst.BufferPoolAcquireParams()
        if dontwait:
            params.flags = Gst.BufferPoolAcquireFlags.DONTWAIT
        return self.pool.acquire_buffer(params)

    def test_pool(self):
        self.assertIsInstance(self.pool, GstVvas.BufferPool)
        self.assertIsInstance(self.pool, Gst.BufferPool)
        self.assertIs(self.pool.get_allocator(), self.allocator)
        self.assertIn(GstVideo.BUFFER_POOL_OPTION_VIDEO_META,
                      self.pool.get_options())

    def test_acquire_release(self):
        ret, buf = self.acquire()
        self.assertEqual(ret, Gst.FlowReturn.OK)
        self.assertGreaterEqual(buf.get_size(), self.info.size)
        self.assertGreaterEqual(buf.n_memory(), 1)
        for i in range(buf.n_memory()):
            mem = buf.peek_memory(i)
            self.assertTrue(GstVvas.is_vvas_memory(mem))
            self.assertEqual(GstVvas.memory_get_bank_index(mem), 1)
        vmeta = GstVideo.buffer_get_video_meta(buf)
        self.assertIsNotNone(vmeta)
        self.assertEqual((vmeta.format, vmeta.width, vmeta.height),
                         (GstVideo.VideoFormat.NV12, 320, 240))

        data = pattern(self.info.size, seed=5)
        self.assertEqual(buf.fill(0, data), self.info.size)
        self.assertEqual(buf.extract_dup(0, self.info.size), data)

        ret, second = self.acquire()
        self.assertEqual(ret, Gst.FlowReturn.OK)
        # max_buffers is 2: a third acquire would wait.
        ret, third = self.acquire(dontwait=True)
        self.assertEqual(ret, Gst.FlowReturn.EOS)
        self.assertIsNone(third)

        # Dropping the last reference returns a buffer to its pool, which
        # hands it out again (last released first), device memory and all.
        bo = GstVvas.memory_get_bo(buf.peek_memory(0))
        del buf
        ret, again = self.acquire(dontwait=True)
        self.assertEqual(ret, Gst.FlowReturn.OK)
        self.assertEqual(GstVvas.memory_get_bo(again.peek_memory(0)), bo)
        del again, second

    def test_pooled_meta(self):
        ret, buf = self.acquire()
        self.assertEqual(ret, Gst.FlowReturn.OK)
        meta = GstVvas.buffer_get_vvas_meta(buf)
        self.assertIsNotNone(meta)
        self.assertEqual(meta.get_times(), (NONE, NONE, NONE))
        buf.pts, buf.dts, buf.duration = 1000, 500, 33333333
        self.assertTrue(GstVvas.buffer_write_metadata(buf))
        self.assertEqual(GstVvas.buffer_get_vvas_meta(buf).get_times(),
                         (1000, 500, 33333333))
        # Back in the pool, the times are reset.
        del meta, buf
        ret, buf = self.acquire(dontwait=True)
        self.assertEqual(ret, Gst.FlowReturn.OK)
        self.assertEqual(GstVvas.buffer_get_vvas_meta(buf).get_times(),
                         (NONE, NONE, NONE))


class MetaTest(unittest.TestCase):

    def test_meta(self):
        allocator = GstVvas.Allocator.new_for_bank(ctx, 0)
        buf = Gst.Buffer.new()
        buf.append_memory(allocator.alloc(64, None))
        self.assertIsNone(GstVvas.buffer_get_vvas_meta(buf))

        buf.pts, buf.dts, buf.duration = 40, 20, 10
        self.assertTrue(GstVvas.buffer_write_metadata(buf))
        meta = GstVvas.buffer_get_vvas_meta(buf)
        self.assertIsNotNone(meta)
        self.assertEqual(meta.get_times(), (40, 20, 10))
        api = GstVvas.meta_api_get_type()
        self.assertEqual(meta.meta.info.api, api)
        self.assertEqual(GstVvas.Meta.get_info().api, api)

        # A copy carries the meta (and its memory is a VVAS copy).
        copy = buf.copy_deep()
        self.assertTrue(GstVvas.is_vvas_memory(copy.peek_memory(0)))
        self.assertEqual(GstVvas.buffer_get_vvas_meta(copy).get_times(),
                         (40, 20, 10))

    def test_meta_without_vvas_memory(self):
        buf = Gst.Buffer.new_allocate(None, 16, None)
        buf.pts = 7
        # No VVAS memory to write into, but the meta is added.
        self.assertFalse(GstVvas.buffer_write_metadata(buf))
        self.assertEqual(GstVvas.buffer_get_vvas_meta(buf).get_times(),
                         (7, NONE, NONE))


class VersionTest(unittest.TestCase):
    """The library reports the project's version (meson.build's, passed in
    by tests/gi/meson.build), at run time and in its constants."""

    def setUp(self):
        self.version = os.environ['VVAS_PROJECT_VERSION']
        self.assertRegex(self.version, r'^[0-9]+\.[0-9]+\.[0-9]+$')
        self.parts = tuple(int(p) for p in self.version.split('.'))

    def test_version(self):
        self.assertEqual(tuple(GstVvas.version()), self.parts)

    def test_version_string(self):
        text = GstVvas.version_string()
        self.assertIn(self.version, text)
        # The form its documentation gives.
        self.assertEqual(text, 'GStreamer VVAS ' + self.version)

    def test_version_constants(self):
        # What the headers (and so the typelib) were generated with.
        self.assertEqual((GstVvas.VERSION_MAJOR, GstVvas.VERSION_MINOR,
                          GstVvas.VERSION_MICRO), self.parts)


class DocsSnippetTest(unittest.TestCase):
    """The snippet of docs/gstreamer.md's "From Python" section, run as is."""

    def test_snippet(self):
        with open(os.environ['VVAS_DOCS_GSTREAMER_MD'], encoding='utf-8') as f:
            match = re.search(r'^## From Python\n.*?^```python\n(.*?)^```$',
                              f.read(), re.S | re.M)
        self.assertIsNotNone(match, 'no python block under "## From Python"')
        namespace = {}
        cwd = os.getcwd()
        os.chdir(tmpdir)            # where two.xclbin is
        xrt.reset()
        try:
            exec(compile(match.group(1), 'docs/gstreamer.md', 'exec'),
                 namespace)
        finally:
            os.chdir(cwd)
        # What its comments say.
        self.assertEqual((xrt.get('SYNC_TO_DEVICE'),
                          xrt.get('SYNC_FROM_DEVICE')), (1, 0))
        self.assertTrue(namespace['ok'])
        self.assertNotEqual(namespace['paddr'], NO_DEVICE_ADDRESS)
        self.assertEqual(namespace['data'], b'\x10' * 4096)
        self.assertEqual((namespace['pts'], namespace['dts'],
                          namespace['duration']),
                         (0, NONE, Gst.SECOND // 30))
        self.assertEqual(namespace['ret'], Gst.FlowReturn.OK)
        self.assertFalse(namespace['pool'].is_active())


if __name__ == '__main__':
    unittest.main()
