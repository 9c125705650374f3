/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's renderer: each fragment is one image pixel, taken through the steps of
 * the CPU renderer (core/view/projection.c, raster.c; core/sphere/hp_base.h) in the same
 * order, in single precision: image pixel -> Mollweide plane -> (theta, phi) -> HEALPix
 * RING index -> value -> colormap entry. The #version line (GLSL 1.50 core or GLSL ES
 * 3.00) is prepended at run time. */

/* R32F array: RING-ordered values, u_tex_width per row and u_layer_rows rows per layer
 * (several layers when the map exceeds one texture's size). */
uniform highp sampler2DArray u_values;
uniform sampler2D u_cmap;    /* 256 x 1 RGB8: sph_colormap_table() */
uniform int u_nside;
uniform int u_tex_width;
uniform int u_layer_rows;
uniform bool u_has_map;
uniform float u_vmin;
uniform float u_vmax;
uniform vec2 u_image_size;   /* framebuffer pixels */
uniform vec4 u_background;
uniform float u_unseen;      /* (float)SPH_UNSEEN: bad pixels hold exactly this */
/* 256 x 1 R32F: entry k (k >= 1) is the smallest value coloured with colormap entry k or
 * later under the view's scale (linear, log, hist or symlog), computed on the CPU from
 * the core's own arithmetic; entry 0 is unused. */
uniform sampler2D u_steps;
uniform bool u_bad_nonpositive; /* a log scale: values <= 0 are bad */
/* A linear scale: the steps are evenly spaced over [u_vmin, u_vmax], so the entry the
 * linear formula gives is the right one or a neighbour, and two step lookups settle it
 * instead of a binary search's eight. */
uniform bool u_linear_steps;
/* Outside plain Mollweide: the CPU's index tables, one RING pixel per image pixel (rows
 * from the top, -1 outside the projection), for the map and the overlay. */
uniform bool u_use_index;
uniform highp isampler2D u_index;
uniform highp isampler2D u_ov_index;
uniform vec2 u_index_scale; /* table size / image size: 1, or 1/2 while dragging */
/* The overlay: another map (its own NSIDE and texture layout), colormap and range, mixed
 * in with u_ov_opacity where it is seen. */
uniform highp sampler2DArray u_ov_values;
uniform sampler2D u_ov_cmap;
uniform bool u_has_overlay;
uniform int u_ov_nside;
uniform int u_ov_tex_width;
uniform int u_ov_layer_rows;
uniform float u_ov_vmin;
uniform float u_ov_vmax;
uniform float u_ov_opacity;

out vec4 frag_color;

const float PI = 3.14159265358979;
const float TWO_PI = 6.28318530717959;
const float INV_HALFPI = 0.636619772367581;
const float SQRT2 = 1.41421356237310;
const float XMAX = 2.82842712474619; /* SPH_MOLLWEIDE_XMAX */
const float YMAX = 1.41421356237310; /* SPH_MOLLWEIDE_YMAX */
const float BAD = 128.0 / 255.0;     /* SPH_BAD_R, _G, _B */

/* atan2(y, x) for x, y >= 0 to about one ulp. GLSL's atan and asin are not enough: Mesa,
 * for one, evaluates them by low-order polynomials good to 1e-4 rad, a hundredth of a
 * pixel at NSIDE 32 in an 800-pixel view, which moves pixel edges visibly. This is
 * Cephes' atanf on an argument reduced to [0, 1]. */
float atan2_positive(float y, float x)
{
  bool swap = y > x;
  float a = swap ? x / y : y / x; /* in [0, 1]; 0/0 never occurs here (x or y > 0) */
  float base = 0.0;
  if (a > 0.414213562373095) { /* tan(pi/8) */
    base = 0.25 * PI;
    a = (a - 1.0) / (a + 1.0);
  }
  float z = a * a;
  float r = base + ((((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z -
                     3.33329491539e-1) * z * a + a);
  return swap ? 0.5 * PI - r : r;
}

/* u - sin u without cancellation for small u (projection.c's u_minus_sin_u). */
float u_minus_sin_u(float u)
{
  if (u < 0.5) {
    float u2 = u * u;
    float term = u * u2 / 6.0;
    float sum = 0.0;
    for (int k = 3; k <= 15; k += 2) {
      sum += term;
      term *= -u2 / (float(k + 1) * float(k + 2));
    }
    return sum;
  }
  return u - sin(u);
}

/* sph_mollweide_image_to_plane */
vec2 image_to_plane(vec2 image_size, vec2 p)
{
  float box = image_size.x < 2.0 * image_size.y ? image_size.x : 2.0 * image_size.y;
  float k = box / (2.0 * XMAX);
  return vec2((p.x - 0.5 * image_size.x) / k, (0.5 * image_size.y - p.y) / k);
}

/* sph_mollweide_inverse. Returns false outside the ellipse; otherwise the colatitude as
 * its distance eps from the nearer pole (north tells which), so that cos theta and
 * sin theta keep their digits near the poles in single precision, and phi in [0, 2 pi). */
bool mollweide_inverse(vec2 xy, out float eps, out bool north, out float phi)
{
  eps = 0.0;
  north = true;
  phi = 0.0;
  float ex = xy.x / XMAX;
  float ey = xy.y / YMAX;
  if (!(ex * ex + ey * ey <= 1.0))
    return false;

  float t = min(abs(ey), 1.0);
  float sin_delta = sqrt((1.0 - t) * (1.0 + t));
  float delta = atan2_positive(sin_delta, t);
  float c = u_minus_sin_u(2.0 * delta);
  float s = min(sqrt(c / (2.0 * PI)), 1.0);
  eps = 2.0 * atan2_positive(s, sqrt((1.0 - s) * (1.0 + s))); /* asin */
  north = ey >= 0.0;

  float lon = 0.0;
  if (sin_delta > 0.0)
    lon = clamp(-PI * xy.x / (2.0 * SQRT2 * sin_delta), -PI, PI);
  float p = lon < 0.0 ? lon + TWO_PI : lon;
  phi = p >= TWO_PI ? 0.0 : p;
  return true;
}

/* hp_loc2pix for RING (chealpix / Healpix C++ ang2pix_ring) in 32-bit integers, exact
 * for NSIDE <= 8192 (12 NSIDE^2 < 2^31). z = cos theta, sth = sin theta. */
int ang2pix_ring(int nside, float z, float sth, bool have_sth, float phi)
{
  float za = abs(z);
  float tt = phi * INV_HALFPI;
  if (tt >= 4.0)
    tt = 0.0;

  if (za <= 2.0 / 3.0) {
    int nl4 = 4 * nside;
    float temp1 = float(nside) * (0.5 + tt);
    float temp2 = float(nside) * z * 0.75;
    int jp = int(temp1 - temp2); /* ascending edge line */
    int jm = int(temp1 + temp2); /* descending edge line */
    int ir = nside + 1 + jp - jm; /* ring counted from z = 2/3, in 1 .. 2 nside + 1 */
    int kshift = 1 - (ir & 1);
    int t1 = jp + jm - nside + kshift + 1 + nl4 + nl4;
    int ip = (t1 >> 1) & (nl4 - 1); /* nl4 is a power of two */
    int ncap = 2 * nside * (nside - 1);
    return ncap + (ir - 1) * nl4 + ip;
  }

  float tp = tt - floor(tt);
  float tmp = (za < 0.99 || !have_sth) ? float(nside) * sqrt(3.0 * (1.0 - za))
                                       : float(nside) * sth / sqrt((1.0 + za) / 3.0);
  int jp = int(tp * tmp);
  int jm = int((1.0 - tp) * tmp);
  int ir = jp + jm + 1; /* ring counted from the nearer pole */
  /* tt < 4, but tt * ir may round up to 4 ir in single precision. */
  int ip = min(int(tt * float(ir)), 4 * ir - 1);
  return z > 0.0 ? 2 * ir * (ir - 1) + ip : 12 * nside * nside - 2 * ir * (ir + 1) + ip;
}

/* Value of RING pixel pix in a values array texture of the given layout. */
float fetch_value(highp sampler2DArray values, int pix, int tex_width, int layer_rows)
{
  int row = pix / tex_width;
  return texelFetch(values, ivec3(pix - row * tex_width, row % layer_rows, row / layer_rows),
                    0).r;
}

/* sph_colormap_index of t = (v - vmin) / (vmax - vmin), 0 for an empty range. */
int colormap_index(float v, float vmin, float vmax)
{
  float t = vmax > vmin ? (v - vmin) / (vmax - vmin) : 0.0;
  if (!(t > 0.0))
    return 0;
  if (t >= 1.0)
    return 255;
  return int(floor(t * 255.0 + 0.5));
}

/* The colormap entry of v under the view's scale: how many steps v has reached, by
 * binary search over the 255 ascending steps. */
int scale_index(float v)
{
  if (u_linear_steps) {
    int k = colormap_index(v, u_vmin, u_vmax);
    if (k > 0 && texelFetch(u_steps, ivec2(k, 0), 0).r > v)
      return k - 1;
    if (k < 255 && texelFetch(u_steps, ivec2(k + 1, 0), 0).r <= v)
      return k + 1;
    return k;
  }
  int lo = 0; /* steps[lo] <= v (steps[0] is -inf) */
  int span = 256;
  while (span > 1) {
    span /= 2;
    int probe = lo + span;
    if (probe < 256 && texelFetch(u_steps, ivec2(probe, 0), 0).r <= v)
      lo = probe;
  }
  return lo;
}

void main()
{
  /* gl_FragCoord is the pixel centre counted from the bottom; the image counts rows from
   * the top, pixel (i, j) centred at (i + 0.5, j + 0.5). */
  vec2 image_point = vec2(gl_FragCoord.x, u_image_size.y - gl_FragCoord.y);
  if (u_has_map && u_use_index) {
    ivec2 cell = ivec2(image_point * u_index_scale);
    int tpix = texelFetch(u_index, cell, 0).r;
    if (tpix < 0) {
      frag_color = u_background;
      return;
    }
    float tv = fetch_value(u_values, tpix, u_tex_width, u_layer_rows);
    vec3 trgb = tv == u_unseen || (u_bad_nonpositive && !(tv > 0.0))
                  ? vec3(BAD, BAD, BAD)
                  : texelFetch(u_cmap, ivec2(scale_index(tv), 0), 0).rgb;
    if (u_has_overlay) {
      int topix = texelFetch(u_ov_index, cell, 0).r;
      float tov = topix < 0 ? u_unseen
                            : fetch_value(u_ov_values, topix, u_ov_tex_width, u_ov_layer_rows);
      if (tov != u_unseen) {
        vec3 over = texelFetch(u_ov_cmap, ivec2(colormap_index(tov, u_ov_vmin, u_ov_vmax), 0),
                               0).rgb;
        trgb = trgb * (1.0 - u_ov_opacity) + over * u_ov_opacity;
      }
    }
    frag_color = vec4(trgb, 1.0);
    return;
  }
  float eps, phi;
  bool north;
  if (!u_has_map ||
      !mollweide_inverse(image_to_plane(u_image_size, image_point), eps, north, phi)) {
    frag_color = u_background;
    return;
  }

  /* theta = eps in the north, pi - eps in the south. cos and sin of theta come from eps
   * itself: float(pi) - eps would lose the digits near the south pole that the CPU keeps.
   * Healpix C++ (and so the CPU) passes sin theta only within 0.01 of a pole. */
  float z = north ? cos(eps) : -cos(eps);
  float sth = sin(eps);
  bool have_sth = north ? eps < 0.01 : eps < 0.01 + (PI - 3.14159);
  int pix = ang2pix_ring(u_nside, z, sth, have_sth, phi);
  pix = clamp(pix, 0, 12 * u_nside * u_nside - 1);

  float v = fetch_value(u_values, pix, u_tex_width, u_layer_rows);
  vec3 rgb = v == u_unseen || (u_bad_nonpositive && !(v > 0.0))
                ? vec3(BAD, BAD, BAD)
                : texelFetch(u_cmap, ivec2(scale_index(v), 0), 0).rgb;
  if (u_has_overlay) {
    int opix = ang2pix_ring(u_ov_nside, z, sth, have_sth, phi);
    opix = clamp(opix, 0, 12 * u_ov_nside * u_ov_nside - 1);
    float ov = fetch_value(u_ov_values, opix, u_ov_tex_width, u_ov_layer_rows);
    if (ov != u_unseen) {
      vec3 over = texelFetch(u_ov_cmap, ivec2(colormap_index(ov, u_ov_vmin, u_ov_vmax), 0), 0).rgb;
      rgb = rgb * (1.0 - u_ov_opacity) + over * u_ov_opacity;
    }
  }
  frag_color = vec4(rgb, 1.0);
}
