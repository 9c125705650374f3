/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-wavelet-work.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/alm.h"
#include "sphaera/colorscale.h"
#include "sphaera/mem.h"
#include "sphaera/morlet.h"
#include "sphaera/raster.h"
#include "sphaera/ring_geometry.h"
#include "sphaera/scattering_sphere.h"
#include "sphaera/sht.h"
#include "sphaera/wavelet_sphere.h"
#include "sphaera/wavelet_sphere_dir.h"

SphWaveletWork *sph_wavelet_work_new_sphere(SphMap *map, double B, int j_min, int L,
                                            int oversample)
{
  SphWaveletWork *w = calloc(1, sizeof *w);
  if (w == NULL) {
    sph_map_free(map);
    return NULL;
  }
  w->kind = SPH_WAVELET_WORK_SPHERE;
  w->map = map;
  w->B = B;
  w->j_min = j_min;
  w->L = L;
  w->oversample = oversample;
  w->N = 1;
  return w;
}

void sph_wavelet_work_set_directions(SphWaveletWork *w, int N)
{
  if (w != NULL)
    w->N = N < 1 ? 1 : N > 8 ? 8 : N;
}

SphWaveletWork *sph_wavelet_work_new_plane(SphImage *image, int J, int orientations)
{
  SphWaveletWork *w = calloc(1, sizeof *w);
  if (w == NULL) {
    sph_image_free(image);
    return NULL;
  }
  w->kind = SPH_WAVELET_WORK_PLANE;
  w->image = image;
  w->J = J;
  w->orientations = orientations;
  return w;
}

void sph_wavelet_work_free(SphWaveletWork *w)
{
  if (w == NULL)
    return;
  sph_map_free(w->map);
  sph_image_free(w->image);
  for (int b = 0; b < w->nmaps; b++)
    sph_map_free(w->bands[b]);
  free(w->bands);
  for (int t = 0; t < w->nthumbs; t++)
    free(w->thumbs[t].rgba);
  free(w->thumbs);
  free(w->first);
  free(w->second);
  free(w);
}

int sph_wavelet_work_band_limit(int64_t nside, int L)
{
  int64_t n = nside < SPH_WAVELET_WORK_MAX_NSIDE ? nside : SPH_WAVELET_WORK_MAX_NSIDE;
  int64_t limit = 2 * n < SPH_WAVELET_WORK_MAX_L ? 2 * n : SPH_WAVELET_WORK_MAX_L;
  return L < limit ? L : (int)limit;
}

static SphStatus check_cancel(SphJob *job, SphError *err)
{
  if (sph_job_is_cancelled(job))
    return sph_error_set(err, SPH_ERR_CANCELLED, "wavelets: cancelled");
  return SPH_OK;
}

static SphWaveletThumb *add_thumb(SphWaveletWork *w, int width, int height, SphError *err)
{
  SphWaveletThumb *grown = realloc(w->thumbs, sizeof *grown * (size_t)(w->nthumbs + 1));
  if (grown == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "wavelets: out of memory for a thumbnail");
    return NULL;
  }
  w->thumbs = grown;
  SphWaveletThumb *t = &w->thumbs[w->nthumbs];
  memset(t, 0, sizeof *t);
  t->rgba = malloc((size_t)width * height * 4);
  if (t->rgba == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "wavelets: out of memory for a thumbnail");
    return NULL;
  }
  t->width = width;
  t->height = height;
  w->nthumbs++;
  return t;
}

/* Wavelet coefficients change sign: a diverging scale symmetric about zero. The scaling
 * band (and moduli) keep their own range. */
static void scale_for(const double *values, size_t n, bool symmetric, SphColormap cmap,
                      SphColorScale *scale)
{
  memset(scale, 0, sizeof *scale);
  double lo = 0, hi = 1;
  sph_data_range(values, n, false, &lo, &hi);
  if (symmetric) {
    double a = fmax(fabs(lo), fabs(hi));
    lo = -a;
    hi = a;
  }
  scale->vmin = lo;
  scale->vmax = hi > lo ? hi : lo + 1;
  scale->cmap = cmap;
  scale->norm = SPH_NORM_LINEAR;
}

/* ---- the sphere ---- */

static SphStatus prepare_map(SphWaveletWork *w, SphMap **out, SphError *err)
{
  SphMap *m = NULL;
  if (w->map->nside > SPH_WAVELET_WORK_MAX_NSIDE)
    m = sph_map_udgrade(w->map, SPH_WAVELET_WORK_MAX_NSIDE, err);
  else
    m = sph_map_copy(w->map, err);
  if (m == NULL)
    return err->code;
  if (sph_map_reorder(m, SPH_ORDER_RING, err) != SPH_OK) {
    sph_map_free(m);
    return err->code;
  }
  /* Masked pixels would ring through every band: they take the mean of the seen ones. */
  double *v = m->fields[0].values, sum = 0;
  int64_t seen = 0;
  for (int64_t p = 0; p < m->npix; p++) {
    if (!sph_hp_is_unseen(v[p]) && isfinite(v[p])) {
      sum += v[p];
      seen++;
    }
  }
  if (seen == 0) {
    sph_map_free(m);
    return sph_error_set(err, SPH_ERR_INVALID, "wavelets: the map has no seen pixel");
  }
  for (int64_t p = 0; p < m->npix; p++)
    if (sph_hp_is_unseen(v[p]) || !isfinite(v[p]))
      v[p] = sum / (double)seen;
  *out = m;
  return SPH_OK;
}

/* One coefficient map (band b, direction k of ndir, gamma in radians) as a band map and
 * its thumbnail. */
static SphStatus add_band(SphWaveletWork *w, const SphMap *m, const SphWaveletPlan *plan,
                          SphSkyRaster *raster, const double *values, int b, int k, int ndir,
                          double gamma, SphError *err)
{
  SphMap *band = sph_map_new(m->nside, SPH_ORDER_RING, 1, err);
  if (band == NULL)
    return err->code;
  w->bands[w->nmaps++] = band;
  band->coordsys = m->coordsys;
  memcpy(band->fields[0].values, values, sizeof(double) * (size_t)m->npix);
  int j = sph_wavelet_plan_band_scale(plan, b);
  double degrees = gamma * 180.0 / M_PI;
  char name[SPH_MAP_NAME_MAX];
  if (j < 0)
    snprintf(name, sizeof name, "SCALING");
  else if (ndir > 1)
    snprintf(name, sizeof name, "WAVELET_J%d_G%d", j, k);
  else
    snprintf(name, sizeof name, "WAVELET_J%d", j);
  sph_map_set_field_name(band, 0, name);
  sph_map_set_field_unit(band, 0, m->fields[0].unit);

  int tw = SPH_WAVELET_THUMB_WIDTH, th = SPH_WAVELET_THUMB_WIDTH / 2;
  SphWaveletThumb *t = add_thumb(w, tw, th, err);
  if (t == NULL)
    return err->code;
  SphColorScale scale;
  scale_for(band->fields[0].values, (size_t)band->npix, j >= 0,
            j >= 0 ? SPH_CMAP_RDBU : SPH_CMAP_PLANCK, &scale);
  sph_sky_raster_paint(raster, band->fields[0].values, &scale, t->rgba, tw * 4);
  int lmax = sph_wavelet_plan_band_lmax(plan, b);
  if (j < 0) {
    snprintf(t->caption, sizeof t->caption, "scaling Φ");
    snprintf(t->tooltip, sizeof t->tooltip,
             "Scaling function band: l < %d; range %.3g .. %.3g. Click to open it in the "
             "sky view.", lmax + 1, scale.vmin, scale.vmax);
  } else if (ndir > 1) {
    snprintf(t->caption, sizeof t->caption, "j = %d, γ = %.0f°", j, degrees);
    snprintf(t->tooltip, sizeof t->tooltip,
             "Directional wavelet j = %d, direction %d of %d (γ = %.1f°): %.3g < l < %.3g; "
             "range ±%.3g. Click to open it in the sky view.", j, k + 1, ndir, degrees,
             pow(w->B, j - 1), fmin(pow(w->B, j + 1), w->L_used), scale.vmax);
  } else {
    snprintf(t->caption, sizeof t->caption, "wavelet j = %d", j);
    snprintf(t->tooltip, sizeof t->tooltip,
             "Wavelet scale j = %d: %.3g < l < %.3g; range ±%.3g. Click to open it in "
             "the sky view.", j, pow(w->B, j - 1), fmin(pow(w->B, j + 1), w->L_used),
             scale.vmax);
  }
  return SPH_OK;
}

static SphStatus sphere_bands(SphWaveletWork *w, const SphMap *m, SphJob *job, SphError *err)
{
  SphStatus st = SPH_OK;
  SphRingGeometry *geometry = NULL;
  SphWaveletPlan *own_plan = NULL;
  SphWaveletDirPlan *dir_plan = NULL;
  const SphWaveletPlan *plan = NULL;
  SphSkyRaster *raster = NULL;
  double *coeffs = NULL;

  geometry = sph_ring_geometry_healpix(m->nside, err);
  if (geometry == NULL)
    return err->code;
  int64_t size = 0;
  if (w->N >= 2) {
    dir_plan = sph_wavelet_dir_plan_new(geometry, w->B, w->L_used, w->j_min, w->N,
                                        SPH_WAVELET_FULL_RESOLUTION, err);
    if (dir_plan != NULL) {
      plan = sph_wavelet_dir_plan_axisym(dir_plan);
      size = sph_wavelet_dir_plan_size(dir_plan);
    }
  } else {
    own_plan = sph_wavelet_plan_new(geometry, w->B, w->L_used, w->j_min,
                                    SPH_WAVELET_FULL_RESOLUTION, err);
    plan = own_plan;
    if (plan != NULL)
      size = sph_wavelet_plan_size(plan);
  }
  if (plan == NULL) {
    st = err->code;
    goto out;
  }
  coeffs = sph_alloc_aligned((size_t)size, sizeof(double), err);
  if (coeffs == NULL) {
    st = err->code;
    goto out;
  }
  sph_job_set_progress(job, 0.05, dir_plan != NULL ? "Directional wavelet analysis"
                                                   : "Wavelet analysis");
  if (dir_plan != NULL)
    st = sph_wavelet_dir_analysis(dir_plan, m->fields[0].values, coeffs, NULL, job, err);
  else
    st = sph_wavelet_analysis(plan, m->fields[0].values, coeffs, NULL, job, err);
  if (st != SPH_OK)
    goto out;
  if ((st = check_cancel(job, err)) != SPH_OK)
    goto out;
  int tw = SPH_WAVELET_THUMB_WIDTH, th = SPH_WAVELET_THUMB_WIDTH / 2;
  raster = sph_sky_raster_new(m->nside, SPH_ORDER_RING, tw, th, err);
  if (raster == NULL) {
    st = err->code;
    goto out;
  }
  int nbands = sph_wavelet_plan_nbands(plan);
  int ndir = dir_plan != NULL ? sph_wavelet_dir_plan_ndirections(dir_plan) : 1;
  w->nbands = nbands;
  w->ndirections = ndir;
  w->bands = calloc((size_t)(1 + (nbands - 1) * ndir), sizeof *w->bands);
  if (w->bands == NULL) {
    st = sph_error_set(err, SPH_ERR_NOMEM, "wavelets: out of memory for the bands");
    goto out;
  }
  for (int b = 0; b < nbands && st == SPH_OK; b++) {
    int nk = b == 0 ? 1 : ndir;
    for (int k = 0; k < nk && st == SPH_OK; k++) {
      int64_t offset = dir_plan != NULL ? sph_wavelet_dir_plan_map_offset(dir_plan, b, k)
                                        : sph_wavelet_plan_band_offset(plan, b);
      double gamma = dir_plan != NULL && b > 0 ? sph_wavelet_dir_plan_gamma(dir_plan, k) : 0;
      st = add_band(w, m, plan, raster, coeffs + offset, b, k, b == 0 ? 1 : ndir, gamma, err);
    }
    if (st == SPH_OK)
      st = check_cancel(job, err);
    sph_job_set_progress(job, 0.3 + 0.2 * (b + 1) / nbands, "Thumbnails");
  }
out:
  sph_sky_raster_free(raster);
  sph_free_aligned(coeffs);
  sph_wavelet_dir_plan_free(dir_plan);
  sph_wavelet_plan_free(own_plan);
  sph_ring_geometry_free(geometry);
  return st;
}

static SphStatus sphere_scattering(SphWaveletWork *w, const SphMap *m, SphJob *job,
                                   SphError *err)
{
  SphStatus st = SPH_OK;
  SphRingGeometry *geometry = NULL;
  SphShtPlan *sht = NULL;
  SphAlm *alm = NULL;
  SphSphereScattering *scat = NULL;
  double *coeffs = NULL;

  sph_job_set_progress(job, 0.55, "Spherical scattering");
  geometry = sph_ring_geometry_healpix(m->nside, err);
  if (geometry == NULL)
    return err->code;
  sht = sph_sht_plan_new(geometry, w->L_used - 1, w->L_used - 1, 0, err);
  alm = sht != NULL ? sph_alm_new(w->L_used - 1, w->L_used - 1, err) : NULL;
  if (alm == NULL) {
    st = err->code;
    goto out;
  }
  if ((st = sph_sht_map2alm(sht, m->fields[0].values, alm, job, err)) != SPH_OK)
    goto out;
  int nscales = sph_wavelet_j_max(w->B, w->L_used) - w->j_min + 1;
  w->max_order = nscales <= SPH_WAVELET_WORK_MAX_SECOND_ORDER_SCALES ? 2 : 1;
  scat = sph_sphere_scattering_new(w->B, w->L_used, w->j_min, w->max_order, w->oversample, err);
  if (scat == NULL) {
    st = err->code;
    goto out;
  }
  w->ncoeffs = sph_sphere_scattering_ncoeffs(scat);
  coeffs = malloc(sizeof(double) * (size_t)w->ncoeffs);
  int j_max = sph_wavelet_j_max(w->B, w->L_used);
  w->j_lo = w->j_min;
  w->nj = j_max - w->j_min + 1;
  w->first = malloc(sizeof(double) * (size_t)w->nj);
  w->second = malloc(sizeof(double) * (size_t)w->nj * w->nj);
  if (coeffs == NULL || w->first == NULL || w->second == NULL) {
    st = sph_error_set(err, SPH_ERR_NOMEM, "wavelets: out of memory for the scattering");
    goto out;
  }
  if ((st = check_cancel(job, err)) != SPH_OK)
    goto out;
  if ((st = sph_sphere_scattering_alm(scat, alm, coeffs, err)) != SPH_OK)
    goto out;
  for (int i = 0; i < w->nj; i++)
    w->first[i] = NAN;
  for (int i = 0; i < w->nj * w->nj; i++)
    w->second[i] = NAN;
  for (int64_t i = 0; i < w->ncoeffs; i++) {
    SphScatterLabel lab = sph_sphere_scattering_label(scat, i);
    if (lab.order == 0)
      w->s0 = coeffs[i];
    else if (lab.order == 1)
      w->first[lab.j1 - w->j_lo] = coeffs[i];
    else
      w->second[(lab.j1 - w->j_lo) * w->nj + (lab.j2 - w->j_lo)] = coeffs[i];
  }
out:
  free(coeffs);
  sph_sphere_scattering_free(scat);
  sph_alm_free(alm);
  sph_sht_plan_free(sht);
  sph_ring_geometry_free(geometry);
  return st;
}

static SphStatus run_sphere(SphWaveletWork *w, SphJob *job, SphError *err)
{
  if (w->map == NULL || w->map->nfields < 1)
    return sph_error_set(err, SPH_ERR_INVALID, "wavelets: no map");
  SphMap *m = NULL;
  SphStatus st = prepare_map(w, &m, err);
  if (st != SPH_OK)
    return st;
  w->nside_used = m->nside;
  w->L_used = sph_wavelet_work_band_limit(m->nside, w->L);
  if (w->L_used < 2) {
    sph_map_free(m);
    return sph_error_set(err, SPH_ERR_INVALID,
                         "wavelets: band limit %d is too small (NSIDE %lld carries up to %d)",
                         w->L, (long long)m->nside, sph_wavelet_work_band_limit(m->nside, 1 << 30));
  }
  st = check_cancel(job, err);
  if (st == SPH_OK)
    st = sphere_bands(w, m, job, err);
  if (st == SPH_OK)
    st = sphere_scattering(w, m, job, err);
  sph_map_free(m);
  return st;
}

/* ---- the plane ---- */

static SphStatus grey_thumb(SphWaveletWork *w, const double *values, int64_t height,
                            int64_t width, const char *caption, const char *tooltip,
                            SphError *err)
{
  SphWaveletThumb *t = add_thumb(w, (int)width, (int)height, err);
  if (t == NULL)
    return err->code;
  SphColorScale scale;
  scale_for(values, (size_t)(height * width), false, SPH_CMAP_GREYS, &scale);
  for (int64_t p = 0; p < height * width; p++) {
    sph_color_scale_rgb(&scale, values[p], t->rgba + 4 * p);
    t->rgba[4 * p + 3] = 255;
  }
  snprintf(t->caption, sizeof t->caption, "%s", caption);
  snprintf(t->tooltip, sizeof t->tooltip, "%s", tooltip);
  return SPH_OK;
}

static SphStatus plane_filters(SphWaveletWork *w, SphJob *job, SphError *err)
{
  const SphImage *im = w->image;
  int64_t n = sph_image_npix(im);
  SphMorletBank *bank = sph_morlet_bank_new(im->height, im->width, w->J, w->orientations,
                                            SPH_BOUNDARY_REFLECT, err);
  if (bank == NULL)
    return err->code;
  SphStatus st = SPH_OK;
  double complex *filtered = malloc(sizeof(double complex) * (size_t)n);
  double *modulus = malloc(sizeof(double) * (size_t)n);
  if (filtered == NULL || modulus == NULL) {
    st = sph_error_set(err, SPH_ERR_NOMEM, "wavelets: out of memory for the filtered images");
    goto out;
  }
  st = grey_thumb(w, im->data, im->height, im->width, "image", "The image's luminance", err);
  int total = w->J * w->orientations + 1;
  for (int j = 0; j < w->J && st == SPH_OK; j++) {
    for (int l = 0; l < w->orientations && st == SPH_OK; l++) {
      if ((st = check_cancel(job, err)) != SPH_OK)
        break;
      if ((st = sph_morlet_bank_filter(bank, im->data, j, l, filtered, err)) != SPH_OK)
        break;
      for (int64_t p = 0; p < n; p++)
        modulus[p] = cabs(filtered[p]);
      char caption[48], tooltip[160];
      double degrees = sph_morlet_angle(w->orientations, l) * 180.0 / M_PI;
      snprintf(caption, sizeof caption, "j = %d, θ = %.0f°", j, degrees);
      snprintf(tooltip, sizeof tooltip,
               "|image * ψ(j = %d, l = %d)|: Morlet scale σ = %.1f px, orientation %.1f°", j,
               l, 0.8 * ldexp(1.0, j), degrees);
      st = grey_thumb(w, modulus, im->height, im->width, caption, tooltip, err);
      sph_job_set_progress(job, 0.6 * (j * w->orientations + l + 1) / total,
                           "Morlet filters");
    }
  }
  if (st == SPH_OK && (st = sph_morlet_bank_filter(bank, im->data, 0, -1, filtered, err)) == SPH_OK) {
    for (int64_t p = 0; p < n; p++)
      modulus[p] = creal(filtered[p]);
    st = grey_thumb(w, modulus, im->height, im->width, "low-pass φ",
                    "image * φ: the Gaussian low-pass at scale 2^J", err);
  }
out:
  free(filtered);
  free(modulus);
  sph_morlet_bank_free(bank);
  return st;
}

static SphStatus plane_scattering(SphWaveletWork *w, SphJob *job, SphError *err)
{
  const SphImage *im = w->image;
  sph_job_set_progress(job, 0.65, "Planar scattering");
  SphScattering2D *plan = sph_scattering2d_new(im->height, im->width, w->J, w->orientations, 2,
                                               SPH_BOUNDARY_REFLECT, err);
  if (plan == NULL)
    return err->code;
  SphStatus st = SPH_OK;
  w->ncoeffs = sph_scattering2d_ncoeffs(plan);
  w->max_order = 2;
  double *means = malloc(sizeof(double) * (size_t)w->ncoeffs);
  w->j_lo = 0;
  w->nj = w->J;
  w->first = calloc((size_t)w->nj, sizeof(double));
  w->second = calloc((size_t)w->nj * w->nj, sizeof(double));
  int *counts = calloc((size_t)w->nj * (w->nj + 1), sizeof(int));
  if (means == NULL || w->first == NULL || w->second == NULL || counts == NULL) {
    st = sph_error_set(err, SPH_ERR_NOMEM, "wavelets: out of memory for the scattering");
    goto out;
  }
  if ((st = check_cancel(job, err)) != SPH_OK)
    goto out;
  if ((st = sph_scattering2d_means(plan, im->data, means, err)) != SPH_OK)
    goto out;
  /* Orientation averages: the rotation-invariant summary the plot shows. */
  int *count1 = counts, *count2 = counts + w->nj;
  for (int64_t i = 0; i < w->ncoeffs; i++) {
    SphScatterLabel lab = sph_scattering2d_label(plan, i);
    if (lab.order == 0) {
      w->s0 = means[i];
    } else if (lab.order == 1) {
      w->first[lab.j1] += means[i];
      count1[lab.j1]++;
    } else {
      w->second[lab.j1 * w->nj + lab.j2] += means[i];
      count2[lab.j1 * w->nj + lab.j2]++;
    }
  }
  for (int j = 0; j < w->nj; j++)
    w->first[j] = count1[j] > 0 ? w->first[j] / count1[j] : NAN;
  for (int c = 0; c < w->nj * w->nj; c++)
    w->second[c] = count2[c] > 0 ? w->second[c] / count2[c] : NAN;
out:
  free(counts);
  free(means);
  sph_scattering2d_free(plan);
  return st;
}

static SphStatus run_plane(SphWaveletWork *w, SphJob *job, SphError *err)
{
  if (w->image == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "wavelets: no image");
  SphStatus st = plane_filters(w, job, err);
  if (st == SPH_OK)
    st = plane_scattering(w, job, err);
  return st;
}

SphStatus sph_wavelet_work_run(SphWaveletWork *w, SphJob *job, SphError *err)
{
  SphStatus st = w->kind == SPH_WAVELET_WORK_SPHERE ? run_sphere(w, job, err)
                                                    : run_plane(w, job, err);
  if (st == SPH_OK)
    sph_job_set_progress(job, 1.0, "Done");
  return st;
}
