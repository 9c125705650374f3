/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdarg.h>

/* A fallible call returns an SphStatus and, when it fails, fills the SphError the
 * caller passed (which may be NULL) with a message a user can act on, such as
 * "map.fits: NSIDE=300 is not a power of two". The library never prints or exits. */

typedef enum {
  SPH_OK = 0,
  SPH_ERR_INVALID,     /* an argument is out of range or inconsistent */
  SPH_ERR_IO,          /* the operating system refused: missing file, full disk, permission */
  SPH_ERR_FORMAT,      /* a file's content is not what it must be */
  SPH_ERR_UNSUPPORTED, /* valid, but not something Sphaera handles */
  SPH_ERR_NOMEM,       /* an allocation failed */
  SPH_ERR_CANCELLED,   /* the job was cancelled */
} SphStatus;

#define SPH_ERROR_MESSAGE_MAX 512

typedef struct {
  SphStatus code;
  char message[SPH_ERROR_MESSAGE_MAX];
} SphError;

#define SPH_ERROR_INIT { SPH_OK, { 0 } }

/* Fills err (when not NULL) and returns code, so a failure reads
 * `return sph_error_set(err, SPH_ERR_FORMAT, "%s: no binary table", path);` */
SphStatus sph_error_set(SphError *err, SphStatus code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
SphStatus sph_error_setv(SphError *err, SphStatus code, const char *fmt, va_list ap);

/* Puts context in front of an existing message: "reading sky.fits: <old message>". */
SphStatus sph_error_prefix(SphError *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void sph_error_clear(SphError *err);

/* A short name for a status, "invalid argument", "I/O error", ... */
const char *sph_status_name(SphStatus code);
