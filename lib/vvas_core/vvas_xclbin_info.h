/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION: vvas_xclbin_info
 * @short_description: An xclbin's UUID and memory topology, read from its
 *   file
 *
 * Reads what a context checks bank indexes against: the UUID and the
 * MEM_TOPOLOGY section of an xclbin file, with the reader vvas_context_create()
 * uses, without XRT and without a device. Only the header, the section
 * table and the topology are read; every offset and count is checked
 * against the length the header declares, and that against the file's
 * size. The `vvas-xclbin-info` tool prints what this API returns.
 *
 * An extension of this library, not of the VVAS core API.
 *
 * Since: 1.0
 */

#ifndef __VVAS_XCLBIN_INFO_H__
#define __VVAS_XCLBIN_INFO_H__

#include <vvas_core/vvas_common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * VvasXclbinError:
 * @VVAS_XCLBIN_ERROR_NONE: the file was read
 * @VVAS_XCLBIN_ERROR_OPEN: the file cannot be opened or read (missing, no
 *   permission, a read error), or is not a regular file
 * @VVAS_XCLBIN_ERROR_NOT_XCLBIN: the file does not start with the
 *   "xclbin2" magic
 * @VVAS_XCLBIN_ERROR_TRUNCATED: the file is shorter than an xclbin header,
 *   or than the length its header declares
 * @VVAS_XCLBIN_ERROR_CORRUPT: the section table, the MEM_TOPOLOGY section
 *   or its bank count do not fit the declared length, or it has no bank
 * @VVAS_XCLBIN_ERROR_NO_MEM_TOPOLOGY: the xclbin has no MEM_TOPOLOGY
 *   section
 * @VVAS_XCLBIN_ERROR_NO_MEMORY: out of memory
 * @VVAS_XCLBIN_ERROR_INVALID_ARGS: an argument was invalid; a log line
 *   names it
 *
 * Why vvas_xclbin_info_read() failed.
 *
 * Since: 1.0
 */
typedef enum
{
  VVAS_XCLBIN_ERROR_NONE = 0,
  VVAS_XCLBIN_ERROR_OPEN = 1,
  VVAS_XCLBIN_ERROR_NOT_XCLBIN = 2,
  VVAS_XCLBIN_ERROR_TRUNCATED = 3,
  VVAS_XCLBIN_ERROR_CORRUPT = 4,
  VVAS_XCLBIN_ERROR_NO_MEM_TOPOLOGY = 5,
  VVAS_XCLBIN_ERROR_NO_MEMORY = 6,
  VVAS_XCLBIN_ERROR_INVALID_ARGS = 7,
} VvasXclbinError;

/**
 * VvasXclbinInfo:
 *
 * What vvas_xclbin_info_read() read from an xclbin file: its UUID and
 * memory banks. Opaque; free with vvas_xclbin_info_free().
 *
 * Since: 1.0
 */
typedef struct _VvasXclbinInfo VvasXclbinInfo;

/**
 * VvasXclbinBankInfo:
 * @index: the bank's index, the `mbank_idx` of an allocation
 * @type: the bank's memory type, a value of `enum MEM_TYPE` in XRT's
 *   `xclbin.h`; vvas_xclbin_mem_type_name() names it
 * @used: 1 if the xclbin marks the bank used, 0 if not
 * @usable: 1 if buffers can be allocated on the bank (used, and not a
 *   streaming bank), as a context decides, 0 if not
 * @size: the bank's size in bytes, 0 when not known (a streaming bank has
 *   none; a size too large for 64 bits is not known either)
 * @base_address: the bank's base address as the xclbin gives it (a flow id
 *   for a streaming bank)
 * @tag: the bank's tag ("bank0", "HBM[3]"...), NUL-terminated; an xclbin
 *   tag has 16 characters at most
 * @reserved: for later members; zero
 *
 * One memory bank of an xclbin's memory topology.
 *
 * Since: 1.0
 */
typedef struct
{
  uint32_t index;
  uint32_t type;
  int32_t used;
  int32_t usable;
  uint64_t size;
  uint64_t base_address;
  char tag[17];
  uint64_t reserved[4];
} VvasXclbinBankInfo;

/**
 * vvas_xclbin_info_read:
 * @xclbin_loc: path of an xclbin file
 * @error: (out) (optional): why it failed, %VVAS_XCLBIN_ERROR_NONE on
 *   success
 * @message: (out caller-allocates) (optional): where a sentence that says
 *   why it failed, naming the file, is written (truncated to fit); an
 *   empty string on success
 * @message_len: size of @message in bytes; 0 when @message is NULL
 *
 * Reads the UUID and memory topology of @xclbin_loc. Anything but a regular
 * file is refused without being opened for reading, so that a FIFO or a
 * device node cannot block the caller. When @message is NULL the reason of
 * a failure is logged at error level instead; an invalid argument is
 * always logged.
 *
 * Returns: (transfer full) (nullable): the xclbin's information, to free
 *   with vvas_xclbin_info_free(), or NULL on error with @error and
 *   @message set.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasXclbinInfo *vvas_xclbin_info_read (const char *xclbin_loc,
    VvasXclbinError * error, char *message, size_t message_len);

/**
 * vvas_xclbin_info_free:
 * @info: (nullable) (transfer full): what vvas_xclbin_info_read() returned
 *
 * Frees @info. NULL is accepted and ignored.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_xclbin_info_free (VvasXclbinInfo * info);

/**
 * vvas_xclbin_info_get_uuid:
 * @info: an xclbin's information
 * @uuid: (out caller-allocates) (array fixed-size=16): filled with the
 *   xclbin's UUID, the 16 bytes XRT reports for it once loaded (a `uuid_t`
 *   fits)
 *
 * Reads the xclbin's UUID, the identity a device context knows it by.
 *
 * Returns: %VVAS_RET_SUCCESS, or %VVAS_RET_INVALID_ARGS for a NULL
 *   argument.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_xclbin_info_get_uuid (const VvasXclbinInfo
    * info, unsigned char uuid[16]);

/**
 * vvas_xclbin_info_get_bank_count:
 * @info: an xclbin's information
 *
 * Counts the memory banks of the xclbin; their indexes run from 0 to the
 * count minus one.
 *
 * Returns: the number of memory banks of the xclbin's topology, used or
 *   not (at least 1), or -1 for NULL.
 *
 * Since: 1.0
 */
VVAS_CORE_API int32_t vvas_xclbin_info_get_bank_count (const VvasXclbinInfo
    * info);

/**
 * vvas_xclbin_info_get_bank:
 * @info: an xclbin's information
 * @index: a bank index, below vvas_xclbin_info_get_bank_count()
 * @bank: (out caller-allocates): filled with the bank's description
 *
 * Describes one memory bank of the xclbin.
 *
 * Returns: %VVAS_RET_SUCCESS, or %VVAS_RET_INVALID_ARGS for a NULL argument
 *   or an index out of range (@bank is then left untouched).
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_xclbin_info_get_bank (const VvasXclbinInfo
    * info, uint32_t index, VvasXclbinBankInfo * bank);

/**
 * vvas_xclbin_mem_type_name:
 * @type: a memory type, a value of `enum MEM_TYPE` of XRT's `xclbin.h`
 *
 * Names a memory type as XRT's `xclbin.h` does, without its `MEM_`
 * prefix: "DDR3", "DDR4", "DRAM", "STREAMING", "PREALLOCATED_GLOB", "ARE",
 * "HBM", "BRAM", "URAM", "STREAMING_CONNECTION", "HOST", "PS_KERNEL".
 *
 * Returns: (transfer none): the type's name, or "UNKNOWN" for a value
 *   XRT does not define.
 *
 * Since: 1.0
 */
VVAS_CORE_API const char *vvas_xclbin_mem_type_name (uint32_t type);

/**
 * vvas_xclbin_error_name:
 * @error: a #VvasXclbinError
 *
 * Names a failure of vvas_xclbin_info_read() in a word, for logs and
 * machine-readable output.
 *
 * Returns: (transfer none): the short name of @error ("none", "open",
 *   "not-xclbin", "truncated", "corrupt", "no-mem-topology", "no-memory",
 *   "invalid-args"), or "unknown" for another value.
 *
 * Since: 1.0
 */
VVAS_CORE_API const char *vvas_xclbin_error_name (VvasXclbinError error);

#ifdef __cplusplus
}
#endif

#endif /* __VVAS_XCLBIN_INFO_H__ */
