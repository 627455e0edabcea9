/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The public face of the xclbin reader (vvas_xclbin.c): what a context
 * reads from an xclbin, for tools and applications.
 */

#include <vvas_core/vvas_xclbin_info.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vvas_internal.h"

struct _VvasXclbinInfo
{
  VvasXclbinTopology topology;
};

static void
set_error (VvasXclbinError * error, VvasXclbinError value)
{
  if (error)
    *error = value;
}

VvasXclbinInfo *
vvas_xclbin_info_read (const char *xclbin_loc, VvasXclbinError * error,
    char *message, size_t message_len)
{
  VvasXclbinInfo *info;
  VvasXclbinError why = VVAS_XCLBIN_ERROR_NONE;
  char logged[512];

  const char *bad = !xclbin_loc ? "xclbin_loc is NULL"
      : xclbin_loc[0] == '\0' ? "xclbin_loc is empty"
      : !message && message_len > 0 ? "message is NULL, message_len is not 0"
      : NULL;

  if (message && message_len > 0)
    message[0] = '\0';
  if (bad) {
    VVAS_REPORT_INVALID_ARGUMENT ("%s", bad);
    if (message && message_len > 0)
      snprintf (message, message_len, "invalid argument: %s", bad);
    set_error (error, VVAS_XCLBIN_ERROR_INVALID_ARGS);
    return NULL;
  }

  info = calloc (1, sizeof (*info));
  if (!info) {
    if (message && message_len > 0)
      snprintf (message, message_len, "out of memory reading '%s'",
          xclbin_loc);
    else
      VVAS_LOG_ERROR (LOG_LEVEL_ERROR, "out of memory reading '%s'",
          xclbin_loc);
    set_error (error, VVAS_XCLBIN_ERROR_NO_MEMORY);
    return NULL;
  }
  if (message && message_len > 0) {
    if (vvas_xclbin_read (xclbin_loc, &info->topology, &why, message,
            message_len) == 0) {
      set_error (error, VVAS_XCLBIN_ERROR_NONE);
      return info;
    }
  } else {
    if (vvas_xclbin_read (xclbin_loc, &info->topology, &why, logged,
            sizeof (logged)) == 0) {
      set_error (error, VVAS_XCLBIN_ERROR_NONE);
      return info;
    }
    VVAS_LOG_ERROR (LOG_LEVEL_ERROR, "%s", logged);
  }
  free (info);
  set_error (error, why);
  return NULL;
}

void
vvas_xclbin_info_free (VvasXclbinInfo * info)
{
  if (!info)
    return;
  vvas_xclbin_topology_clear (&info->topology);
  free (info);
}

VvasReturnType
vvas_xclbin_info_get_uuid (const VvasXclbinInfo * info, unsigned char uuid[16])
{
  if (!VVAS_ARG_OK (info != NULL, "info is NULL")
      || !VVAS_ARG_OK (uuid != NULL, "uuid is NULL"))
    return VVAS_RET_INVALID_ARGS;
  memcpy (uuid, info->topology.uuid, sizeof (info->topology.uuid));
  return VVAS_RET_SUCCESS;
}

int32_t
vvas_xclbin_info_get_bank_count (const VvasXclbinInfo * info)
{
  if (!VVAS_ARG_OK (info != NULL, "info is NULL"))
    return -1;
  return (int32_t) info->topology.bank_count;
}

VvasReturnType
vvas_xclbin_info_get_bank (const VvasXclbinInfo * info, uint32_t index,
    VvasXclbinBankInfo * bank)
{
  const VvasXclbinBank *from;

  if (!VVAS_ARG_OK (info != NULL, "info is NULL")
      || !VVAS_ARG_OK (bank != NULL, "bank is NULL"))
    return VVAS_RET_INVALID_ARGS;
  if (index >= info->topology.bank_count) {
    VVAS_REPORT_INVALID_ARGUMENT ("bank %u does not exist: the xclbin has "
        "%u banks (0 to %u)", index, info->topology.bank_count,
        info->topology.bank_count - 1);
    return VVAS_RET_INVALID_ARGS;
  }

  from = &info->topology.banks[index];
  memset (bank, 0, sizeof (*bank));
  bank->index = index;
  bank->type = from->type;
  bank->used = from->used ? 1 : 0;
  bank->usable = vvas_xclbin_bank_is_usable (&info->topology, index) ? 1 : 0;
  bank->size = from->size_bytes;
  bank->base_address = from->base_address;
  memcpy (bank->tag, from->tag, sizeof (bank->tag));
  bank->tag[sizeof (bank->tag) - 1] = '\0';
  return VVAS_RET_SUCCESS;
}

const char *
vvas_xclbin_mem_type_name (uint32_t type)
{
  /* enum MEM_TYPE of xrt/xclbin.h, in order. */
  static const char *const names[] = {
    "DDR3", "DDR4", "DRAM", "STREAMING", "PREALLOCATED_GLOB", "ARE", "HBM",
    "BRAM", "URAM", "STREAMING_CONNECTION", "HOST", "PS_KERNEL",
  };

  if (type >= sizeof (names) / sizeof (names[0]))
    return "UNKNOWN";
  return names[type];
}

const char *
vvas_xclbin_error_name (VvasXclbinError error)
{
  switch (error) {
    case VVAS_XCLBIN_ERROR_NONE:
      return "none";
    case VVAS_XCLBIN_ERROR_OPEN:
      return "open";
    case VVAS_XCLBIN_ERROR_NOT_XCLBIN:
      return "not-xclbin";
    case VVAS_XCLBIN_ERROR_TRUNCATED:
      return "truncated";
    case VVAS_XCLBIN_ERROR_CORRUPT:
      return "corrupt";
    case VVAS_XCLBIN_ERROR_NO_MEM_TOPOLOGY:
      return "no-mem-topology";
    case VVAS_XCLBIN_ERROR_NO_MEMORY:
      return "no-memory";
    case VVAS_XCLBIN_ERROR_INVALID_ARGS:
      return "invalid-args";
  }
  return "unknown";
}
