/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/scattering_sphere.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "sphaera/mem.h"
#include "sphaera/ring_geometry.h"
#include "sphaera/sht.h"
#include "sphaera/wavelet_kernels.h"

/* One McEwen-Wiaux grid and its transforms. */
typedef struct {
  SphRingGeometry *geometry;
  SphShtPlan *sht;
  int lmax;
} Grid;

struct SphSphereScattering {
  SphWaveletKernels *kernels;
  int L, j_min, j_max, max_order, oversample;
  int64_t ncoeffs;
  Grid *grids; /* one per scale, band oversample L_j */
};

static void grid_clear(Grid *g)
{
  sph_sht_plan_free(g->sht);
  sph_ring_geometry_free(g->geometry);
}

static SphStatus grid_init(Grid *g, int band, SphError *err)
{
  g->lmax = band - 1;
  g->geometry = sph_ring_geometry_mw(band, err);
  g->sht = g->geometry ? sph_sht_plan_new(g->geometry, band - 1, -1, SPH_SHT_DEFAULT, err) : NULL;
  return g->sht != NULL ? SPH_OK : sph_error_prefix(err, "spherical scattering grid of band %d", band);
}

void sph_sphere_scattering_free(SphSphereScattering *plan)
{
  if (plan == NULL)
    return;
  if (plan->grids != NULL)
    for (int j = plan->j_min; j <= plan->j_max; j++)
      grid_clear(&plan->grids[j - plan->j_min]);
  free(plan->grids);
  sph_wavelet_kernels_free(plan->kernels);
  free(plan);
}

SphSphereScattering *sph_sphere_scattering_new(double B, int L, int j_min, int max_order,
                                               int oversample, SphError *err)
{
  if (max_order < 1 || max_order > 2) {
    sph_error_set(err, SPH_ERR_INVALID, "spherical scattering: order %d is not 1 or 2", max_order);
    return NULL;
  }
  if (oversample < 1 || oversample > 2) {
    sph_error_set(err, SPH_ERR_INVALID, "spherical scattering: oversampling %d is not 1 or 2",
                  oversample);
    return NULL;
  }
  SphWaveletKernels *kernels = sph_wavelet_kernels_new(B, L, j_min, err);
  if (kernels == NULL) {
    sph_error_prefix(err, "spherical scattering");
    return NULL;
  }
  SphSphereScattering *plan = calloc(1, sizeof *plan);
  int n = kernels->j_max - j_min + 1;
  if (plan != NULL)
    plan->grids = calloc((size_t)n, sizeof *plan->grids);
  if (plan == NULL || plan->grids == NULL) {
    free(plan);
    sph_wavelet_kernels_free(kernels);
    sph_error_set(err, SPH_ERR_NOMEM, "spherical scattering: out of memory");
    return NULL;
  }
  plan->kernels = kernels;
  plan->L = L;
  plan->j_min = j_min;
  plan->j_max = kernels->j_max;
  plan->max_order = max_order;
  plan->oversample = oversample;
  plan->ncoeffs = 1 + n + (max_order == 2 ? (int64_t)n * (n - 1) / 2 : 0);
  for (int j = j_min; j <= plan->j_max; j++) {
    int band = sph_wavelet_band_limit(B, L, j);
    if (grid_init(&plan->grids[j - j_min], oversample * band, err) != SPH_OK) {
      sph_sphere_scattering_free(plan);
      return NULL;
    }
  }
  return plan;
}

int64_t sph_sphere_scattering_ncoeffs(const SphSphereScattering *plan)
{
  return plan->ncoeffs;
}

SphScatterLabel sph_sphere_scattering_label(const SphSphereScattering *plan, int64_t index)
{
  SphScatterLabel label = {0, -1, -1, -1, -1};
  int n = plan->j_max - plan->j_min + 1;
  if (index <= 0 || index >= plan->ncoeffs)
    return label;
  if (index <= n) {
    label.order = 1;
    label.j1 = plan->j_min + (int)index - 1;
    return label;
  }
  int64_t k = index - 1 - n;
  label.order = 2;
  for (int j1 = plan->j_min + 1; j1 <= plan->j_max; j1++) {
    int children = j1 - plan->j_min;
    if (k < children) {
      label.j1 = j1;
      label.j2 = plan->j_min + (int)k;
      return label;
    }
    k -= children;
  }
  return label;
}

/* out_lm = kernel_l in_lm for l <= out->lmax (zero where in has no l). */
static void filter_into(const SphAlm *in, const double *kernel, SphAlm *out)
{
  for (int m = 0; m <= out->mmax; m++)
    for (int l = m; l <= out->lmax; l++) {
      double complex v = (l <= in->lmax && m <= in->mmax) ? in->values[sph_alm_index(in->lmax, l, m)]
                                                          : 0;
      out->values[sph_alm_index(out->lmax, l, m)] = kernel[l] * v;
    }
}

/* The modulus of the field with coefficients alm on grid g, its coefficients back into
 * alm and its mean into *mean. */
static SphStatus modulus_layer(const Grid *g, SphAlm *alm, double *map, double *mean, SphError *err)
{
  SphStatus st = sph_sht_alm2map(g->sht, alm, map, NULL, err);
  if (st != SPH_OK)
    return st;
  int64_t npix = sph_sht_plan_npix(g->sht);
  for (int64_t i = 0; i < npix; i++)
    map[i] = fabs(map[i]);
  st = sph_sht_map2alm(g->sht, map, alm, NULL, err);
  if (st != SPH_OK)
    return st;
  /* a_00 Y_00 with Y_00 = 1 / sqrt(4 pi): the mean is a_00 / sqrt(4 pi). */
  *mean = creal(alm->values[0]) / sqrt(4 * M_PI);
  return SPH_OK;
}

SphStatus sph_sphere_scattering_alm(const SphSphereScattering *plan, const SphAlm *alm,
                                    double *coeffs, SphError *err)
{
  const int n = plan->j_max - plan->j_min + 1;
  coeffs[0] = creal(alm->values[0]) / sqrt(4 * M_PI);
  int64_t max_npix = 0;
  for (int b = 0; b < n; b++) {
    int64_t npix = sph_sht_plan_npix(plan->grids[b].sht);
    if (npix > max_npix)
      max_npix = npix;
  }
  double *map = sph_alloc_aligned((size_t)max_npix, sizeof(double), err);
  if (map == NULL)
    return sph_error_prefix(err, "spherical scattering");
  SphStatus st = SPH_OK;
  int64_t index = 1 + n;
  for (int j1 = plan->j_min; j1 <= plan->j_max && st == SPH_OK; j1++) {
    const Grid *g1 = &plan->grids[j1 - plan->j_min];
    SphAlm *u1 = sph_alm_new(g1->lmax, g1->lmax, err);
    if (u1 == NULL) {
      st = sph_error_prefix(err, "spherical scattering");
      break;
    }
    /* Psi^j1_l vanishes from the scale's band limit on: the grid's extra band (when
     * oversampling) starts at zero. */
    double *kernel = calloc((size_t)g1->lmax + 1, sizeof *kernel);
    const double *psi1 = sph_wavelet_kernels_scale(plan->kernels, j1);
    for (int l = 0; l <= g1->lmax && l < plan->L; l++)
      kernel[l] = psi1[l];
    filter_into(alm, kernel, u1);
    free(kernel);
    st = modulus_layer(g1, u1, map, &coeffs[1 + j1 - plan->j_min], err);
    if (plan->max_order == 2) {
      for (int j2 = plan->j_min; j2 < j1 && st == SPH_OK; j2++, index++) {
        const Grid *g2 = &plan->grids[j2 - plan->j_min];
        SphAlm *u2 = sph_alm_new(g2->lmax, g2->lmax, err);
        double *kernel2 = calloc((size_t)g2->lmax + 1, sizeof *kernel2);
        if (u2 == NULL || kernel2 == NULL) {
          sph_alm_free(u2);
          free(kernel2);
          st = sph_error_set(err, SPH_ERR_NOMEM, "spherical scattering: out of memory");
          break;
        }
        const double *psi2 = sph_wavelet_kernels_scale(plan->kernels, j2);
        for (int l = 0; l <= g2->lmax && l < plan->L; l++)
          kernel2[l] = psi2[l];
        filter_into(u1, kernel2, u2);
        free(kernel2);
        st = modulus_layer(g2, u2, map, &coeffs[index], err);
        sph_alm_free(u2);
      }
    }
    sph_alm_free(u1);
  }
  sph_free_aligned(map);
  return st;
}

/* The kernel of scale j padded with zeros to lmax + 1 entries (calloc'd). */
static double *padded_kernel(const SphSphereScattering *plan, int j, int lmax)
{
  double *kernel = calloc((size_t)lmax + 1, sizeof *kernel);
  if (kernel == NULL)
    return NULL;
  const double *psi = sph_wavelet_kernels_scale(plan->kernels, j);
  for (int l = 0; l <= lmax && l < plan->L; l++)
    kernel[l] = psi[l];
  return kernel;
}

/* acc_lm += kernel_l in_lm for the (l, m) both hold: the adjoint of filter_into. */
static void filter_accumulate(const SphAlm *in, const double *kernel, SphAlm *acc)
{
  int lmax = in->lmax < acc->lmax ? in->lmax : acc->lmax;
  int mmax = in->mmax < acc->mmax ? in->mmax : acc->mmax;
  for (int m = 0; m <= mmax; m++)
    for (int l = m; l <= lmax; l++)
      acc->values[sph_alm_index(acc->lmax, l, m)] += kernel[l] * in->values[sph_alm_index(in->lmax, l, m)];
}

/* Forward through one layer keeping the sampled wavelet map w (before the modulus). */
static SphStatus layer_forward(const Grid *g, const SphAlm *in, const double *kernel, SphAlm *out,
                               double *w, double *scratch, SphError *err)
{
  filter_into(in, kernel, out);
  SphStatus st = sph_sht_alm2map(g->sht, out, w, NULL, err);
  if (st != SPH_OK)
    return st;
  int64_t npix = sph_sht_plan_npix(g->sht);
  for (int64_t i = 0; i < npix; i++)
    scratch[i] = fabs(w[i]);
  return sph_sht_map2alm(g->sht, scratch, out, NULL, err);
}

/* Backward through one layer: given out_bar (the gradient of the layer's output alm),
 * acc += K^T A^T (sign(w) * M^T out_bar). out_bar is overwritten. */
static SphStatus layer_backward(const Grid *g, SphAlm *out_bar, const double *kernel,
                                const double *w, double *scratch, SphAlm *acc, SphError *err)
{
  SphStatus st = sph_sht_map2alm_adjoint(g->sht, out_bar, scratch, NULL, err);
  if (st != SPH_OK)
    return st;
  int64_t npix = sph_sht_plan_npix(g->sht);
  for (int64_t i = 0; i < npix; i++)
    scratch[i] = w[i] > 0 ? scratch[i] : (w[i] < 0 ? -scratch[i] : 0);
  st = sph_sht_alm2map_adjoint(g->sht, scratch, out_bar, NULL, err);
  if (st != SPH_OK)
    return st;
  filter_accumulate(out_bar, kernel, acc);
  return SPH_OK;
}

SphStatus sph_sphere_scattering_gradient_alm(const SphSphereScattering *plan, const SphAlm *alm,
                                             const double *weights, SphAlm *grad, SphError *err)
{
  if (grad->lmax != alm->lmax || grad->mmax != alm->mmax)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "spherical scattering gradient: grad has lmax %d, mmax %d; alm has %d, %d",
                         grad->lmax, grad->mmax, alm->lmax, alm->mmax);
  const int n = plan->j_max - plan->j_min + 1;
  const double mean_weight = 1 / sqrt(4 * M_PI);
  sph_alm_zero(grad);
  grad->values[0] = weights[0] * mean_weight;
  int64_t max_npix = 0;
  for (int b = 0; b < n; b++) {
    int64_t npix = sph_sht_plan_npix(plan->grids[b].sht);
    if (npix > max_npix)
      max_npix = npix;
  }
  double *w1 = sph_alloc_aligned((size_t)max_npix, sizeof(double), err);
  double *w2 = sph_alloc_aligned((size_t)max_npix, sizeof(double), err);
  double *scratch = sph_alloc_aligned((size_t)max_npix, sizeof(double), err);
  SphStatus st = (w1 && w2 && scratch) ? SPH_OK : sph_error_prefix(err, "spherical scattering gradient");
  int64_t index = 1 + n;
  for (int j1 = plan->j_min; j1 <= plan->j_max && st == SPH_OK; j1++) {
    const Grid *g1 = &plan->grids[j1 - plan->j_min];
    SphAlm *u1 = sph_alm_new(g1->lmax, g1->lmax, err);
    SphAlm *u1_bar = sph_alm_new(g1->lmax, g1->lmax, err);
    double *k1 = padded_kernel(plan, j1, g1->lmax);
    if (u1 == NULL || u1_bar == NULL || k1 == NULL) {
      st = sph_error_set(err, SPH_ERR_NOMEM, "spherical scattering gradient: out of memory");
    } else {
      st = layer_forward(g1, alm, k1, u1, w1, scratch, err);
      sph_alm_zero(u1_bar);
      u1_bar->values[0] = weights[1 + j1 - plan->j_min] * mean_weight;
    }
    for (int j2 = plan->j_min; plan->max_order == 2 && j2 < j1 && st == SPH_OK; j2++, index++) {
      const Grid *g2 = &plan->grids[j2 - plan->j_min];
      SphAlm *u2 = sph_alm_new(g2->lmax, g2->lmax, err);
      double *k2 = padded_kernel(plan, j2, g2->lmax);
      if (u2 == NULL || k2 == NULL) {
        st = sph_error_set(err, SPH_ERR_NOMEM, "spherical scattering gradient: out of memory");
      } else {
        st = layer_forward(g2, u1, k2, u2, w2, scratch, err);
        if (st == SPH_OK) {
          sph_alm_zero(u2);
          u2->values[0] = weights[index] * mean_weight;
          st = layer_backward(g2, u2, k2, w2, scratch, u1_bar, err);
        }
      }
      sph_alm_free(u2);
      free(k2);
    }
    if (st == SPH_OK)
      st = layer_backward(g1, u1_bar, k1, w1, scratch, grad, err);
    sph_alm_free(u1);
    sph_alm_free(u1_bar);
    free(k1);
  }
  sph_free_aligned(w1);
  sph_free_aligned(w2);
  sph_free_aligned(scratch);
  return st;
}
