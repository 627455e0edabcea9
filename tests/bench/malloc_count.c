/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Counts heap allocations for the benchmark's allocation-count runs. It is
 * LD_PRELOADed into a child process only (the timed figures run without
 * it), defines the malloc family glibc lets a program replace, counts each
 * call and forwards it to glibc's own implementation. C++ operator new (XRT)
 * reaches malloc and is counted too; g_slice allocations are counted when
 * G_SLICE=always-malloc is set, as the benchmark does for these runs.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

extern void *__libc_malloc (size_t size);
extern void __libc_free (void *ptr);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);
extern void *__libc_memalign (size_t align, size_t size);
extern void *__libc_valloc (size_t size);
extern void *__libc_pvalloc (size_t size);

static atomic_uint_fast64_t allocs;
static atomic_uint_fast64_t frees;

#define COUNT(counter) \
  atomic_fetch_add_explicit (&(counter), 1, memory_order_relaxed)

/* Allocations (malloc, calloc, realloc of NULL or to a new block, aligned
 * allocations) since the process started. */
uint64_t bench_malloc_count_allocs (void);
uint64_t bench_malloc_count_frees (void);

uint64_t
bench_malloc_count_allocs (void)
{
  return atomic_load (&allocs);
}

uint64_t
bench_malloc_count_frees (void)
{
  return atomic_load (&frees);
}

void *
malloc (size_t size)
{
  COUNT (allocs);
  return __libc_malloc (size);
}

void
free (void *ptr)
{
  if (ptr)
    COUNT (frees);
  __libc_free (ptr);
}

void *
calloc (size_t n, size_t size)
{
  COUNT (allocs);
  return __libc_calloc (n, size);
}

void *
realloc (void *ptr, size_t size)
{
  /* A realloc may move the block: it counts as one allocation. */
  COUNT (allocs);
  return __libc_realloc (ptr, size);
}

void *
memalign (size_t align, size_t size)
{
  COUNT (allocs);
  return __libc_memalign (align, size);
}

void *
aligned_alloc (size_t align, size_t size)
{
  COUNT (allocs);
  return __libc_memalign (align, size);
}

int
posix_memalign (void **out, size_t align, size_t size)
{
  void *p;

  if (align % sizeof (void *) != 0 || (align & (align - 1)) != 0)
    return EINVAL;
  COUNT (allocs);
  p = __libc_memalign (align, size);
  if (!p && size != 0)
    return ENOMEM;
  *out = p;
  return 0;
}

void *
valloc (size_t size)
{
  COUNT (allocs);
  return __libc_valloc (size);
}

void *
pvalloc (size_t size)
{
  COUNT (allocs);
  return __libc_pvalloc (size);
}
