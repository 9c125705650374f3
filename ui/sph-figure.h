/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <stdbool.h>

#include "sphaera/colormap.h"
#include "sphaera/colorscale.h"
#include "sphaera/error.h"
#include "sphaera/map.h"
#include "sphaera/projection.h"

/* A publication figure of a HEALPix map, laid out as healpy's mollview draws one: the
 * title on top, the map (UNSEEN grey, astronomical orientation), and below it a
 * horizontal colour bar half the map's width with the minimum and maximum at its ends
 * and the unit centred under it. Cairo only (no GTK), so the CLI and the app's Export
 * draw the same figure. By default the figure is mollview's: a Mollweide map,
 * width x sph_figure_height(width) user units (pixels in a PNG, points in an SVG or PDF),
 * the page aspect 8.5 x 5.4.
 *
 * The other options draw what orthview, gnomview and cartview draw: any projection,
 * rotation, flip and frame (projection.h), colour scales (colorscale.h), a graticule
 * drawn as vector paths with labelled lines, an overlay map (a mask) over the map with
 * its own colormap and opacity, and a colour bar with intermediate ticks. */

typedef struct {
  const char *title; /* NULL or "": no title */
  const char *unit;  /* NULL: the field's unit from the map; "": none */
  double vmin, vmax; /* ends of the colour scale; NaN: automatic (see range below) */
  SphColormap cmap;
  int width; /* figure width in pixels (PNG) or points (SVG, PDF) */

  /* Added with the sky explorer; sph_figure_options_init() sets the defaults named. */
  int height;               /* 0 (default): from the width and the projection */
  SphProjection projection; /* default: Mollweide, unrotated, astro, the map's frame. A
                             * gnomonic view with xsize or ysize 0 fills the map area,
                             * one cell of reso arcmin per user unit */
  SphNorm norm;             /* default linear */
  double linthresh;         /* symlog's linear threshold; 0: healpy's 1 */
  /* The automatic range (for each end not given): the minimum and maximum, or with
   * percentile the percentiles percentile_lo and percentile_hi (default 0.5, 99.5), of
   * the seen values (positive ones for a log scale): over the whole map when the view
   * shows the whole sky, over the pixels the view shows otherwise (as healpy). With
   * symmetric, the range becomes [-m, m], m the larger magnitude (for RdBu). */
  bool percentile;
  double percentile_lo, percentile_hi;
  bool symmetric;
  bool graticule;                   /* default false */
  double graticule_dlon, graticule_dlat; /* degrees; 0: automatic (graticule.h) */
  SphCoordSys graticule_frame;      /* UNKNOWN: the view's frame */
  bool graticule_labels;            /* default true */
  bool colorbar_ticks;              /* intermediate ticks (default false: the ends only) */
  /* An overlay drawn over the map, with its own colormap and a linear scale over its own
   * seen range; UNSEEN overlay pixels are transparent. NULL: none. */
  const SphMap *overlay;
  int overlay_field;      /* default 0 */
  double overlay_alpha;   /* opacity in [0, 1], default 0.5 */
  SphColormap overlay_cmap; /* default greys */
  double overlay_vmin, overlay_vmax; /* NaN (default): the overlay's seen min / max */
} SphFigureOptions;

#define SPH_FIGURE_DEFAULT_WIDTH 800
#define SPH_FIGURE_MIN_WIDTH 16
#define SPH_FIGURE_MAX_WIDTH 20000

typedef enum { SPH_FIGURE_PNG = 0, SPH_FIGURE_SVG, SPH_FIGURE_PDF } SphFigureFormat;

/* Defaults: no title, the map's unit, the automatic range, viridis, 800 wide, and the
 * defaults named above for the rest. */
void sph_figure_options_init(SphFigureOptions *options);

/* round(width * 54 / 85), mollview's figure aspect. */
int sph_figure_height(int width);

/* Where the parts of a figure of this width lie, in its user units (integers, so a PNG's
 * map pixels coincide with the raster's). */
typedef struct {
  int width, height;
  int map_x, map_y, map_width, map_height;     /* the 2:1 box the ellipse fills */
  int bar_x, bar_y, bar_width, bar_height;     /* the colour bar's coloured area */
  double title_size, tick_size, unit_size;     /* font sizes */
  double title_baseline, tick_baseline, unit_baseline;
} SphFigureLayout;
void sph_figure_layout(int width, SphFigureLayout *layout);
/* The layout of a figure with these options: its size (options' width, and height or
 * the projection's default height) and the map box fitted to the projection's aspect
 * in the space between the title and the colour bar. For the default Mollweide figure
 * it is sph_figure_layout(width). Fails on a bad projection or a size too small. */
SphStatus sph_figure_layout_for(const SphFigureOptions *options, SphFigureLayout *layout,
                                SphError *err);
/* The height a figure of this width gets when options->height is 0. */
int sph_figure_default_height(const SphFigureOptions *options);

/* The range a figure of field `field` uses: options' vmin/vmax where given, else the
 * automatic range the options ask for (see SphFigureOptions; 0 and 1 when no pixel is
 * seen, and for a log scale 1 and 10 when none is positive). */
void sph_figure_resolve_range(const SphMap *map, int field, const SphFigureOptions *options,
                              double *vmin, double *vmax);

/* Draws the whole figure (white page included) onto cr, with its top-left corner at the
 * user-space origin. The map is rasterised at the device resolution of cr (twice that
 * for vector surfaces), so on a PNG image surface with an identity matrix image pixel
 * (i, j) of the map box is the raster's pixel (i - map_x, j - map_y). */
SphStatus sph_figure_render_map(const SphMap *map, int field, const SphFigureOptions *options,
                                cairo_t *cr, SphError *err);

/* The format a path's extension names (.png, .svg, .pdf, any case); false otherwise. */
bool sph_figure_format_from_path(const char *path, SphFigureFormat *format);
const char *sph_figure_format_name(SphFigureFormat format);

/* Writes the figure to path atomically: into a temporary file in the same directory,
 * renamed over path once complete, so a failure leaves no partial file (and any old one
 * intact). Errors name the path and the reason ("out.png: cannot create a file in
 * /nonexistent: No such file or directory"). */
SphStatus sph_figure_write(const char *path, SphFigureFormat format, const SphMap *map,
                           int field, const SphFigureOptions *options, SphError *err);

/* Draws a figure of width x height user units (pixels for PNG, points for SVG and PDF). */
typedef SphStatus (*SphFigureDrawFunc)(cairo_t *cr, double width, double height, void *user,
                                       SphError *err);

/* Writes what draw makes to path in format, atomically as sph_figure_write does: every
 * figure of the app and the CLI (maps, corner plots, traces, coverage) goes through here. */
SphStatus sph_figure_write_drawing(const char *path, SphFigureFormat format, int width,
                                   int height, SphFigureDrawFunc draw, void *user,
                                   SphError *err);

/* Frees Cairo's and fontconfig's process-wide caches (font maps, the fontconfig
 * configuration), so a leak checker sees a clean exit. Call it at most once, at exit,
 * when no other thread uses Cairo or fontconfig: the CLI and the tests do; the GTK app
 * (whose toolkit keeps using both) must not. */
void sph_figure_shutdown(void);
