/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cl-fit target: amplitude and tilt of a map's angular power spectrum against a
 * theory spectrum. A masked map's pseudo-C_l is not the sky's C_l over f_sky: the mask
 * couples multipoles, and at NSIDE 32 with a Galactic cut that moves power from the
 * steep low-l spectrum up to l ~ 2 NSIDE by tens of per cent. The model therefore goes
 * through the MASTER coupling matrix (Hivon et al. 2002, ApJ 567, 2) of the mask:
 *   <pseudo C_l> = sum_l' M_ll' C_l',
 *   M_ll' = (2l' + 1) / 4pi sum_l'' (2l'' + 1) W_l'' (l l' l''; 0 0 0)^2,
 * W the mask's own pseudo-spectrum, both up to the map's band limit 3 NSIDE - 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/fields.h"
#include "sphaera/healpix.h"
#include "sphaera/mem.h"
#include "sphaera/power_spectrum.h"
#include "sphaera/target.h"
#include "target_native.h"

#define MAX_NSIDE 1024

typedef struct {
  int lmax;       /* fitted multipoles 2..lmax */
  int lmax_model; /* the sky's multipoles 0..lmax_model (3 NSIDE - 1) */
  double fsky;    /* mean of the squared weights */
  double pivot;
  double noise;      /* white-noise C_l, uK^2 */
  double *data;      /* lmax + 1: pseudo-C_l / fsky, uK^2 */
  double *templ;     /* lmax_model + 1: C_l^theory b_l^2 p_l^2, uK^2 */
  double *log_ratio; /* lmax_model + 1: ln(l / pivot), 0 below l = 2 */
  /* (lmax + 1) x (lmax_model + 1): M_ll' templ_l' / fsky, the model at A = 1, n = 0 */
  double *coupling;
} ClFitModel;

void sph_cl_fit_options_init(SphClFitOptions *opts)
{
  *opts = (SphClFitOptions){.lmax = 0, .beam_fwhm = 0.22 * M_PI / 180.0, .pivot = 0,
                            .unit_to_uk = 0, .noise_cl = 0, .pixel_window = NULL};
}

static void model_free(void *p)
{
  ClFitModel *m = p;
  if (m == NULL)
    return;
  sph_free_aligned(m->data);
  sph_free_aligned(m->templ);
  sph_free_aligned(m->log_ratio);
  sph_free_aligned(m->coupling);
  free(m);
}

/* The factor from the map's unit to uK (thermodynamic units assumed), or 0 if unknown. */
static double unit_factor(const char *unit)
{
  char u[SPH_MAP_NAME_MAX];
  size_t n = 0;
  for (const char *c = unit; *c != '\0' && n + 1 < sizeof u; c++)
    if (*c != ' ')
      u[n++] = *c;
  u[n] = '\0';
  if (strncmp(u, "mK", 2) == 0)
    return 1e3;
  if (strncmp(u, "uK", 2) == 0 || strncmp(u, "muK", 3) == 0 || strncmp(u, "microK", 6) == 0)
    return 1.0;
  if (u[0] == 'K' && (u[1] == '\0' || u[1] == '_' || u[1] == ',' || u[1] == '('))
    return 1e6;
  return 0;
}

/* ln of n! for n = 0..count-1. */
static double *log_factorials(int count, SphError *err)
{
  double *lf = sph_alloc_aligned((size_t)count, sizeof(double), err);
  if (lf == NULL)
    return NULL;
  lf[0] = 0;
  for (int i = 1; i < count; i++)
    lf[i] = lf[i - 1] + log((double)i);
  return lf;
}

/* (l1 l2 l3; 0 0 0)^2 from its closed form (Edmonds 1957, 3.7.17): zero unless
 * L = l1 + l2 + l3 is even and the triangle holds; with g = L / 2,
 * (L-2l1)!(L-2l2)!(L-2l3)! / (L+1)! x [g! / ((g-l1)!(g-l2)!(g-l3)!)]^2. */
static double w3j_000_squared(int l1, int l2, int l3, const double *lf)
{
  int L = l1 + l2 + l3;
  if (L % 2 != 0 || l3 < abs(l1 - l2) || l3 > l1 + l2)
    return 0;
  int g = L / 2;
  double ln = lf[L - 2 * l1] + lf[L - 2 * l2] + lf[L - 2 * l3] - lf[L + 1] +
              2 * (lf[g] - lf[g - l1] - lf[g - l2] - lf[g - l3]);
  return exp(ln);
}

static SphStatus fill_coupling(ClFitModel *m, const double *wl, int wl_max, SphError *err)
{
  int lm = m->lmax_model;
  double *lf = log_factorials(2 * (m->lmax + lm) + 2, err);
  if (lf == NULL)
    return err->code;
  for (int l = 0; l <= m->lmax; l++) {
    for (int lp = 0; lp <= lm; lp++) {
      double s = 0;
      int hi = l + lp < wl_max ? l + lp : wl_max;
      for (int l3 = abs(l - lp); l3 <= hi; l3++)
        s += (2.0 * l3 + 1) * wl[l3] * w3j_000_squared(l, lp, l3, lf);
      m->coupling[(size_t)l * (size_t)(lm + 1) + (size_t)lp] =
          (2.0 * lp + 1) / (4 * M_PI) * s / m->fsky * m->templ[lp];
    }
  }
  sph_free_aligned(lf);
  return SPH_OK;
}

/* Gaussian likelihood of the data C_l with cosmic-variance errors of the model:
 * ln L = -1/2 sum_l [(d_l - m_l)^2 / s_l^2 + ln s_l^2], s_l^2 = 2 m_l^2 / ((2l+1) fsky). */
static double cl_fit_loglike(void *p, const double *theta, double *grad)
{
  const ClFitModel *m = p;
  int lm = m->lmax_model;
  double amp = theta[0], tilt = theta[1];
  double power[3 * MAX_NSIDE]; /* (l / pivot)^n; lm < 3 MAX_NSIDE */
  for (int lp = 2; lp <= lm; lp++)
    power[lp] = exp(tilt * m->log_ratio[lp]);
  double ll = 0, g_amp = 0, g_tilt = 0;
  for (int l = 2; l <= m->lmax; l++) {
    const double *row = m->coupling + (size_t)l * (size_t)(lm + 1);
    double sig = 0, dsig = 0;
    for (int lp = 2; lp <= lm; lp++) {
      double t = row[lp] * power[lp];
      sig += t;
      dsig += t * m->log_ratio[lp];
    }
    double model = amp * sig + m->noise;
    double c = 2.0 / ((2.0 * l + 1) * m->fsky);
    double r = m->data[l] - model;
    ll -= 0.5 * (r * r / (c * model * model) + log(c * model * model));
    /* d ln L / d model */
    double dm = r / (c * model * model) + r * r / (c * model * model * model) - 1 / model;
    g_amp += dm * sig;
    g_tilt += dm * amp * dsig;
  }
  if (grad != NULL) {
    grad[0] = g_amp;
    grad[1] = g_tilt;
  }
  return ll;
}

/* The weights: the mask's first field where the map is seen, 0 elsewhere. */
static SphMap *weight_map(const SphMap *map, const SphMap *mask, const char *spec, SphError *err)
{
  SphMap *w = sph_map_new(map->nside, map->ordering, 1, err);
  if (w == NULL)
    return NULL;
  SphMap *mask_same = NULL;
  if (mask != NULL) {
    mask_same = sph_map_copy(mask, err);
    if (mask_same == NULL || sph_map_reorder(mask_same, map->ordering, err) != SPH_OK) {
      sph_map_free(mask_same);
      sph_map_free(w);
      return NULL;
    }
  }
  const double *v = map->fields[0].values;
  for (int64_t p = 0; p < map->npix; p++) {
    double mw = mask_same != NULL ? mask_same->fields[0].values[p] : 1.0;
    if (mask_same != NULL && !(isfinite(mw) && mw >= 0 && !sph_hp_is_unseen(mw))) {
      sph_error_set(err, SPH_ERR_INVALID,
                    "target %s: the mask's pixel %lld holds %g; a mask weighs pixels with "
                    "finite values >= 0", spec, (long long)p, mw);
      sph_map_free(mask_same);
      sph_map_free(w);
      return NULL;
    }
    bool seen = isfinite(v[p]) && !sph_hp_is_unseen(v[p]);
    w->fields[0].values[p] = seen ? mw : 0.0;
  }
  sph_map_free(mask_same);
  return w;
}

SphStatus sph_target_cl_fit_new(const char *spec, const SphMap *map, const SphMap *mask,
                                const SphSpectra *theory, const SphClFitOptions *opts,
                                SphTarget **out, SphError *err)
{
  *out = NULL;
  SphClFitOptions defaults;
  sph_cl_fit_options_init(&defaults);
  if (opts == NULL)
    opts = &defaults;
  if (spec == NULL)
    spec = "cl-fit";
  if (map == NULL || theory == NULL || map->nfields < 1)
    return sph_error_set(err, SPH_ERR_INVALID, "target %s: needs a map and a theory spectrum",
                         spec);
  int64_t nside = map->nside;
  if (mask != NULL && mask->nside != nside)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: the mask has NSIDE %lld but the map NSIDE %lld; "
                         "udgrade one of them", spec, (long long)mask->nside,
                         (long long)nside);
  if (nside < 2 || nside > MAX_NSIDE)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: NSIDE %lld is outside 2..%d for a spectrum fit", spec,
                         (long long)nside, MAX_NSIDE);
  int lmax_model = (int)(3 * nside - 1);
  int lmax = opts->lmax > 0 ? opts->lmax : (int)(2 * nside);
  if (lmax < 3 || lmax > lmax_model)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: l_max %d must be from 3 to 3 NSIDE - 1 = %d", spec, lmax,
                         lmax_model);
  if (theory->lmax < lmax_model)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: the theory spectrum stops at l = %d, the fit needs it to "
                         "3 NSIDE - 1 = %d", spec, theory->lmax, lmax_model);
  double to_uk = opts->unit_to_uk > 0 ? opts->unit_to_uk : unit_factor(map->fields[0].unit);
  if (!(to_uk > 0))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: the map's unit '%s' is not one of K, mK, uK (CMB "
                         "thermodynamic); give the factor to uK", spec, map->fields[0].unit);
  if (!(opts->beam_fwhm >= 0) || !(opts->noise_cl >= 0) || !(opts->pivot >= 0))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: the beam FWHM, the noise and the pivot must be >= 0", spec);

  ClFitModel *m = calloc(1, sizeof *m);
  if (m == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "target %s: out of memory", spec);
  m->lmax = lmax;
  m->lmax_model = lmax_model;
  m->pivot = opts->pivot > 0 ? opts->pivot : 0.5 * lmax;
  m->noise = opts->noise_cl;
  SphMap *w = NULL;
  SphSpectra *data = NULL, *wl = NULL;
  double *pix = NULL, *beam = NULL;
  SphStatus st = SPH_OK;
  size_t nl = (size_t)lmax_model + 1;
  m->data = sph_calloc_aligned((size_t)lmax + 1, sizeof(double), err);
  m->templ = m->data ? sph_calloc_aligned(nl, sizeof(double), err) : NULL;
  m->log_ratio = m->templ ? sph_calloc_aligned(nl, sizeof(double), err) : NULL;
  m->coupling = m->log_ratio ? sph_calloc_aligned(((size_t)lmax + 1) * nl, sizeof(double), err)
                             : NULL;
  pix = m->coupling ? sph_alloc_aligned(nl, sizeof(double), err) : NULL;
  beam = pix ? sph_alloc_aligned(nl, sizeof(double), err) : NULL;
  if (beam == NULL) {
    st = err != NULL ? err->code : SPH_ERR_NOMEM;
    goto fail;
  }
  w = weight_map(map, mask, spec, err);
  if (w == NULL) {
    st = err != NULL ? err->code : SPH_ERR_INVALID;
    goto fail;
  }
  double w2 = 0;
  for (int64_t p = 0; p < w->npix; p++)
    w2 += w->fields[0].values[p] * w->fields[0].values[p];
  m->fsky = w2 / (double)w->npix;
  if (!(m->fsky > 1e-3)) {
    st = sph_error_set(err, SPH_ERR_INVALID,
                       "target %s: the mask leaves %.3g%% of the sky; a spectrum fit needs "
                       "more", spec, 100 * m->fsky);
    goto fail;
  }
  /* The data: the pseudo-C_l of the weighted map after removing the monopole and
   * dipole over the kept pixels (a map's monopole and dipole are not the CMB's). */
  SphAnafastOptions ao = SPH_ANAFAST_DEFAULT;
  ao.lmax = lmax;
  ao.mask = w;
  ao.remove = SPH_REMOVE_DIPOLE;
  data = sph_anafast(map, NULL, &ao, NULL, err);
  if (data == NULL) {
    st = err != NULL ? err->code : SPH_ERR_INVALID;
    sph_error_prefix(err, "target %s: the map's spectrum", spec);
    goto fail;
  }
  for (int l = 0; l <= lmax; l++) {
    m->data[l] = data->cl[0][l] * to_uk * to_uk / m->fsky;
    if (!isfinite(m->data[l])) {
      st = sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: the map's C_%d is not finite (NaN pixels?)", spec, l);
      goto fail;
    }
  }
  /* The mask's own spectrum, known to the map's band limit. */
  SphAnafastOptions wo = SPH_ANAFAST_DEFAULT;
  wo.lmax = lmax_model;
  wl = sph_anafast(w, NULL, &wo, NULL, err);
  if (wl == NULL) {
    st = err != NULL ? err->code : SPH_ERR_INVALID;
    sph_error_prefix(err, "target %s: the mask's spectrum", spec);
    goto fail;
  }
  if (opts->pixel_window != NULL)
    memcpy(pix, opts->pixel_window, nl * sizeof *pix);
  else if ((st = sph_pixwin(nside, lmax_model, pix, NULL, err)) != SPH_OK)
    goto fail;
  sph_gauss_beam(opts->beam_fwhm, lmax_model, 0, beam);
  for (int l = 2; l <= lmax_model; l++) {
    double c = theory->cl[0][l];
    if (!(isfinite(c) && c > 0)) {
      st = sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: the theory C_%d is %g; it must be positive", spec, l, c);
      goto fail;
    }
    m->templ[l] = c * beam[l] * beam[l] * pix[l] * pix[l];
    m->log_ratio[l] = log(l / m->pivot);
  }
  if ((st = fill_coupling(m, wl->cl[0], lmax_model, err)) != SPH_OK)
    goto fail;
  sph_map_free(w);
  sph_spectra_free(data);
  sph_spectra_free(wl);
  sph_free_aligned(pix);
  sph_free_aligned(beam);
  static const char *const names[2] = {"A", "n"};
  static const char *const labels[2] = {"A", "n"};
  const double lower[2] = {0.1, -1}, upper[2] = {3, 1}, start[2] = {1, 0};
  return sph_target_new_native(spec, 2, names, labels, lower, upper, start, cl_fit_loglike, m,
                               model_free, out, err);
fail:
  sph_map_free(w);
  sph_spectra_free(data);
  sph_spectra_free(wl);
  sph_free_aligned(pix);
  sph_free_aligned(beam);
  model_free(m);
  return st;
}

const double *sph_target_cl_fit_data(const SphTarget *target, int *lmax, double *fsky)
{
  const ClFitModel *m = sph_target_native_model(target, cl_fit_loglike);
  if (m == NULL)
    return NULL;
  if (lmax != NULL)
    *lmax = m->lmax;
  if (fsky != NULL)
    *fsky = m->fsky;
  return m->data;
}
