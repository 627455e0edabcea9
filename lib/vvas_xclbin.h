/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/* Reading the memory topology of an xclbin file; not installed. */

#ifndef __VVAS_XCLBIN_H__
#define __VVAS_XCLBIN_H__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vvas_core/vvas_xclbin_info.h>

/* One memory bank of an xclbin's MEM_TOPOLOGY section. */
typedef struct
{
  uint8_t type;                 /* enum MEM_TYPE of xrt/xclbin.h */
  bool used;
  uint64_t size_bytes;          /* 0 when not known */
  uint64_t base_address;
  char tag[17];
} VvasXclbinBank;

typedef struct
{
  uint32_t bank_count;
  VvasXclbinBank *banks;
  unsigned char uuid[16];
} VvasXclbinTopology;

/*
 * Reads @path's header and MEM_TOPOLOGY section, checking every offset and
 * count against the length the header declares, and that against the
 * file's size. Anything but a regular file is refused without being opened
 * for reading. Returns 0 and fills @topology (at least one bank), or -1 with
 * a reason in @why and @topology zeroed. Free a filled topology with
 * vvas_xclbin_topology_clear().
 */
int vvas_xclbin_read_topology (const char *path, VvasXclbinTopology * topology,
    char *why, size_t why_len);

/*
 * The same, and the kind of failure in @error (optional): what
 * vvas_xclbin_info_read() reports. A NULL @why is allowed.
 */
int vvas_xclbin_read (const char *path, VvasXclbinTopology * topology,
    VvasXclbinError * error, char *why, size_t why_len);

void vvas_xclbin_topology_clear (VvasXclbinTopology * topology);

/* True when buffers can live on the bank: used, and not a streaming one. */
bool vvas_xclbin_bank_is_usable (const VvasXclbinTopology * topology,
    uint32_t bank);

/* Writes the usable bank indexes as "0, 1, 3" (or "none") into @out. */
void vvas_xclbin_describe_usable_banks (const VvasXclbinTopology * topology,
    char *out, size_t out_len);

#endif /* __VVAS_XCLBIN_H__ */
