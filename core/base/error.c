/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/error.h"

#include <stdio.h>
#include <string.h>

SphStatus sph_error_setv(SphError *err, SphStatus code, const char *fmt, va_list ap)
{
  if (err == NULL)
    return code;
  err->code = code;
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  return code;
}

SphStatus sph_error_set(SphError *err, SphStatus code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  sph_error_setv(err, code, fmt, ap);
  va_end(ap);
  return code;
}

SphStatus sph_error_prefix(SphError *err, const char *fmt, ...)
{
  if (err == NULL)
    return SPH_OK;
  char joined[SPH_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(joined, sizeof joined, fmt, ap);
  va_end(ap);
  size_t used = n < 0 ? 0 : (size_t)n;
  if (used > sizeof joined - 1)
    used = sizeof joined - 1;
  /* Append ": " and the old message, truncating at the buffer's end. */
  const char *tail[2] = { ": ", err->message };
  for (int i = 0; i < 2; i++) {
    size_t len = strnlen(tail[i], SPH_ERROR_MESSAGE_MAX);
    size_t room = sizeof joined - 1 - used;
    if (len > room)
      len = room;
    memcpy(joined + used, tail[i], len);
    used += len;
  }
  joined[used] = '\0';
  memcpy(err->message, joined, used + 1);
  return err->code;
}

void sph_error_clear(SphError *err)
{
  if (err == NULL)
    return;
  err->code = SPH_OK;
  err->message[0] = '\0';
}

const char *sph_status_name(SphStatus code)
{
  switch (code) {
  case SPH_OK: return "success";
  case SPH_ERR_INVALID: return "invalid argument";
  case SPH_ERR_IO: return "input/output error";
  case SPH_ERR_FORMAT: return "bad file format";
  case SPH_ERR_UNSUPPORTED: return "not supported";
  case SPH_ERR_NOMEM: return "out of memory";
  case SPH_ERR_CANCELLED: return "cancelled";
  }
  return "unknown error";
}
