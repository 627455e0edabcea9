/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Counts the calls the library makes into XRT, at the XRT boundary itself:
 * a test linked with libxrtcount resolves xrtBOSync and friends to the
 * wrappers here, which count and forward to XRT. So a test asserts the
 * transfers XRT was really asked for, not the library's own bookkeeping.
 * It can also make the next calls of one kind fail, for error paths.
 */

#ifndef __VVAS_TEST_XRT_COUNT_H__
#define __VVAS_TEST_XRT_COUNT_H__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum
{
  XRT_CALL_DEVICE_OPEN,
  XRT_CALL_DEVICE_CLOSE,
  XRT_CALL_LOAD_XCLBIN,
  XRT_CALL_BO_ALLOC,
  XRT_CALL_BO_FREE,
  XRT_CALL_BO_MAP,
  XRT_CALL_SYNC_TO_DEVICE,
  XRT_CALL_SYNC_FROM_DEVICE,
  XRT_CALL_BO_COPY,
  XRT_CALL_BO_EXPORT,
  XRT_CALL_BO_IMPORT,
  XRT_CALL_BO_SIZE,
  XRT_CALL_BO_ADDRESS,
  XRT_CALL_GET_XCLBIN_UUID,
  XRT_CALL_LAST
} XrtCall;

/* Calls made since the last reset (failed injected ones included). */
uint64_t xrt_count_get (XrtCall call);
/* Bytes asked of xrtBOSync in @call's direction since the last reset. */
uint64_t xrt_count_bytes (XrtCall call);
void xrt_count_reset (void);

/*
 * Makes the next @n calls of @call fail without reaching XRT (as XRT
 * reports failure: an error code, a NULL handle, an all-ones address, a
 * size of 0).
 */
void xrt_count_fail_next (XrtCall call, unsigned int n);

/*
 * Makes the @nth call of @call from now (1: the next one) fail, and only
 * that one; 0 cancels. The environment can ask for the same before the
 * first call: VVAS_XRT_FAIL=NAME:N[,NAME:N...] with NAME as
 * xrt_count_call_name() gives it, e.g. VVAS_XRT_FAIL=xrtBOAlloc:3.
 */
void xrt_count_fail_nth (XrtCall call, unsigned int nth);

/*
 * The XRT function behind @call ("xrtBOAlloc"); the two directions of
 * xrtBOSync are "xrtBOSync.to_device" and "xrtBOSync.from_device".
 * xrt_count_call_from_name() is the reverse (XRT_CALL_LAST if unknown).
 */
const char *xrt_count_call_name (XrtCall call);
XrtCall xrt_count_call_from_name (const char *name);

/*
 * Devices and buffer objects alive now (opened and not closed, allocated
 * or imported and not freed), whatever was reset: for leak checks.
 */
int64_t xrt_count_live_devices (void);
int64_t xrt_count_live_bos (void);

/*
 * Called by the xrtBOSync wrapper on the calling thread, after counting the
 * call and before the real sync (or the injected failure), with @call the
 * direction (XRT_CALL_SYNC_TO_DEVICE or XRT_CALL_SYNC_FROM_DEVICE): so a test
 * acts while a transfer is in progress, deterministically. The library holds
 * the memory's lock and XRT's BO table lock (shared) around it: the hook must
 * not allocate or free buffer objects on the calling thread, nor wait for a
 * thread that does.
 */
typedef void (*XrtSyncHook) (XrtCall call, void *user_data);

/* Sets (or, with NULL, clears) the hook; xrt_count_reset() clears it too. */
void xrt_count_set_sync_hook (XrtSyncHook hook, void *user_data);

/* True once a wrapper has run: proves the interposition works. */
bool xrt_count_is_active (void);

#endif /* __VVAS_TEST_XRT_COUNT_H__ */
