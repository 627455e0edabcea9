/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "vvas_internal.h"
#include "vvas_xrt.h"

static bool
uuid_is_zero (const unsigned char uuid[16])
{
  int i;

  for (i = 0; i < 16; i++)
    if (uuid[i])
      return false;
  return true;
}

/* Opens the device, loads (or adopts) the xclbin and fills the context. */
static VvasReturnType
open_device (VvasContextPrivate * ctx, const char *xclbin_loc)
{
  VvasLogLevel level = ctx->pub.log_level;
  char why[1024];

  if (vvas_xrt_check_environment (why, sizeof (why)) != 0) {
    VVAS_LOG_ERROR (level, "cannot use device %d: %s", ctx->pub.dev_idx, why);
    return VVAS_RET_ERROR;
  }

  /* Reading the topology first refuses a bad file before touching XRT. */
  if (xclbin_loc) {
    if (vvas_xclbin_read_topology (xclbin_loc, &ctx->topology, why,
            sizeof (why)) != 0) {
      VVAS_LOG_ERROR (level, "%s", why);
      return VVAS_RET_INVALID_ARGS;
    }
    ctx->has_topology = true;
    ctx->pub.xclbin_loc = strdup (xclbin_loc);
    if (!ctx->pub.xclbin_loc)
      return VVAS_RET_ALLOC_ERROR;
  }

  ctx->pub.dev_handle = vvas_xrt_device_open (ctx->pub.dev_idx, level);
  if (!ctx->pub.dev_handle)
    return VVAS_RET_ERROR;

  if (xclbin_loc && vvas_xrt_device_load_xclbin (ctx->pub.dev_handle,
          xclbin_loc, level) != 0)
    return VVAS_RET_ERROR;

  if (vvas_xrt_device_get_xclbin_uuid (ctx->pub.dev_handle, ctx->pub.uuid) != 0)
    memset (ctx->pub.uuid, 0, sizeof (ctx->pub.uuid));

  if (xclbin_loc && memcmp (ctx->pub.uuid, ctx->topology.uuid, 16) != 0)
    VVAS_LOG_WARNING (level, "device %d reports another xclbin UUID than "
        "the one in '%s'", ctx->pub.dev_idx, xclbin_loc);
  if (!xclbin_loc && uuid_is_zero (ctx->pub.uuid))
    VVAS_LOG_WARNING (level, "device %d has no xclbin loaded: buffers can be "
        "allocated but no kernel can use them", ctx->pub.dev_idx);
  else if (!xclbin_loc)
    VVAS_LOG_INFO (level, "device %d: using the xclbin already loaded; "
        "memory banks are not checked", ctx->pub.dev_idx);
  return VVAS_RET_SUCCESS;
}

static void
context_free (VvasContextPrivate * ctx)
{
  vvas_xrt_device_close (ctx->pub.dev_handle);
  vvas_xclbin_topology_clear (&ctx->topology);
  free (ctx->pub.xclbin_loc);
  free (ctx);
}

VvasContext *
vvas_context_create (int32_t dev_idx, char *xclbin_loc,
    VvasLogLevel log_level, VvasReturnType * vret)
{
  VvasContextPrivate *ctx;
  VvasReturnType res;

  if (!VVAS_ARG_OK (dev_idx >= -1, "dev_idx must be -1 (host only) or a "
          "device index") ||
      !VVAS_ARG_OK (dev_idx >= 0 || !xclbin_loc, "a host-only context "
          "(dev_idx -1) takes no xclbin") ||
      !VVAS_ARG_OK (!xclbin_loc || *xclbin_loc, "xclbin_loc is an empty "
          "string") ||
      !VVAS_ARG_OK (log_level >= LOG_LEVEL_ERROR
          && log_level <= LOG_LEVEL_DEBUG, "log_level is not a "
          "VvasLogLevel")) {
    vvas_set_ret (vret, VVAS_RET_INVALID_ARGS);
    return NULL;
  }

  ctx = calloc (1, sizeof (*ctx));
  if (!ctx) {
    vvas_set_ret (vret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  ctx->pub.dev_idx = dev_idx;
  ctx->pub.log_level = log_level;
  atomic_init (&ctx->refcount, 1);
  atomic_init (&ctx->destroyed, false);

  if (dev_idx >= 0) {
    res = open_device (ctx, xclbin_loc);
    if (res != VVAS_RET_SUCCESS) {
      context_free (ctx);
      vvas_set_ret (vret, res);
      return NULL;
    }
  }

  if (dev_idx >= 0)
    VVAS_LOG_INFO (log_level, "context %p created on device %d%s%s",
        (void *) ctx, dev_idx, xclbin_loc ? " with xclbin " : "",
        xclbin_loc ? xclbin_loc : "");
  else
    VVAS_LOG_INFO (log_level, "host-only context %p created", (void *) ctx);
  vvas_set_ret (vret, VVAS_RET_SUCCESS);
  return &ctx->pub;
}

VvasContextPrivate *
vvas_context_ref (VvasContextPrivate * ctx)
{
  atomic_fetch_add_explicit (&ctx->refcount, 1, memory_order_relaxed);
  return ctx;
}

void
vvas_context_unref (VvasContextPrivate * ctx)
{
  if (atomic_fetch_sub_explicit (&ctx->refcount, 1, memory_order_acq_rel) == 1) {
    VVAS_LOG_DEBUG (ctx->pub.log_level, "context %p: last reference gone, "
        "closing", (void *) ctx);
    context_free (ctx);
  }
}

VvasReturnType
vvas_context_destroy (VvasContext * vvas_ctx)
{
  VvasContextPrivate *ctx = vvas_context_private (vvas_ctx);

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL"))
    return VVAS_RET_INVALID_ARGS;
  if (atomic_exchange (&ctx->destroyed, true)) {
    VVAS_REPORT_INVALID_ARGUMENT ("context already destroyed");
    return VVAS_RET_INVALID_ARGS;
  }
  vvas_context_unref (ctx);
  return VVAS_RET_SUCCESS;
}

VvasReturnType
vvas_context_get_transfer_stats (VvasContext * vvas_ctx,
    VvasTransferStats * stats)
{
  VvasTransferCounters *c;

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL") ||
      !VVAS_ARG_OK (stats != NULL, "stats is NULL"))
    return VVAS_RET_INVALID_ARGS;

  c = &vvas_context_private (vvas_ctx)->counters;
  stats->syncs_to_device = atomic_load (&c->syncs_to_device);
  stats->bytes_to_device = atomic_load (&c->bytes_to_device);
  stats->syncs_from_device = atomic_load (&c->syncs_from_device);
  stats->bytes_from_device = atomic_load (&c->bytes_from_device);
  stats->device_copies = atomic_load (&c->device_copies);
  stats->bytes_device_copied = atomic_load (&c->bytes_device_copied);
  return VVAS_RET_SUCCESS;
}

VvasReturnType
vvas_context_reset_transfer_stats (VvasContext * vvas_ctx)
{
  VvasTransferCounters *c;

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL"))
    return VVAS_RET_INVALID_ARGS;

  c = &vvas_context_private (vvas_ctx)->counters;
  atomic_store (&c->syncs_to_device, 0);
  atomic_store (&c->bytes_to_device, 0);
  atomic_store (&c->syncs_from_device, 0);
  atomic_store (&c->bytes_from_device, 0);
  atomic_store (&c->device_copies, 0);
  atomic_store (&c->bytes_device_copied, 0);
  return VVAS_RET_SUCCESS;
}

int32_t
vvas_context_get_bank_count (VvasContext * vvas_ctx)
{
  VvasContextPrivate *ctx = vvas_context_private (vvas_ctx);

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL"))
    return -1;
  return ctx->has_topology ? (int32_t) ctx->topology.bank_count : 0;
}

int32_t
vvas_context_is_bank_usable (VvasContext * vvas_ctx, uint8_t mbank_idx)
{
  VvasContextPrivate *ctx = vvas_context_private (vvas_ctx);

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL") ||
      !VVAS_ARG_OK (vvas_ctx->dev_handle != NULL, "host-only context has "
          "no memory banks"))
    return -1;
  if (!ctx->has_topology)
    return 1;
  return vvas_xclbin_bank_is_usable (&ctx->topology, mbank_idx) ? 1 : 0;
}
