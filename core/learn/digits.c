/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The digits data set, read through zlib, and the seeded train/test split. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sphaera/dataset.h"
#include "sphaera/mem.h"
#include "sphaera/rng.h"

enum { DIGITS_PIXELS = 64, DIGITS_CLASSES = 10, DIGITS_MAX_ROWS = 100000 };

void sph_dataset_clear(SphDataset *d)
{
  if (d == NULL)
    return;
  sph_free_aligned(d->x);
  free(d->y);
  memset(d, 0, sizeof *d);
}

static SphStatus dataset_alloc(SphDataset *d, size_t n, size_t nfeatures, size_t nclasses,
                               SphError *err)
{
  memset(d, 0, sizeof *d);
  d->x = sph_alloc_aligned(n * nfeatures, sizeof(float), err);
  d->y = malloc((n ? n : 1) * sizeof *d->y);
  if (d->x == NULL || d->y == NULL) {
    sph_dataset_clear(d);
    return sph_error_set(err, SPH_ERR_NOMEM, "data set: out of memory for %zu rows", n);
  }
  d->n = n;
  d->nfeatures = nfeatures;
  d->nclasses = nclasses;
  return SPH_OK;
}

/* Parses one CSV line of 65 integers into pixels and label. */
static SphStatus parse_line(char *line, const char *path, size_t lineno, float *pixels,
                            int32_t *label, SphError *err)
{
  char *p = line;
  for (int f = 0; f <= DIGITS_PIXELS; f++) {
    errno = 0;
    char *end;
    long v = strtol(p, &end, 10);
    long hi = f < DIGITS_PIXELS ? 16 : DIGITS_CLASSES - 1;
    if (end == p || errno != 0 || v < 0 || v > hi)
      return sph_error_set(err, SPH_ERR_FORMAT,
                           "%s: line %zu, field %d is not an integer in 0..%ld", path, lineno,
                           f + 1, hi);
    if (f < DIGITS_PIXELS)
      pixels[f] = (float)v / 16.0f;
    else
      *label = (int32_t)v;
    char want = f < DIGITS_PIXELS ? ',' : '\0';
    while (f == DIGITS_PIXELS && (*end == '\n' || *end == '\r' || *end == ' '))
      end++;
    if (*end != want)
      return sph_error_set(err, SPH_ERR_FORMAT, "%s: line %zu has %s than 65 fields", path,
                           lineno, f < DIGITS_PIXELS ? "fewer" : "more");
    p = end + 1;
  }
  return SPH_OK;
}

SphStatus sph_digits_load(const char *path, SphDataset *out, SphError *err)
{
  memset(out, 0, sizeof *out);
  gzFile gz = gzopen(path, "rb");
  if (gz == NULL)
    return sph_error_set(err, SPH_ERR_IO, "%s: cannot open (%s)", path,
                         errno ? strerror(errno) : "out of memory");
  /* Count the lines first, so the rows are allocated once. */
  char line[1024];
  size_t rows = 0;
  while (gzgets(gz, line, sizeof line) != NULL) {
    size_t len = strlen(line);
    rows += len > 1 && line[len - 1] == '\n';
  }
  if (gzrewind(gz) != 0) {
    gzclose(gz);
    return sph_error_set(err, SPH_ERR_FORMAT, "%s: damaged gzip data", path);
  }
  if (rows > DIGITS_MAX_ROWS)
    rows = DIGITS_MAX_ROWS;
  SphDataset d;
  SphStatus st = dataset_alloc(&d, rows + 1, DIGITS_PIXELS, DIGITS_CLASSES, err);
  size_t n = 0;
  while (st == SPH_OK && gzgets(gz, line, sizeof line) != NULL) {
    size_t len = strlen(line);
    if (len + 1 == sizeof line && line[len - 1] != '\n') {
      st = sph_error_set(err, SPH_ERR_FORMAT, "%s: line %zu is too long for a digit", path, n + 1);
      break;
    }
    if (len == 0 || line[0] == '\n')
      continue;
    if (n == rows + 1 || n == DIGITS_MAX_ROWS) {
      st = sph_error_set(err, SPH_ERR_FORMAT, "%s: more than %zu rows", path, n);
      break;
    }
    st = parse_line(line, path, n + 1, d.x + n * DIGITS_PIXELS, &d.y[n], err);
    n++;
  }
  int zerr = Z_OK;
  const char *zmsg = gzerror(gz, &zerr);
  if (st == SPH_OK && zerr != Z_OK && zerr != Z_STREAM_END)
    st = sph_error_set(err, SPH_ERR_FORMAT, "%s: damaged gzip data (%s)", path, zmsg);
  gzclose(gz);
  if (st == SPH_OK && n == 0)
    st = sph_error_set(err, SPH_ERR_FORMAT, "%s: no images", path);
  if (st != SPH_OK) {
    sph_dataset_clear(&d);
    return st;
  }
  d.n = n;
  *out = d;
  return SPH_OK;
}

static void copy_rows(const SphDataset *all, const size_t *rows, size_t n, SphDataset *dst)
{
  for (size_t i = 0; i < n; i++) {
    memcpy(dst->x + i * all->nfeatures, all->x + rows[i] * all->nfeatures,
           all->nfeatures * sizeof(float));
    dst->y[i] = all->y[rows[i]];
  }
}

SphStatus sph_dataset_split(const SphDataset *all, double test_fraction, uint64_t seed,
                            SphDataset *train, SphDataset *test, SphError *err)
{
  memset(train, 0, sizeof *train);
  memset(test, 0, sizeof *test);
  size_t ntest = (size_t)llround(test_fraction * (double)all->n);
  if (!(test_fraction > 0.0 && test_fraction < 1.0) || ntest == 0 || ntest >= all->n)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "split: test fraction %g of %zu rows leaves an empty part", test_fraction,
                         all->n);
  size_t *perm = malloc(all->n * sizeof *perm);
  if (perm == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "split: out of memory");
  for (size_t i = 0; i < all->n; i++)
    perm[i] = i;
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  for (size_t i = all->n - 1; i > 0; i--) { /* Fisher-Yates */
    size_t j = (size_t)sph_rng_below(&rng, i + 1);
    size_t t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  size_t ntrain = all->n - ntest;
  SphStatus st = dataset_alloc(train, ntrain, all->nfeatures, all->nclasses, err);
  if (st == SPH_OK)
    st = dataset_alloc(test, ntest, all->nfeatures, all->nclasses, err);
  if (st == SPH_OK) {
    copy_rows(all, perm, ntrain, train);
    copy_rows(all, perm + ntrain, ntest, test);
  } else {
    sph_dataset_clear(train);
  }
  free(perm);
  return st;
}

