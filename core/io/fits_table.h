/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the FITS readers and writers: big-endian element access (FITS
 * stores every binary-table value big-endian) and CFITSIO status text. Private to
 * core/io. */

#include <fitsio.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "sphaera/healpix.h"

/* Rows are moved through a buffer of about this many bytes at a time. */
#define SPH_FITS_CHUNK_BYTES ((int64_t)4 << 20)

/* healpy's mask_bad: |v - UNSEEN| <= atol + rtol |UNSEEN| with rtol 1e-5, atol 1e-8.
 * NaN compares false: NaN is kept as NaN, as healpy keeps it. */
static inline bool sph_fits_near_unseen(double v)
{
  return fabs(v - SPH_UNSEEN) <= 1e-8 + 1e-5 * fabs(SPH_UNSEEN);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SPH_BE16(x) (x)
#define SPH_BE32(x) (x)
#define SPH_BE64(x) (x)
#else
#define SPH_BE16(x) __builtin_bswap16(x)
#define SPH_BE32(x) __builtin_bswap32(x)
#define SPH_BE64(x) __builtin_bswap64(x)
#endif

static inline uint16_t sph_load_be16(const unsigned char *p)
{
  uint16_t v;
  memcpy(&v, p, 2);
  return SPH_BE16(v);
}

static inline uint32_t sph_load_be32(const unsigned char *p)
{
  uint32_t v;
  memcpy(&v, p, 4);
  return SPH_BE32(v);
}

static inline uint64_t sph_load_be64(const unsigned char *p)
{
  uint64_t v;
  memcpy(&v, p, 8);
  return SPH_BE64(v);
}

static inline void sph_store_be16(unsigned char *p, uint16_t v)
{
  v = SPH_BE16(v);
  memcpy(p, &v, 2);
}

static inline void sph_store_be32(unsigned char *p, uint32_t v)
{
  v = SPH_BE32(v);
  memcpy(p, &v, 4);
}

static inline void sph_store_be64(unsigned char *p, uint64_t v)
{
  v = SPH_BE64(v);
  memcpy(p, &v, 8);
}

/* Doubles narrow to the nearest float (UNSEEN to the float nearest -1.6375e30, values
 * beyond the float range to infinities), as numpy's astype(float32) does for healpy.
 * size is 4 (FITS 'E') or 8 ('D'). */
static inline void sph_fits_store_values(unsigned char *dst, int size, const double *src,
                                         int64_t n)
{
  if (size == 4) {
    for (int64_t k = 0; k < n; k++) {
      float f = (float)src[k];
      uint32_t bits;
      memcpy(&bits, &f, 4);
      sph_store_be32(dst + 4 * k, bits);
    }
  } else {
    for (int64_t k = 0; k < n; k++) {
      uint64_t bits;
      memcpy(&bits, &src[k], 8);
      sph_store_be64(dst + 8 * k, bits);
    }
  }
}

/* The machine's memory in bytes (0 when unknown): readers refuse, before allocating,
 * what a header or an index claims beyond it. */
static inline double sph_physical_memory_bytes(void)
{
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? (double)pages * (double)page : 0.0;
}

/* CFITSIO's short description of a status code ("tried to move past end of file"). */
static inline const char *sph_fits_status_text(int status, char text[FLEN_STATUS])
{
  fits_get_errstatus(status, text);
  return text;
}
