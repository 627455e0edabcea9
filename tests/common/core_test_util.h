/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Helpers every core test uses, asserting with GLib's g_assert: an
 * allocation that must succeed, and a memory's state. A test that checks
 * failures calls the core API itself.
 */

#ifndef __VVAS_CORE_TEST_UTIL_H__
#define __VVAS_CORE_TEST_UTIL_H__

#include <string.h>

#include <glib.h>
#include <vvas_core/vvas_memory.h>

/* A memory of @type on @bank; fails the test if it cannot be made. */
static inline VvasMemory *
alloc_ok (VvasContext * ctx, VvasAllocationType type, guint8 bank, gsize size)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemory *mem;

  mem = vvas_memory_alloc (ctx, type, VVAS_ALLOC_FLAG_NONE, bank, size, &ret);
  g_assert_nonnull (mem);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  return mem;
}

/* @mem's allocation info; poisoned first, so that a field left unwritten
 * shows. */
static inline VvasAllocationInfo
alloc_info (VvasMemory * mem)
{
  VvasAllocationInfo info;

  memset (&info, 0xa5, sizeof (info));
  g_assert_cmpint (vvas_memory_get_allocation_info (mem, &info), ==,
      VVAS_RET_SUCCESS);
  return info;
}

/* The transfer @mem has pending. */
static inline VvasDataSyncFlags
pending (VvasMemory * mem)
{
  return alloc_info (mem).sync_flags;
}

#endif /* __VVAS_CORE_TEST_UTIL_H__ */
