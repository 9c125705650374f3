/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The checked opening every FITS reader in core/io uses (see fits_input.h). */
#include "fits_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fits_table.h"

#define FITS_BLOCK 2880

static const char *errno_text(int code, char *buf, size_t size)
{
  return strerror_r(code, buf, size);
}

/* Compressed formats CFITSIO opens transparently: gzip, Unix compress, pack, zip, bzip2. */
static bool compressed_magic(const unsigned char *b, size_t n)
{
  if (n >= 2 && b[0] == 0x1f && (b[1] == 0x8b || b[1] == 0x9d || b[1] == 0x1e || b[1] == 0xa0))
    return true;
  if (n >= 4 && memcmp(b, "PK\003\004", 4) == 0)
    return true;
  return n >= 3 && memcmp(b, "BZh", 3) == 0;
}

/* CFITSIO sizes its buffer from a gzip file's last four bytes (the uncompressed size
 * modulo 2^32). In a cut file they are arbitrary data, and it would allocate up to 4 GiB
 * before failing; deflate never expands more than 1032-fold, so a larger claim means
 * the file ends early. */
static SphStatus check_gzip_trailer(SphFitsInput *r, const unsigned char *head, size_t nhead)
{
  if (nhead < 2 || head[0] != 0x1f || head[1] != 0x8b)
    return SPH_OK;
  const int64_t minimum = 18; /* header and trailer of an empty member */
  unsigned char tail[4];
  int fd = r->file_size >= minimum ? open(r->path, O_RDONLY | O_CLOEXEC) : -1;
  ssize_t got = fd >= 0 ? pread(fd, tail, 4, (off_t)(r->file_size - 4)) : -1;
  if (fd >= 0)
    close(fd);
  if (r->file_size < minimum || got != 4)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: truncated: the compressed file is only %lld bytes long", r->path,
                         (long long)r->file_size);
  uint32_t isize = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
                   (uint32_t)tail[3] << 24;
  if ((double)isize > 1032.0 * (double)r->file_size + 1024.0)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: truncated: the compressed file ends early (its gzip size field "
                         "claims %u bytes, more than %lld compressed bytes can hold)",
                         r->path, isize, (long long)r->file_size);
  return SPH_OK;
}

/* Checks what CFITSIO would report vaguely: a missing or unreadable file, a directory,
 * an empty file, a file that is not FITS at all, a plain file shorter than one block. */
static SphStatus preflight(SphFitsInput *r)
{
  char ebuf[128];
  int fd = open(r->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return sph_error_set(r->err, SPH_ERR_IO, "%s: cannot open: %s", r->path,
                         errno_text(e, ebuf, sizeof ebuf));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return sph_error_set(r->err, SPH_ERR_IO, "%s: cannot read: %s", r->path,
                         errno_text(e, ebuf, sizeof ebuf));
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return sph_error_set(r->err, SPH_ERR_IO, "%s: is a directory, not a FITS file", r->path);
  }
  r->regular = S_ISREG(st.st_mode);
  r->file_size = (int64_t)st.st_size;
  if (!r->regular) {
    close(fd); /* a pipe or device: let CFITSIO read it once, unsniffed */
    return SPH_OK;
  }
  unsigned char head[9];
  ssize_t got = pread(fd, head, sizeof head, 0);
  int e = errno;
  close(fd);
  if (got < 0)
    return sph_error_set(r->err, SPH_ERR_IO, "%s: cannot read: %s", r->path,
                         errno_text(e, ebuf, sizeof ebuf));
  if (got == 0)
    return sph_error_set(r->err, SPH_ERR_FORMAT, "%s: not a FITS file: the file is empty",
                         r->path);
  r->compressed = compressed_magic(head, (size_t)got);
  if (r->compressed)
    return check_gzip_trailer(r, head, (size_t)got);
  static const char simple[] = "SIMPLE  =";
  size_t cmp = (size_t)got < sizeof simple - 1 ? (size_t)got : sizeof simple - 1;
  if (memcmp(head, simple, cmp) != 0)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: not a FITS file (a FITS file begins with 'SIMPLE  =')", r->path);
  if (r->file_size < FITS_BLOCK)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: truncated: the file ends at byte %lld, inside the primary header "
                         "(a FITS file is made of %d-byte blocks)",
                         r->path, (long long)r->file_size, FITS_BLOCK);
  return SPH_OK;
}

static SphStatus open_fits(SphFitsInput *r)
{
  int status = 0;
  char text[FLEN_STATUS];
  /* The disk-file variant takes the name literally: no "[ext]" or "+n" syntax. */
  fits_open_diskfile(&r->fits, r->path, READONLY, &status);
  if (status == 0)
    return SPH_OK;
  r->fits = NULL;
  if (r->compressed)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: cannot decompress it as a FITS file (CFITSIO: %s)", r->path,
                         sph_fits_status_text(status, text));
  if (status == FILE_NOT_OPENED)
    return sph_error_set(r->err, SPH_ERR_IO, "%s: cannot open (CFITSIO: %s)", r->path,
                         sph_fits_status_text(status, text));
  return sph_error_set(r->err, SPH_ERR_FORMAT,
                       "%s: not a readable FITS file: the primary header is damaged (CFITSIO: %s)",
                       r->path, sph_fits_status_text(status, text));
}

static SphStatus truncated_at_block(SphFitsInput *r)
{
  return sph_error_set(r->err, SPH_ERR_FORMAT,
                       "%s: truncated: the file ends at byte %lld, in the middle of a %d-byte "
                       "FITS block",
                       r->path, (long long)r->file_size, FITS_BLOCK);
}

SphStatus sph_fits_input_table(SphFitsInput *r, int hdu, const char *hdu_name, const char *kind)
{
  int status = 0, hdutype = 0;
  char text[FLEN_STATUS];
  fits_movabs_hdu(r->fits, hdu, &hdutype, &status);
  if (status != 0) {
    if (r->regular && !r->compressed && r->file_size % FITS_BLOCK != 0)
      return truncated_at_block(r);
    int nhdus = 0, count_status = 0;
    if (status == END_OF_FILE)
      fits_get_num_hdus(r->fits, &nhdus, &count_status);
    if (status == END_OF_FILE && nhdus <= 1)
      return sph_error_set(r->err, SPH_ERR_FORMAT,
                           "%s: no binary table extension: the file holds only a primary HDU "
                           "(%s is a binary table in %s)",
                           r->path, kind, hdu_name);
    if (status == END_OF_FILE && count_status == 0 && nhdus < hdu)
      return sph_error_set(r->err, SPH_ERR_FORMAT,
                           "%s: no %s: the file holds %d extension%s after the primary HDU",
                           r->path, hdu_name, nhdus - 1, nhdus == 2 ? "" : "s");
    return sph_error_set(r->err, SPH_ERR_FORMAT, "%s: the extension in %s is unreadable%s "
                         "(CFITSIO: %s)",
                         r->path, hdu_name,
                         r->compressed ? "; the compressed file may be truncated" : "",
                         sph_fits_status_text(status, text));
  }
  if (hdutype == IMAGE_HDU)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: %s is an image, not a binary table: not %s file", r->path,
                         hdu_name, kind);
  if (hdutype == ASCII_TBL)
    return sph_error_set(r->err, SPH_ERR_UNSUPPORTED,
                         "%s: %s is an ASCII table; %s file holds a binary table", r->path,
                         hdu_name, kind);

  long long head_start = 0, data_start = 0, data_end = 0;
  fits_get_hduaddrll(r->fits, &head_start, &data_start, &data_end, &status);
  if (status != 0)
    return sph_error_set(r->err, SPH_ERR_FORMAT, "%s: cannot locate the table (CFITSIO: %s)",
                         r->path, sph_fits_status_text(status, text));
  /* data_end includes the padding to a whole block, as a complete file has it. */
  if (r->regular && !r->compressed && r->file_size < data_end)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: truncated: the file ends at byte %lld but the table needs %lld bytes",
                         r->path, (long long)r->file_size, data_end);
  return SPH_OK;
}

SphStatus sph_fits_input_open(SphFitsInput *in, const char *path, SphError *err)
{
  *in = (SphFitsInput){ .path = path, .err = err };
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "cannot read: no file name given");
  /* CFITSIO keeps a global stack of messages; ours are dropped on closing. */
  fits_write_errmark();
  in->marked = true;
  SphStatus st = preflight(in);
  return st != SPH_OK ? st : open_fits(in);
}

SphStatus sph_fits_input_check_end(SphFitsInput *r)
{
  if (r->regular && !r->compressed && r->file_size % FITS_BLOCK != 0)
    return truncated_at_block(r);
  return SPH_OK;
}

SphStatus sph_fits_input_read_failed(SphFitsInput *r, int status)
{
  char text[FLEN_STATUS];
  if (status == END_OF_FILE || status == READ_ERROR)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: truncated: the data end before the table does (CFITSIO: %s)",
                         r->path, sph_fits_status_text(status, text));
  if (status == MEMORY_ALLOCATION)
    return sph_error_set(r->err, SPH_ERR_NOMEM, "%s: out of memory reading the table", r->path);
  return sph_error_set(r->err, SPH_ERR_IO, "%s: cannot read the table data (CFITSIO: %s)",
                       r->path, sph_fits_status_text(status, text));
}

void sph_fits_input_close(SphFitsInput *in)
{
  if (in->fits != NULL) {
    int status = 0;
    fits_close_file(in->fits, &status);
    in->fits = NULL;
  }
  if (in->marked)
    fits_clear_errmark();
  in->marked = false;
}
