/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The .npy format is NumPy's NEP 1: a magic string, a version, a header length, a
 * Python dict literal padded with spaces to a 64-byte boundary and ending in '\n',
 * then the raw array. */
#include "sphaera/chain_io.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fits_atomic.h"
#include "sphaera/mem.h"

static const char NPY_MAGIC[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

static int stdio_errno(void)
{
  return errno != 0 ? errno : EIO;
}

static bool host_is_little_endian(void)
{
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

static void swap8(unsigned char *p)
{
  for (int i = 0; i < 4; i++) {
    unsigned char t = p[i];
    p[i] = p[7 - i];
    p[7 - i] = t;
  }
}

static void swap4(unsigned char *p)
{
  unsigned char t = p[0];
  p[0] = p[3];
  p[3] = t;
  t = p[1];
  p[1] = p[2];
  p[2] = t;
}

/* Writes the float64 values little-endian, in blocks so a big-endian host swaps a copy. */
static int write_doubles(FILE *f, const double *x, size_t n)
{
  if (host_is_little_endian())
    return fwrite(x, sizeof(double), n, f) == n ? 0 : stdio_errno();
  double block[512];
  for (size_t i = 0; i < n; i += 512) {
    size_t m = n - i < 512 ? n - i : 512;
    memcpy(block, x + i, m * sizeof(double));
    for (size_t k = 0; k < m; k++)
      swap8((unsigned char *)&block[k]);
    if (fwrite(block, sizeof(double), m, f) != m)
      return stdio_errno();
  }
  return 0;
}

SphStatus sph_npy_write(const char *path, const double *data, const size_t *shape, size_t ndim,
                        SphError *err)
{
  if (ndim == 0 || ndim > SPH_NPY_MAX_DIMS)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: an array of %zu dimensions (1 to %d)",
                         path, ndim, SPH_NPY_MAX_DIMS);
  char dict[512];
  int len = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (");
  size_t count = 1;
  for (size_t i = 0; i < ndim; i++) {
    len += snprintf(dict + len, sizeof dict - (size_t)len, "%zu%s", shape[i],
                    ndim == 1 ? "," : (i + 1 < ndim ? ", " : ""));
    count *= shape[i];
  }
  len += snprintf(dict + len, sizeof dict - (size_t)len, "), }");
  /* magic (6) + version (2) + length (2) + dict + padding + '\n' = multiple of 64 */
  size_t total = 10 + (size_t)len + 1;
  size_t padded = (total + 63) / 64 * 64;
  size_t header_len = padded - 10;
  char header[640];
  memcpy(header, dict, (size_t)len);
  memset(header + len, ' ', header_len - (size_t)len - 1);
  header[header_len - 1] = '\n';

  SphFitsAtomic *out;
  FILE *f;
  SphStatus st = sph_atomic_create_stream(path, &out, &f, err);
  if (st != SPH_OK)
    return st;
  errno = 0;
  unsigned char prefix[10];
  memcpy(prefix, NPY_MAGIC, 6);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix[8] = (unsigned char)(header_len & 0xff);
  prefix[9] = (unsigned char)(header_len >> 8);
  int e = 0;
  if (fwrite(prefix, 1, 10, f) != 10 || fwrite(header, 1, header_len, f) != header_len)
    e = stdio_errno();
  if (e == 0)
    e = write_doubles(f, data, count);
  return sph_fits_atomic_commit(out, e, err);
}

/* Parses the header dict: descr, fortran_order and shape. */
static SphStatus parse_header(const char *path, const char *h, bool *little, size_t *item,
                              bool *fortran, size_t *shape, size_t *ndim, SphError *err)
{
  const char *d = strstr(h, "'descr'");
  const char *fo = strstr(h, "'fortran_order'");
  const char *sh = strstr(h, "'shape'");
  if (d == NULL || fo == NULL || sh == NULL)
    return sph_error_set(err, SPH_ERR_FORMAT,
                         "%s: the .npy header lacks descr, fortran_order or shape", path);
  d = strchr(d + 7, '\'');
  if (d == NULL)
    return sph_error_set(err, SPH_ERR_FORMAT, "%s: unreadable descr in the .npy header", path);
  d++;
  if (strncmp(d, "<f8'", 4) == 0 || strncmp(d, "<f4'", 4) == 0 ||
      strncmp(d, ">f8'", 4) == 0 || strncmp(d, ">f4'", 4) == 0) {
    *little = d[0] == '<';
    *item = d[2] == '8' ? 8 : 4;
  } else {
    const char *end = strchr(d, '\'');
    int n = end != NULL ? (int)(end - d) : 8;
    return sph_error_set(err, SPH_ERR_UNSUPPORTED,
                         "%s: the array holds '%.*s'; Sphaera reads float64 and float32 "
                         "chains", path, n, d);
  }
  fo = strchr(fo + 15, ':');
  while (fo != NULL && (*fo == ':' || *fo == ' '))
    fo++;
  if (fo != NULL && strncmp(fo, "True", 4) == 0)
    *fortran = true;
  else if (fo != NULL && strncmp(fo, "False", 5) == 0)
    *fortran = false;
  else
    return sph_error_set(err, SPH_ERR_FORMAT, "%s: unreadable fortran_order", path);
  sh = strchr(sh + 7, '(');
  if (sh == NULL)
    return sph_error_set(err, SPH_ERR_FORMAT, "%s: unreadable shape", path);
  sh++;
  *ndim = 0;
  for (;;) {
    while (*sh == ' ' || *sh == ',')
      sh++;
    if (*sh == ')')
      break;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(sh, &end, 10);
    if (end == sh || errno != 0)
      return sph_error_set(err, SPH_ERR_FORMAT, "%s: unreadable shape", path);
    if (*ndim == SPH_NPY_MAX_DIMS)
      return sph_error_set(err, SPH_ERR_UNSUPPORTED, "%s: more than %d dimensions", path,
                           SPH_NPY_MAX_DIMS);
    shape[(*ndim)++] = (size_t)v;
    sh = end;
  }
  return SPH_OK;
}

/* Fortran order to C order: the element at index (i0, ..., ik) sits at
 * sum i_j prod_{l<j} n_l in the source. */
static void fortran_to_c(const double *src, double *dst, const size_t *shape, size_t ndim,
                         size_t count)
{
  size_t idx[SPH_NPY_MAX_DIMS] = {0};
  for (size_t c = 0; c < count; c++) {
    size_t off = 0, stride = 1;
    for (size_t j = 0; j < ndim; j++) {
      off += idx[j] * stride;
      stride *= shape[j];
    }
    dst[c] = src[off];
    for (size_t j = ndim; j-- > 0;) {
      if (++idx[j] < shape[j])
        break;
      idx[j] = 0;
    }
  }
}

SphStatus sph_npy_read(const char *path, double **data, size_t *shape, size_t *ndim,
                       SphError *err)
{
  *data = NULL;
  *ndim = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return sph_error_set(err, SPH_ERR_IO, "%s: cannot open it: %s", path, strerror(errno));
  unsigned char pre[12];
  SphStatus st = SPH_OK;
  char *header = NULL;
  unsigned char *raw = NULL;
  double *out = NULL;
  if (fread(pre, 1, 10, f) != 10 || memcmp(pre, NPY_MAGIC, 6) != 0) {
    st = sph_error_set(err, SPH_ERR_FORMAT, "%s: not a NumPy .npy file (no \\x93NUMPY magic)",
                       path);
    goto done;
  }
  size_t header_len;
  if (pre[6] == 1) {
    header_len = pre[8] | (size_t)pre[9] << 8;
  } else if (pre[6] == 2 || pre[6] == 3) {
    if (fread(pre + 10, 1, 2, f) != 2) {
      st = sph_error_set(err, SPH_ERR_FORMAT, "%s: truncated .npy header", path);
      goto done;
    }
    header_len = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
  } else {
    st = sph_error_set(err, SPH_ERR_UNSUPPORTED, "%s: .npy format version %d.%d is unknown",
                       path, pre[6], pre[7]);
    goto done;
  }
  if (header_len > (1u << 20)) {
    st = sph_error_set(err, SPH_ERR_FORMAT, "%s: implausible .npy header of %zu bytes", path,
                       header_len);
    goto done;
  }
  header = malloc(header_len + 1);
  if (header == NULL || fread(header, 1, header_len, f) != header_len) {
    st = sph_error_set(err, header ? SPH_ERR_FORMAT : SPH_ERR_NOMEM,
                       "%s: truncated .npy header", path);
    goto done;
  }
  header[header_len] = '\0';
  bool little = true, fortran = false;
  size_t item = 8;
  if ((st = parse_header(path, header, &little, &item, &fortran, shape, ndim, err)) != SPH_OK)
    goto done;
  size_t count = 1;
  for (size_t i = 0; i < *ndim; i++) {
    if (shape[i] != 0 && count > SIZE_MAX / 8 / shape[i]) {
      st = sph_error_set(err, SPH_ERR_FORMAT, "%s: the array is too large", path);
      goto done;
    }
    count *= shape[i];
  }
  size_t alloc = count > 0 ? count : 1;
  raw = malloc(alloc * item);
  out = sph_alloc_aligned(alloc, sizeof(double), err);
  if (raw == NULL || out == NULL) {
    st = sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory for %zu values", path, count);
    goto done;
  }
  size_t got = fread(raw, item, count, f);
  if (got != count) {
    st = sph_error_set(err, SPH_ERR_FORMAT,
                       "%s: truncated: the header promises %zu values, the file holds %zu",
                       path, count, got);
    goto done;
  }
  bool swap = little != host_is_little_endian();
  double *tmp = fortran ? sph_alloc_aligned(alloc, sizeof(double), err) : out;
  if (tmp == NULL) {
    st = SPH_ERR_NOMEM;
    goto done;
  }
  for (size_t i = 0; i < count; i++) {
    unsigned char *p = raw + i * item;
    if (item == 8) {
      if (swap)
        swap8(p);
      memcpy(&tmp[i], p, 8);
    } else {
      if (swap)
        swap4(p);
      float v;
      memcpy(&v, p, 4);
      tmp[i] = v;
    }
  }
  if (fortran) {
    fortran_to_c(tmp, out, shape, *ndim, count);
    sph_free_aligned(tmp);
  }
done:
  fclose(f);
  free(header);
  free(raw);
  if (st != SPH_OK) {
    sph_free_aligned(out);
    *ndim = 0;
    return st;
  }
  *data = out;
  return SPH_OK;
}

SphStatus sph_chain_write_npy(const SphChain *c, const char *path, SphError *err)
{
  size_t shape[3] = {c->steps, c->walkers, c->dim};
  return sph_npy_write(path, c->samples, shape, 3, err);
}

SphStatus sph_chain_write_log_prob_npy(const SphChain *c, const char *path, SphError *err)
{
  size_t shape[2] = {c->steps, c->walkers};
  return sph_npy_write(path, c->log_prob, shape, 2, err);
}

/* A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break. */
static int write_field(FILE *f, const char *s)
{
  if (strpbrk(s, ",\"\r\n") == NULL)
    return fputs(s, f) < 0 ? stdio_errno() : 0;
  if (fputc('"', f) == EOF)
    return stdio_errno();
  for (; *s; s++) {
    if (*s == '"' && fputc('"', f) == EOF)
      return stdio_errno();
    if (fputc(*s, f) == EOF)
      return stdio_errno();
  }
  return fputc('"', f) == EOF ? stdio_errno() : 0;
}

SphStatus sph_chain_write_csv(const SphChain *c, const char *path, SphError *err)
{
  SphFitsAtomic *out;
  FILE *f;
  SphStatus st = sph_atomic_create_stream(path, &out, &f, err);
  if (st != SPH_OK)
    return st;
  errno = 0;
  int e = fputs("walker,step", f) < 0 ? stdio_errno() : 0;
  for (size_t i = 0; i < c->dim && e == 0; i++) {
    if (fputc(',', f) == EOF)
      e = stdio_errno();
    else
      e = write_field(f, c->names[i]);
  }
  if (e == 0 && fputs(",log_prob\n", f) < 0)
    e = stdio_errno();
  for (size_t w = 0; w < c->walkers && e == 0; w++)
    for (size_t s = 0; s < c->steps && e == 0; s++) {
      if (fprintf(f, "%zu,%zu", w, s) < 0)
        e = stdio_errno();
      const double *x = sph_chain_sample(c, s, w);
      for (size_t i = 0; i < c->dim && e == 0; i++)
        if (fprintf(f, ",%.17g", x[i]) < 0)
          e = stdio_errno();
      if (e == 0 && fprintf(f, ",%.17g\n", c->log_prob[s * c->walkers + w]) < 0)
        e = stdio_errno();
    }
  return sph_fits_atomic_commit(out, e, err);
}

SphStatus sph_chain_read_npy(const char *path, const char *log_prob_path, SphChain **out,
                             SphError *err)
{
  *out = NULL;
  double *x = NULL, *lp = NULL;
  size_t shape[SPH_NPY_MAX_DIMS], lshape[SPH_NPY_MAX_DIMS], nd, lnd = 0;
  SphStatus st = sph_npy_read(path, &x, shape, &nd, err);
  if (st != SPH_OK)
    return st;
  size_t steps, walkers, dim;
  if (nd == 3) {
    steps = shape[0];
    walkers = shape[1];
    dim = shape[2];
  } else if (nd == 2) {
    steps = shape[0];
    walkers = 1;
    dim = shape[1];
  } else {
    sph_free_aligned(x);
    return sph_error_set(err, SPH_ERR_FORMAT,
                         "%s: a chain is steps x walkers x dims (or steps x dims); this array "
                         "has %zu dimensions", path, nd);
  }
  if (log_prob_path != NULL) {
    st = sph_npy_read(log_prob_path, &lp, lshape, &lnd, err);
    if (st != SPH_OK) {
      sph_free_aligned(x);
      return st;
    }
    bool fits = lnd == 2 ? lshape[0] == steps && lshape[1] == walkers
                         : lnd == 1 && walkers == 1 && lshape[0] == steps;
    if (!fits) {
      sph_free_aligned(x);
      sph_free_aligned(lp);
      return sph_error_set(err, SPH_ERR_FORMAT,
                           "%s: its shape does not match the chain %s (%zu steps x %zu walkers)",
                           log_prob_path, path, steps, walkers);
    }
  }
  SphChain *c;
  st = sph_chain_new(steps, walkers, dim, NULL, NULL, &c, err);
  if (st == SPH_OK) {
    c->steps = steps;
    memcpy(c->samples, x, steps * walkers * dim * sizeof(double));
    for (size_t i = 0; i < steps * walkers; i++)
      c->log_prob[i] = lp != NULL ? lp[i] : NAN;
    *out = c;
  } else {
    sph_error_prefix(err, "%s", path);
  }
  sph_free_aligned(x);
  sph_free_aligned(lp);
  return st;
}
