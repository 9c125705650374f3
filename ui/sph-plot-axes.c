/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-plot-axes.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sph-figure.h"

void sph_plot_text(cairo_t *cr, double x, double y, const char *text, double ax, double ay)
{
  cairo_text_extents_t e;
  cairo_text_extents(cr, text, &e);
  cairo_move_to(cr, x - ax * e.width - e.x_bearing, y - ay * e.height - e.y_bearing);
  cairo_show_text(cr, text);
}

void sph_plot_text_vertical(cairo_t *cr, double x, double y, const char *text)
{
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -M_PI / 2.0);
  sph_plot_text(cr, 0.0, 0.0, text, 0.5, 0.5);
  cairo_restore(cr);
}

double sph_plot_tick_step(double span, int target)
{
  if (!(span > 0.0) || !isfinite(span) || target < 1)
    return 1.0;
  double raw = span / target;
  double power = pow(10.0, floor(log10(raw)));
  double m = raw / power;
  return power * (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0);
}

void sph_plot_format_tick(double v, double step, char *buf, int size)
{
  int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
  if (decimals > 8)
    decimals = 8;
  if (fabs(v) < 0.5 * step * 1e-6)
    v = 0.0; /* no "-0" */
  if (fabs(v) >= 1e5 || (fabs(v) < 1e-4 && v != 0.0))
    snprintf(buf, (size_t)size, "%.2g", v);
  else
    snprintf(buf, (size_t)size, "%.*f", decimals, v);
}

void sph_plot_axes(cairo_t *cr, const SphPlotBox *b, int target, bool xlabels, bool ylabels,
                   double font_size)
{
  char text[64];
  cairo_save(cr);
  cairo_set_line_width(cr, 1.0);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_set_font_size(cr, font_size);
  double tick = fmax(3.0, font_size * 0.4);
  double step = sph_plot_tick_step(b->xmax - b->xmin, target);
  for (double v = ceil(b->xmin / step) * step; v <= b->xmax + 1e-9 * step; v += step) {
    double x = sph_plot_box_x(b, v);
    cairo_move_to(cr, x, b->y + b->h);
    cairo_line_to(cr, x, b->y + b->h - tick);
    cairo_stroke(cr);
    if (xlabels) {
      sph_plot_format_tick(v, step, text, sizeof text);
      sph_plot_text(cr, x, b->y + b->h + 0.4 * font_size, text, 0.5, 0.0);
    }
  }
  step = sph_plot_tick_step(b->ymax - b->ymin, target);
  for (double v = ceil(b->ymin / step) * step; v <= b->ymax + 1e-9 * step; v += step) {
    double y = sph_plot_box_y(b, v);
    cairo_move_to(cr, b->x, y);
    cairo_line_to(cr, b->x + tick, y);
    cairo_stroke(cr);
    if (ylabels) {
      sph_plot_format_tick(v, step, text, sizeof text);
      sph_plot_text(cr, b->x - 0.4 * font_size, y, text, 1.0, 0.5);
    }
  }
  cairo_rectangle(cr, b->x, b->y, b->w, b->h);
  cairo_stroke(cr);
  cairo_restore(cr);
}

/* ---- atomic export ---- */

typedef struct {
  int fd;
  int error;
} PlotSink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
  PlotSink *sink = closure;
  while (length > 0 && sink->error == 0) {
    ssize_t n = write(sink->fd, data, length);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      sink->error = errno;
      break;
    }
    data += n;
    length -= (unsigned int)n;
  }
  return sink->error == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* A new file beside path, .<name>.<pid>.<n>.tmp, created with the umask's permissions. */
static int create_temp(const char *path, char **temp_path)
{
  const char *slash = strrchr(path, '/');
  int dir_len = slash != NULL ? (int)(slash - path + 1) : 0;
  size_t size = strlen(path) + 64;
  char *temp = malloc(size);
  if (temp == NULL) {
    errno = ENOMEM;
    return -1;
  }
  unsigned long seed = (unsigned long)getpid() ^ (unsigned long)time(NULL) ^ (uintptr_t)temp;
  for (int attempt = 0; attempt < 100; attempt++) {
    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
    snprintf(temp, size, "%.*s.%s.%ld.%lx.tmp", dir_len, path, path + dir_len, (long)getpid(),
             (seed >> 16) & 0xffffffUL);
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      *temp_path = temp;
      return fd;
    }
    if (errno != EEXIST)
      break;
  }
  int saved = errno;
  free(temp);
  errno = saved;
  return -1;
}

SphStatus sph_plot_write(const char *path, int width, int height, SphPlotDrawFunc draw,
                         void *user, SphError *err)
{
  SphFigureFormat format;
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "figure: no output path");
  if (!sph_figure_format_from_path(path, &format))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: unknown figure format: the name must end in .png, .svg or .pdf",
                         path);
  if (width < SPH_FIGURE_MIN_WIDTH || width > SPH_FIGURE_MAX_WIDTH ||
      height < SPH_FIGURE_MIN_WIDTH || height > SPH_FIGURE_MAX_WIDTH)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: size %d x %d is not in %d..%d", path, width,
                         height, SPH_FIGURE_MIN_WIDTH, SPH_FIGURE_MAX_WIDTH);
  char *temp = NULL;
  int fd = create_temp(path, &temp);
  if (fd < 0) {
    const char *slash = strrchr(path, '/');
    int len = slash == NULL ? 1 : slash == path ? 1 : (int)(slash - path);
    return sph_error_set(err, SPH_ERR_IO, "%s: cannot create a file in %.*s: %s", path, len,
                         slash == NULL ? "." : path, strerror(errno));
  }
  PlotSink sink = {.fd = fd, .error = 0};
  cairo_surface_t *surface;
  if (format == SPH_FIGURE_SVG)
    surface = cairo_svg_surface_create_for_stream(sink_write, &sink, width, height);
  else if (format == SPH_FIGURE_PDF)
    surface = cairo_pdf_surface_create_for_stream(sink_write, &sink, width, height);
  else
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create(surface);
  SphStatus status = draw(cr, width, height, user, err);
  cairo_destroy(cr);
  if (status == SPH_OK) {
    cairo_status_t cs;
    if (format == SPH_FIGURE_PNG) {
      cs = cairo_surface_write_to_png_stream(surface, sink_write, &sink);
    } else {
      cairo_surface_finish(surface);
      cs = cairo_surface_status(surface);
    }
    if (sink.error != 0)
      status = sph_error_set(err, SPH_ERR_IO, "%s: writing failed: %s", path,
                             strerror(sink.error));
    else if (cs != CAIRO_STATUS_SUCCESS)
      status = sph_error_set(err, SPH_ERR_IO, "%s: writing the %s failed: %s", path,
                             sph_figure_format_name(format), cairo_status_to_string(cs));
  } else {
    sph_error_prefix(err, "%s", path);
  }
  cairo_surface_destroy(surface);
  if (status == SPH_OK && fsync(fd) != 0 && errno != EINVAL)
    status = sph_error_set(err, SPH_ERR_IO, "%s: writing failed: %s", path, strerror(errno));
  if (close(fd) != 0 && status == SPH_OK)
    status = sph_error_set(err, SPH_ERR_IO, "%s: writing failed: %s", path, strerror(errno));
  if (status == SPH_OK && rename(temp, path) != 0)
    status = sph_error_set(err, SPH_ERR_IO, "%s: cannot replace it: %s", path, strerror(errno));
  if (status != SPH_OK)
    unlink(temp);
  free(temp);
  return status;
}
