/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Atomic file creation for the FITS and text writers: a temporary file in the target's
 * own directory (so the final rename stays within one file system and is atomic), synced
 * before the rename so that a crash cannot publish a file whose blocks were never
 * written, and removed on every failure path. */
#include "fits_atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fits_table.h"
#include "sphaera/mem.h"

struct SphFitsAtomic {
  char *target;   /* the path the caller named */
  char *tmp_name; /* the temporary file beside it */
  fitsfile *fits; /* exactly one of fits and stream is open */
  FILE *stream;
};

static const char *errno_text(int code, char *buf, size_t size)
{
  return strerror_r(code, buf, size);
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Flushes the file's data to the disk, so the rename cannot publish a file whose
 * blocks a crash would lose; a full disk on a delayed-allocation file system also
 * shows up here. */
static int sync_file(const char *name)
{
  int fd = open(name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  int e = fsync(fd) == 0 ? 0 : errno;
  close(fd);
  return e;
}

static void sync_directory(const char *tmp_name)
{
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", tmp_name);
  char *slash = strrchr(dir, '/');
  if (slash == NULL)
    snprintf(dir, sizeof dir, ".");
  else if (slash == dir)
    slash[1] = '\0';
  else
    slash[0] = '\0';
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd); /* best effort: the file itself is already safe */
    close(fd);
  }
}

static void free_handle(SphFitsAtomic *out)
{
  free(out->target);
  free(out->tmp_name);
  free(out);
}

/* Reserves a fresh temporary name beside path with mkostemps and makes the handle,
 * the empty placeholder file left in place. With gzip, the name keeps a ".gz" ending,
 * which is what makes CFITSIO compress. */
static SphStatus reserve(const char *path, bool gzip, SphFitsAtomic **handle, SphError *err)
{
  *handle = NULL;
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "cannot write: no file name given");
  const char *slash = strrchr(path, '/');
  const char *base = slash != NULL ? slash + 1 : path;
  if (base[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: the name is a directory",
                         path);
  /* CFITSIO compresses only when the first ".gz" in the name ends it, so the temporary
   * name drops the target's own ".gz" before its random part. */
  int base_len = (int)strlen(base) - (gzip ? 3 : 0);
  char tmp[PATH_MAX];
  int n = snprintf(tmp, sizeof tmp, "%.*s.%.*s.tmp-XXXXXX%s", (int)(base - path), path, base_len,
                   base, gzip ? ".gz" : "");
  if (n < 0 || (size_t)n >= sizeof tmp)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: the file name is too long",
                         path);
  int fd = mkostemps(tmp, gzip ? 3 : 0, O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    /* The directory as the user wrote it: "." for a bare name, "/" for the root. */
    int dir_len = base == path ? 0 : base - path == 1 ? 1 : (int)(base - path - 1);
    char dir[PATH_MAX], ebuf[128];
    snprintf(dir, sizeof dir, "%.*s", dir_len, path);
    if (dir_len == 0)
      snprintf(dir, sizeof dir, ".");
    return sph_error_set(err, SPH_ERR_IO, "%s: cannot write: cannot create a file in %s: %s",
                         path, dir, errno_text(e, ebuf, sizeof ebuf));
  }
  close(fd);
  SphFitsAtomic *out = calloc(1, sizeof *out);
  if (out != NULL) {
    out->target = sph_strdup(path);
    out->tmp_name = sph_strdup(tmp);
  }
  if (out == NULL || out->target == NULL || out->tmp_name == NULL) {
    unlink(tmp);
    if (out != NULL)
      free_handle(out);
    return sph_error_set(err, SPH_ERR_NOMEM, "%s: cannot write: out of memory", path);
  }
  *handle = out;
  return SPH_OK;
}

SphStatus sph_fits_atomic_create(const char *path, SphFitsAtomic **handle, fitsfile **fits,
                                 SphError *err)
{
  *handle = NULL;
  *fits = NULL;
  /* CFITSIO gzips a file it creates under a .gz name, as astropy does for healpy. */
  const bool gzip = path != NULL && ends_with(path, ".gz");
  SphFitsAtomic *out;
  SphStatus st = reserve(path, gzip, &out, err);
  if (st != SPH_OK)
    return st;
  int status = 0;
  /* CFITSIO keeps a global stack of messages: ours are dropped at commit or abort. */
  fits_write_errmark();
  if (gzip) {
    /* The '!' lets CFITSIO replace the placeholder; only this entry point compresses. */
    size_t len = strlen(out->tmp_name) + 2;
    char *bang = malloc(len);
    if (bang == NULL) {
      status = MEMORY_ALLOCATION;
    } else {
      snprintf(bang, len, "!%s", out->tmp_name);
      fits_create_file(&out->fits, bang, &status);
      free(bang);
    }
  } else {
    /* Literal name, no extended-filename parsing; it must not exist yet, and CFITSIO
     * creates it with the usual permissions (0666 less the umask). */
    unlink(out->tmp_name);
    fits_create_diskfile(&out->fits, out->tmp_name, &status);
  }
  if (status != 0) {
    out->fits = NULL;
    fits_clear_errmark();
    unlink(out->tmp_name);
    char text[FLEN_STATUS];
    if (status == MEMORY_ALLOCATION)
      st = sph_error_set(err, SPH_ERR_NOMEM, "%s: cannot write: out of memory", path);
    else
      st = sph_error_set(err, SPH_ERR_IO,
                         "%s: cannot write: cannot create the temporary file %s (CFITSIO: %s)",
                         path, out->tmp_name, sph_fits_status_text(status, text));
    free_handle(out);
    return st;
  }
  *fits = out->fits;
  *handle = out;
  return SPH_OK;
}

SphStatus sph_atomic_create_stream(const char *path, SphFitsAtomic **handle, FILE **stream,
                                   SphError *err)
{
  *handle = NULL;
  *stream = NULL;
  SphFitsAtomic *out;
  SphStatus st = reserve(path, false, &out, err);
  if (st != SPH_OK)
    return st;
  /* mkostemps made the placeholder 0600; a file the user asked for gets 0666 less the
   * umask like any other, so it is created again, exclusively. */
  unlink(out->tmp_name);
  int fd = open(out->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  int e = errno;
  if (fd >= 0) {
    out->stream = fdopen(fd, "w");
    e = errno;
    if (out->stream == NULL) {
      close(fd);
      unlink(out->tmp_name);
    }
  }
  if (out->stream == NULL) {
    char ebuf[128];
    st = sph_error_set(err, e == ENOMEM ? SPH_ERR_NOMEM : SPH_ERR_IO,
                       "%s: cannot write: cannot create the temporary file %s: %s", path,
                       out->tmp_name, errno_text(e, ebuf, sizeof ebuf));
    free_handle(out);
    return st;
  }
  *stream = out->stream;
  *handle = out;
  return SPH_OK;
}

/* Closes whichever file is open; returns the first failure as a message in err, with
 * status the writer's own (CFITSIO status or errno). */
static SphStatus close_file(SphFitsAtomic *out, int status, SphError *err)
{
  char ebuf[128];
  if (out->fits != NULL) {
    int close_status = 0;
    fits_close_file(out->fits, &close_status);
    out->fits = NULL;
    fits_clear_errmark();
    if (status == 0)
      status = close_status;
    if (status == 0)
      return SPH_OK;
    char text[FLEN_STATUS];
    if (status == MEMORY_ALLOCATION)
      return sph_error_set(err, SPH_ERR_NOMEM, "%s: cannot write: out of memory", out->target);
    return sph_error_set(err, SPH_ERR_IO,
                         "%s: cannot write: writing the temporary file %s failed (CFITSIO: %s); "
                         "is the disk full?",
                         out->target, out->tmp_name, sph_fits_status_text(status, text));
  }
  if (out->stream != NULL) {
    errno = 0;
    if (fflush(out->stream) != 0 && status == 0)
      status = errno != 0 ? errno : EIO;
    if (ferror(out->stream) && status == 0)
      status = EIO;
    if (fclose(out->stream) != 0 && status == 0)
      status = errno != 0 ? errno : EIO;
    out->stream = NULL;
    if (status == 0)
      return SPH_OK;
    if (status == ENOMEM)
      return sph_error_set(err, SPH_ERR_NOMEM, "%s: cannot write: out of memory", out->target);
    return sph_error_set(err, SPH_ERR_IO,
                         "%s: cannot write: writing the temporary file %s failed: %s; is the "
                         "disk full?",
                         out->target, out->tmp_name, errno_text(status, ebuf, sizeof ebuf));
  }
  return SPH_OK;
}

SphStatus sph_fits_atomic_commit(SphFitsAtomic *out, int status, SphError *err)
{
  if (out == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "cannot write: the file was never created");
  char ebuf[128];
  SphStatus st = close_file(out, status, err);
  int e = 0;
  if (st == SPH_OK && (e = sync_file(out->tmp_name)) != 0)
    st = sph_error_set(err, SPH_ERR_IO, "%s: cannot write: syncing %s failed: %s", out->target,
                       out->tmp_name, errno_text(e, ebuf, sizeof ebuf));
  if (st == SPH_OK && rename(out->tmp_name, out->target) != 0) {
    e = errno;
    st = sph_error_set(err, SPH_ERR_IO,
                       "%s: cannot write: cannot replace it with the new file: %s", out->target,
                       errno_text(e, ebuf, sizeof ebuf));
  }
  if (st == SPH_OK)
    sync_directory(out->tmp_name);
  else
    unlink(out->tmp_name);
  free_handle(out);
  return st;
}

void sph_fits_atomic_abort(SphFitsAtomic *out)
{
  if (out == NULL)
    return;
  if (out->fits != NULL) {
    int status = 0;
    /* Closing writes buffers out first; delete drops the file instead. */
    fits_delete_file(out->fits, &status);
    out->fits = NULL;
    fits_clear_errmark();
  }
  if (out->stream != NULL) {
    fclose(out->stream);
    out->stream = NULL;
  }
  unlink(out->tmp_name);
  free_handle(out);
}
