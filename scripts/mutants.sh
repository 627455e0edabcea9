#!/bin/bash
# Does the plain test suite catch the bugs that matter?
#
# Applies realistic breakages (below: a skipped sync, a wrong direction, a
# leaked BO, an off-by-one bank check, a pool that does not recycle...) one
# at a time to a scratch copy of the tree, builds it, runs the plain meson
# suites core, gst and plugin (--no-rebuild, stopping at the first failure)
# and reports which breakages survive: each survivor is a bug the suite
# would let through. Not part of CI: a full run builds and tests the tree
# once per breakage, about an hour on two cores.
#
#   scripts/mutants.sh [--list] [--check] [--working-tree] [-j N] [ID...]
#
#   --list          print the breakages and exit
#   --check         only check that every breakage still applies
#   --working-tree  copy the working tree (tracked and untracked files)
#                   instead of the committed HEAD
#   -j N            jobs for ninja and meson test (default 2)
#   ID...           run only these breakages (shell patterns: 'xclbin-*')
#
# Environment: MUTANTS_DIR (scratch folder, default a new /tmp/vvas-mutants.*,
# removed at the end unless given), MUTANTS_SETUP (a meson test setup, e.g.
# emulated), MUTANTS_TIMEOUT_MULTIPLIER (default 0.5: a hang shows as a
# timeout). The xclbin fuzzer runs 3 s (VVAS_FUZZ_SECONDS). The plain suite
# runs on XRT's no-op device, where host and device share one buffer: a
# wrong copy offset or a missing transfer shows only in transfer counts.
# MUTANTS_SETUP=emulated runs the same breakages on the emulated device,
# which shows wrong bytes too.
#
# Each breakage is one sed expression on one file. A breakage whose pattern
# no longer matches, or that no longer builds, is an error (exit 2), so the
# list stays honest as the code changes: fix the expression, or replace the
# breakage with the same mistake in the new code. Exit 1 when some survive,
# 0 when the suite caught them all. The scratch copy only is ever modified.
set -euo pipefail

SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)

M_ID=()
M_FILE=()
M_DESC=()
M_EXPR=()
mutant () {
  M_ID+=("$1")
  M_FILE+=("$2")
  M_DESC+=("$3")
  M_EXPR+=("$4")
}

# --- Core: coherence -------------------------------------------------------
f=lib/vvas_memory.c
mutant map-read-skips-sync $f \
  "a map does not fetch what the device wrote (FROM_DEVICE pending)" \
  's/^      VVAS_DATA_SYNC_FROM_DEVICE | STATE_TRANSFER_FROM_DEVICE;$/      STATE_TRANSFER_FROM_DEVICE;/'
mutant sync-always $f \
  "every sync transfers, pending or not (the reference's redundant syncs)" \
  's/^  if (!(state_load (mem) & (direction | transfer_bit (direction))))$/  if (0)/; s/^    if (!(state \& direction))$/    if (0)/'
mutant write-map-not-dirty $f \
  "a WRITE map does not mark the host copy newer (TO_DEVICE)" \
  's/^  write = (flags \& VVAS_DATA_MAP_WRITE) \&\& mem->bo;$/  write = false;/'
mutant sync-wrong-direction $f \
  "a pending transfer is done in the other direction" \
  's/vvas_xrt_bo_sync (mem->bo, direction, mem->size,/vvas_xrt_bo_sync (mem->bo, direction ^ 3, mem->size,/'
mutant sync-half-size $f \
  "a transfer moves half the buffer" \
  's/vvas_xrt_bo_sync (mem->bo, direction, mem->size,/vvas_xrt_bo_sync (mem->bo, direction, mem->size \/ 2,/'
mutant failed-sync-not-pending $f \
  "a failed transfer is forgotten instead of staying pending" \
  's/^    if (failed \&\& !(state \& STATE_SYNC_MASK))$/    if (0)/'
mutant unmap-flags-kept $f \
  "map flags are not cleared when the last map goes" \
  's/^      next \&= ~STATE_MAP_MASK;$/      ;/'
mutant unmap-unbalanced $f \
  "an unmap without a map is accepted (the map count wraps)" \
  's/^    if (STATE_MAP_COUNT (state) == 0) {$/    if (0) {/'
mutant begin-device-skips-sync $f \
  "device access does not push the host's newer bytes (TO_DEVICE)" \
  's/^  res = sync_if_due (vvas_mem, VVAS_DATA_SYNC_TO_DEVICE);$/  res = VVAS_RET_SUCCESS;/'
mutant device-write-not-dirty $f \
  "a device WRITE access does not mark the device copy newer" \
  's/^    state_mark_newer (vvas_mem, VVAS_DATA_SYNC_FROM_DEVICE);$/    ;/'
mutant begin-host-skips-sync $f \
  "host access (GStreamer maps) does not fetch what the device wrote" \
  's/^  res = sync_if_due (vvas_mem, VVAS_DATA_SYNC_FROM_DEVICE);$/  res = VVAS_RET_SUCCESS;/'
mutant host-write-not-dirty $f \
  "a host WRITE access (GStreamer maps) does not mark TO_DEVICE" \
  's/^    state_mark_newer (vvas_mem, VVAS_DATA_SYNC_TO_DEVICE);$/    ;/'
mutant set-sync-flag-ignored $f \
  "vvas_memory_set_sync_flag does nothing" \
  's/^  if (state_mark_newer (vvas_mem, flag) \& other)$/  if (0)/'
mutant unset-sync-flag-ignored $f \
  "vvas_memory_unset_sync_flag does nothing" \
  's/^  atomic_fetch_and (\&vvas_mem->state, ~(uint64_t) flag);$/  ;/'
mutant import-not-stale $f \
  "an imported DMA-buf's first host read does not fetch the exporter's data" \
  's/^    atomic_store (\&mem->state, VVAS_DATA_SYNC_FROM_DEVICE);$/    ;/'

# --- Core: copy and export --------------------------------------------------
mutant copy-offset0-is-whole $f \
  "a device copy to offset 0 is treated as a whole-buffer copy" \
  's/^    if (dst_offset != 0 || size != dst->size)$/    if (dst_offset != 0)/'
mutant host-copy-offset0-overwrites $f \
  "a host copy to offset 0 drops dst's device data as if overwriting it all" \
  's/^      \&\& size == dst->size, \&dst_map);$/      , \&dst_map);/'
mutant copy-src-offset-ignored $f \
  "a device copy reads from src offset 0" \
  's/src->bo, src_offset, size, \&dst->ctx->counters,/src->bo, 0, size, \&dst->ctx->counters,/'
mutant copy-stale-src $f \
  "a device copy ignores src's pending host bytes" \
  's/^  on_device = !(state_load (src) \& VVAS_DATA_SYNC_TO_DEVICE) \&\&$/  on_device = true \&\&/'
mutant copy-dst-not-newer $f \
  "after a device copy dst's host view is not refreshed" \
  's/^    release_after_device_copy (dst, res == VVAS_RET_SUCCESS);$/    release_after_device_copy (dst, false);/'
mutant copy-into-mapped $f \
  "a device copy runs into a destination the host has mapped" \
  's/^    if (STATE_MAP_COUNT (state) > 0)$/    if (0)/'
mutant export-skips-sync $f \
  "export does not push the host's pending bytes first" \
  's/^  if (sync_if_due (vvas_mem, VVAS_DATA_SYNC_TO_DEVICE) != VVAS_RET_SUCCESS) {$/  if (0) {/'
mutant export-gives-xrt-fd $f \
  "export hands out XRT's own fd instead of a duplicate" \
  's/^  fd = fcntl (bo_fd, F_DUPFD_CLOEXEC, 0);$/  fd = bo_fd;/'

# --- Core: lifetimes, arguments ---------------------------------------------
mutant free-leaks-bo $f \
  "vvas_memory_free leaks the BO" \
  's/^      vvas_xrt_bo_free (mem->bo);$/      ;/'
mutant free-leaks-host $f \
  "vvas_memory_free leaks the host allocation" \
  's/^      free (mem->host);$/      ;/'
mutant recycled-keeps-state $f \
  "a memory back from the cache keeps its pending transfers and maps" \
  's/^  atomic_store_explicit (\&mem->state, 0, memory_order_relaxed);$/  ;/'
mutant recycled-keeps-metadata $f \
  "a memory back from the cache keeps its metadata" \
  's/^  memset (\&mem->metadata, 0, sizeof (mem->metadata));$/  ;/'
mutant free-keeps-context $f \
  "a freed memory does not drop its context reference" \
  's/^  vvas_context_unref (ctx);$/  ;/'
mutant user-data-no-callback $f \
  "a memory wrapping user data does not call its free callback" \
  's/^        mem->free_cb (mem->host, mem->free_cb_data);$/        ;/'
mutant bank-unchecked $f \
  "an allocation's bank is not checked against the xclbin" \
  's/^  if (!xclbin || vvas_xclbin_bank_is_usable (\&xclbin->topology, bank))$/  if (1)/'
mutant bank-capacity-unchecked $f \
  "an allocation larger than its bank is not refused" \
  's/^  if (xclbin->topology.banks\[bank\].size_bytes != 0 \&\&$/  if (0 \&\&/'
mutant destroyed-context-usable $f \
  "a destroyed context still allocates" \
  's/^  if (atomic_load (\&vvas_context_private (vvas_ctx)->destroyed))$/  if (0)/'
mutant paddr-offset $f \
  "the device address is off by a page" \
  's/^  return vvas_mem->paddr;$/  return vvas_mem->paddr + 4096;/'
mutant host-memory-bank-0 $f \
  "host memory reports bank 0 instead of -1" \
  's/^  return vvas_mem->bo ? (int32_t) vvas_mem->info.mbank_idx : -1;$/  return (int32_t) vvas_mem->info.mbank_idx;/'

f=lib/vvas_context.c
mutant context-destroy-frees $f \
  "vvas_context_destroy frees the context its memories still use" \
  '/^vvas_context_destroy/,/^}/ s/^  vvas_context_unref (ctx);$/  context_free (ctx);/'
mutant context-no-topology $f \
  "the context never publishes the xclbin it loaded: banks go unchecked" \
  's/^  atomic_store_explicit (\&ctx->xclbin, xclbin, memory_order_release);$/  (void) xclbin;/'
mutant context-bad-xclbin-error $f \
  "a bad xclbin (create or load) returns VVAS_RET_ERROR, not INVALID_ARGS" \
  '/vvas_xclbin_read_topology (xclbin_loc/,/return/ s/return VVAS_RET_INVALID_ARGS;/return VVAS_RET_ERROR;/'

# --- Core: the XRT boundary --------------------------------------------------
f=lib/vvas_xrt.c
mutant xrt-sync-offset $f \
  "a sync starts 64 bytes into the buffer" \
  's/XCL_BO_SYNC_BO_FROM_DEVICE, size, 0);/XCL_BO_SYNC_BO_FROM_DEVICE, size, 64);/'
mutant xrt-stats-swapped $f \
  "transfer statistics count each direction as the other" \
  's/^  if (to_device) {$/  if (!to_device) {/'
mutant xrt-copy-offsets-swapped $f \
  "a device copy swaps the source and destination offsets" \
  's/xrtBOCopy (dst, src, size, dst_offset, src_offset);/xrtBOCopy (dst, src, size, src_offset, dst_offset);/'

# --- Core: the xclbin reader -------------------------------------------------
f=lib/vvas_xclbin.c
mutant xclbin-section-size $f \
  "MEM_TOPOLOGY's size is not checked against the declared length" \
  's/^      || section.m_sectionSize > header.m_header.m_length -$/      || 0 > header.m_header.m_length -/'
mutant xclbin-table-vs-file $f \
  "the section table is checked against the file, not the declared length" \
  's/^  if (table_end > header.m_header.m_length)$/  if (table_end > file_size)/'
mutant xclbin-offset-vs-file $f \
  "MEM_TOPOLOGY's offset is checked against the file, not the declared length" \
  's/^  if (section.m_sectionOffset > header.m_header.m_length$/  if (section.m_sectionOffset > file_size/'
mutant xclbin-zero-banks $f \
  "a topology of 0 banks is accepted" \
  's/^  if (count <= 0 ||/  if (count < 0 ||/'
mutant xclbin-count-off-by-one $f \
  "a bank count one past the section's room is accepted" \
  's|(section.m_sectionSize - banks_offset) / sizeof (struct mem_data))|(section.m_sectionSize - banks_offset) / sizeof (struct mem_data) + 1)|'
mutant xclbin-bank-off-by-one $f \
  "bank index == bank count is usable" \
  's/return bank < topology->bank_count/return bank <= topology->bank_count/'
mutant xclbin-fifo-blocks $f \
  "a FIFO is opened (blocking) and read" \
  's/^  if (!S_ISREG (st.st_mode))$/  if (0)/; s/O_RDONLY | O_CLOEXEC | O_NONBLOCK/O_RDONLY | O_CLOEXEC/; s/if (fstat (fd, \&st) != 0 || !S_ISREG (st.st_mode)) {/if (fstat (fd, \&st) != 0) {/'

# --- GStreamer library: memory -------------------------------------------------
f=gst/vvas/gstvvasmemory.c
mutant gst-device-map-skips-access $f \
  "a GST_MAP_VVAS map neither pushes host bytes nor marks device writes" \
  's/^    if (vvas_memory_begin_device_access (mem->vmem, flags) != VVAS_RET_SUCCESS) {$/    if (0) {/'
mutant gst-unmap-no-end-access $f \
  "a WRITE unmap does not end the access (a transfer meanwhile wins)" \
  's/^  if (!(info->flags \& GST_MAP_WRITE))$/  if (1)/'
mutant gst-free-leaks $f \
  "the allocator's free leaks the VvasMemory (and its BO)" \
  's/^    vvas_memory_free (mem->vmem);$/    ;/'
mutant gst-copy-ignores-offset $f \
  "mem_copy of a memory with an offset copies from the block start" \
  's/src->block_offset + memory->offset + offset, size)/src->block_offset + offset, size)/'
mutant gst-host-map-unaligned $f \
  "a host map returns the unaligned start of the allocation" \
  's/^  return mem->host + mem->block_offset;$/  return mem->host;/'
mutant gst-device-address-unaligned $f \
  "a device map returns the BO's address, not the aligned block's" \
  's/(guintptr) (mem->paddr + mem->block_offset);/(guintptr) (mem->paddr);/'
mutant gst-zero-padding-offset $f \
  "ZERO_PADDED zeroes the bytes after the prefix, not after the data" \
  's/!host_fill (mem, params->prefix + size, 0, params->padding)/!host_fill (mem, params->prefix, 0, params->padding)/'
mutant gst-sync-only-pending $f \
  "gst_vvas_memory_sync transfers only what is pending" \
  's/^  vvas_memory_set_sync_flag (vmem, direction);$/  ;/'
mutant gst-zero-copy-any-bank $f \
  "memory on another bank counts as usable without a copy" \
  's/vvas_memory_get_bank_index (vmem) == mem_bank;/TRUE;/'

# --- GStreamer library: pool, meta, context ------------------------------------
f=gst/vvas/gstvvasbufferpool.c
mutant pool-never-recycles $f \
  "a released buffer is always discarded, never reused" \
  's/^  if (G_UNLIKELY (reason)) {$/  if (TRUE) {/'
mutant pool-ignores-free-list $f \
  "acquire allocates a new buffer instead of taking a free one" \
  's/^    if (G_LIKELY (priv->n_free > 0)) {$/    if (FALSE) {/'
mutant pool-max-ignored $f \
  "the pool allocates past its maximum" \
  's/^    if (priv->max_buffers == 0 || priv->n_allocated < priv->max_buffers)$/    if (TRUE)/'
mutant pool-no-prealloc $f \
  "start preallocates none of the minimum buffers" \
  's/^  for (i = 0; i < priv->min_buffers; i++) {$/  for (i = 0; i < 0; i++) {/'
mutant pool-meta-not-reset $f \
  "a recycled buffer keeps the previous frame's VVAS metadata" \
  's/^  gst_vvas_meta_unset_times (gst_buffer_get_vvas_meta (buffer));$/  ;/'
mutant pool-reuses-resized $f \
  "a resized buffer is handed out again" \
  's/^  if (mem->size != priv->size)$/  if (0)/'
mutant pool-flush-no-wake $f \
  "flushing does not wake an acquire waiting for a buffer" \
  's/^    pthread_cond_broadcast (\&priv->cond);$/    ;/'
mutant pool-stop-leaks $f \
  "stopping the pool leaks its free buffers" \
  '/^  while (priv->n_free > 0) {$/,/^  }$/ s/^    free_buffer (pool, buffer);$/    (void) buffer;/'
mutant pool-stride-align-ignored $f \
  "the memory is not aligned to the requested stride alignment" \
  's/^  params.align |= stride_align;$/  ;/'

f=gst/vvas/gstvvasmeta.c
mutant meta-not-copied $f \
  "a buffer copy loses its VVAS metadata" \
  's/^  if (!GST_META_TRANSFORM_IS_COPY (type))$/  if (TRUE)/'
mutant meta-add-ignores-value $f \
  "adding metadata to a buffer that has the meta keeps the old values" \
  's/^    meta->metadata = \*metadata;$/    ;/'

f=gst/vvas/gstvvascontext.c
mutant context-finalize-leaks $f \
  "a GstVvasContext never releases its device" \
  's/^    vvas_context_destroy (self->priv->vvas_ctx);$/    ;/'
mutant context-not-asked $f \
  "an element does not ask its neighbours for a device context" \
  's/^  if (!\*vvas_context \&\& !run_context_query (element, GST_PAD_SRC, dev_idx,$/  if (!*vvas_context \&\& FALSE \&\& !run_context_query (element, GST_PAD_SRC, dev_idx,/'
mutant context-not-shared $f \
  "a device is opened again while its context is alive" \
  's/^  self = ref ? g_weak_ref_get (ref) : NULL;$/  self = NULL;/'
mutant xclbin-claim-ignored $f \
  "an xclbin an element runs with is replaced under it" \
  's/^      user == NULL);$/      TRUE);/'
mutant refused-context-silent $f \
  "a context the application gave for another device is dropped silently" \
  's/^    if (!from_element)$/    if (FALSE)/'

# --- Plugin ---------------------------------------------------------------------
mutant upload-bank-not-rechecked gst/plugin/gstvvasupload.c \
  "a bank is not checked against an xclbin loaded after the element started" \
  's/^  return gst_vvas_element_check_bank (GST_ELEMENT (self), self->allocator);$/  return TRUE;/'
mutant upload-always-copies gst/plugin/gstvvasupload.c \
  "vvasupload copies input already in device memory" \
  's/^  if (n == 0)$/  if (TRUE)/'
mutant upload-passes-any-memory gst/plugin/gstvvasupload.c \
  "vvasupload passes on memory of another device or bank, or host memory" \
  's/^    if (!gst_vvas_memory_can_avoid_copy (gst_buffer_peek_memory (inbuf, i),$/    if (FALSE \&\& !gst_vvas_memory_can_avoid_copy (gst_buffer_peek_memory (inbuf, i),/'
mutant upload-no-metadata gst/plugin/gstvvasupload.c \
  "vvasupload does not write the VVAS metadata" \
  's/^  gst_vvas_buffer_write_metadata (outbuf);$/  ;/; s/^    gst_vvas_buffer_write_metadata (outbuf);$/    ;/'
mutant download-ignores-layout gst/plugin/gstvvasdownload.c \
  "vvasdownload passes a padded layout to a peer without GstVideoMeta" \
  's/^      (self->downstream_has_video_meta ||$/      (TRUE ||/'
mutant export-drops-frame-hold gst/plugin/gstvvasdownload.c \
  "an exported frame's buffer does not keep its input buffer out of the pool (emulated)" \
  's/^  gst_buffer_add_parent_buffer_meta (outbuf, inbuf);$/  ;/'
mutant export-per-frame gst/plugin/gstvvasdownload.c \
  "vvasdownload exports a new DMA-buf memory per frame, not the VVAS memory's own (emulated)" \
  's/^        gst_vvas_memory_get_dmabuf_memory (gst_buffer_peek_memory (inbuf, i),$/        gst_vvas_memory_export_dmabuf_memory (gst_buffer_peek_memory (inbuf, i),/'
mutant export-cached-skips-sync gst/vvas/gstvvasdmabuf.c \
  "a VVAS memory's own DMA-buf memory, handed out again, skips the host's new bytes (emulated)" \
  's/^  if (!dmamem || made)$/  if (TRUE)/'
mutant export-cached-ignores-resize gst/vvas/gstvvasdmabuf.c \
  "a VVAS memory's own DMA-buf memory is handed out again after either was resized (emulated)" \
  's/^  if (dmamem \&\& own_dmabuf_matches (mem, dmamem)) {$/  if (dmamem) {/'
mutant export-always-ignored gst/plugin/gstvvasdownload.c \
  "dmabuf-export=always passes VVAS memory under system-memory caps (emulated)" \
  's/^    if (get_dmabuf_export (self) == GST_VVAS_DOWNLOAD_DMABUF_EXPORT_ALWAYS \&\&$/    if (FALSE \&\&/'
mutant copy-frame-read-map gst/plugin/gstvvaselement.c \
  "an element writes its output frame through a READ map" \
  's/^  if (!gst_video_frame_map (\&out_frame, out_info, outbuf, GST_MAP_WRITE)) {$/  if (!gst_video_frame_map (\&out_frame, out_info, outbuf, GST_MAP_READ)) {/'
mutant acquire-leaks-pool gst/plugin/gstvvaselement.c \
  "acquiring an output buffer leaks a pool reference (a missing unref)" \
  '/^  ret = gst_buffer_pool_acquire_buffer (pool, outbuf, NULL);$/,/^  if (ret != GST_FLOW_OK)$/ s/^  gst_object_unref (pool);$/  ;/'

# --- Driver -------------------------------------------------------------------
list=0
check_only=0
tree=head
jobs=2
selected=()
while [ $# -gt 0 ]; do
  case $1 in
    --list) list=1 ;;
    --check) check_only=1 ;;
    --working-tree) tree=working ;;
    -j) jobs=$2; shift ;;
    -j*) jobs=${1#-j} ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "mutants.sh: unknown option $1" >&2; exit 2 ;;
    *) selected+=("$1") ;;
  esac
  shift
done

is_selected () {
  local pattern
  [ ${#selected[@]} -eq 0 ] && return 0
  for pattern in "${selected[@]}"; do
    # shellcheck disable=SC2254
    case $1 in $pattern) return 0 ;; esac
  done
  return 1
}

todo=()
for i in "${!M_ID[@]}"; do
  is_selected "${M_ID[$i]}" && todo+=("$i")
done
if [ ${#todo[@]} -eq 0 ]; then
  echo "mutants.sh: no breakage matches ${selected[*]}" >&2
  exit 2
fi

if [ $list -eq 1 ]; then
  for i in "${todo[@]}"; do
    printf '%-30s %-30s %s\n' "${M_ID[$i]}" "${M_FILE[$i]}" "${M_DESC[$i]}"
  done
  exit 0
fi

keep_scratch=1
if [ -z "${MUTANTS_DIR:-}" ]; then
  MUTANTS_DIR=$(mktemp -d /tmp/vvas-mutants.XXXXXX)
  keep_scratch=0
fi
mkdir -p "$MUTANTS_DIR"
src=$MUTANTS_DIR/src
build=$MUTANTS_DIR/build
logs=$MUTANTS_DIR/logs
cleanup () {
  [ $keep_scratch -eq 1 ] || rm -rf "$MUTANTS_DIR"
}
trap cleanup EXIT

# The scratch copy: never the working tree itself.
rm -rf "$src"
mkdir -p "$src" "$logs"
if [ $tree = head ]; then
  git -C "$SOURCE_DIR" archive --format=tar HEAD | tar -x -C "$src"
  echo "scratch copy of HEAD $(git -C "$SOURCE_DIR" rev-parse --short HEAD) in $src"
else
  (cd "$SOURCE_DIR" && git ls-files -z --cached --others --exclude-standard \
    | xargs -0 tar -cf - --no-recursion) | tar -x -C "$src"
  echo "scratch copy of the working tree in $src"
fi

# Every selected breakage must still apply, before anything is built.
stale=0
for i in "${todo[@]}"; do
  file=$src/${M_FILE[$i]}
  if [ ! -f "$file" ]; then
    echo "stale: ${M_ID[$i]}: ${M_FILE[$i]} does not exist" >&2
    stale=1
    continue
  fi
  sed -e "${M_EXPR[$i]}" "$file" > "$MUTANTS_DIR/check.c"
  if cmp -s "$file" "$MUTANTS_DIR/check.c"; then
    echo "stale: ${M_ID[$i]}: its pattern no longer matches ${M_FILE[$i]}" >&2
    stale=1
  fi
done
rm -f "$MUTANTS_DIR/check.c"
if [ $stale -ne 0 ]; then
  echo "mutants.sh: update the breakages above to the current code" >&2
  exit 2
fi
if [ $check_only -eq 1 ]; then
  echo "all ${#todo[@]} breakages apply"
  exit 0
fi

export VVAS_FUZZ_SECONDS=3
test_args=(--no-rebuild --suite core --suite gst --suite plugin --maxfail 1
  --num-processes "$jobs"
  --timeout-multiplier "${MUTANTS_TIMEOUT_MULTIPLIER:-0.5}")
if [ -n "${MUTANTS_SETUP:-}" ]; then
  test_args+=(--setup "$MUTANTS_SETUP")
fi

# The first failing test of a run, from meson's summary lines.
first_failure () {
  grep -E '^ *[0-9]+/[0-9]+ .* (FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS) ' "$1" \
    | head -n 1 | sed -E 's/^ *[0-9]+\/[0-9]+ +//; s/ +(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS) .*/ \1/' \
    | sed -E 's/^[^:]*:[^ ]* \/ //'
}

echo "building in $build"
meson setup "$build" "$src" > "$logs/setup.txt" 2>&1 \
  || { cat "$logs/setup.txt" >&2; exit 2; }
ninja -C "$build" -j "$jobs" > "$logs/build.txt" 2>&1 \
  || { tail -n 30 "$logs/build.txt" >&2; exit 2; }
echo "baseline: the unbroken tree must pass"
if ! meson test -C "$build" "${test_args[@]}" > "$logs/baseline.txt" 2>&1; then
  echo "mutants.sh: the unbroken tree fails: $(first_failure "$logs/baseline.txt")" >&2
  exit 2
fi

results=$MUTANTS_DIR/results.txt
: > "$results"
printf '%-30s %-30s %-9s %s\n' ID FILE RESULT "CAUGHT BY / DESCRIPTION"
caught=0
survived=0
broken=0
for i in "${todo[@]}"; do
  id=${M_ID[$i]}
  file=$src/${M_FILE[$i]}
  cp -p "$file" "$MUTANTS_DIR/original"
  sed -i -e "${M_EXPR[$i]}" "$file"
  if ! ninja -C "$build" -j "$jobs" > "$logs/$id.build.txt" 2>&1; then
    result=no-build
    detail="$(grep -m1 -E 'error:' "$logs/$id.build.txt" || true)"
    broken=$((broken + 1))
  elif meson test -C "$build" "${test_args[@]}" > "$logs/$id.txt" 2>&1; then
    result=survived
    detail=${M_DESC[$i]}
    survived=$((survived + 1))
  else
    result=caught
    detail=$(first_failure "$logs/$id.txt")
    caught=$((caught + 1))
  fi
  # Restore it newer than the build, so that ninja rebuilds it next time.
  cp "$MUTANTS_DIR/original" "$file"
  touch "$file"
  printf '%-30s %-30s %-9s %s\n' "$id" "${M_FILE[$i]}" "$result" "$detail" \
    | tee -a "$results"
done

echo
echo "$caught caught, $survived survived, $broken did not build (of ${#todo[@]})"
if [ $survived -gt 0 ]; then
  echo "survivors:"
  grep -E ' survived ' "$results" | awk '{ print "  " $1 " (" $2 ")" }'
fi
if [ $keep_scratch -eq 1 ]; then
  echo "logs in $logs"
fi
[ $broken -eq 0 ] || exit 2
[ $survived -eq 0 ] || exit 1
exit 0
