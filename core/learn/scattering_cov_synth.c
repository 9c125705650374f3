/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/scattering_cov_synth.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/autodiff.h"
#include "sphaera/tensor.h"

SphStatus sph_scattering_cov_synthesis_loss(const SphScatteringCov *plan, const double *target,
                                            const double *image, double *loss, double *grad,
                                            SphError *err)
{
  if (sph_scattering_cov_norm(plan) != SPH_SCATCOV_NORM_REFERENCE)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "scattering covariance synthesis: the plan must normalise by a "
                         "reference (the target's S2)");
  int64_t ns = sph_scattering_cov_nstats(plan);
  double *stats = malloc((size_t)(2 * ns) * sizeof *stats);
  if (stats == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "scattering covariance synthesis: out of memory");
  double *weights = stats + ns;
  SphStatus st = sph_scattering_cov_forward(plan, image, stats, err);
  if (st != SPH_OK) {
    free(stats);
    return st;
  }
  double variance = target[1] - target[0] * target[0];
  double sum = 0;
  for (int64_t i = 0; i < ns; i++) {
    SphScatCovLabel lab = sph_scattering_cov_label(plan, i);
    double scale = 1.0;
    if (lab.kind == SPH_SCATCOV_MEAN)
      scale = sqrt(variance > 0 ? variance : target[1]);
    else if (lab.kind == SPH_SCATCOV_POWER || lab.kind == SPH_SCATCOV_S2)
      scale = target[i];
    if (!(scale > 0))
      scale = 1.0; /* a target without power there: absolute error */
    double r = (stats[i] - target[i]) / scale;
    sum += r * r;
    weights[i] = 2 * r / scale;
  }
  *loss = sum;
  if (grad != NULL)
    st = sph_scattering_cov_gradient(plan, image, weights, NULL, grad, err);
  free(stats);
  return st;
}

typedef struct {
  const SphScatteringCov *plan;
  const double *target;
  SphVar *pixels;
  SphTensor *grad, *offset;
  SphStatus status;
  SphError err;
} LossContext;

/* The tape has no operation for the statistics, so each evaluation records the linear
 * function with the loss's value and gradient at the current pixels,
 *     <x, g> + (f - <x0, g>),
 * which is all L-BFGS reads: f and g at the points it evaluates. */
static SphVar *linearised_loss(SphTape *tape, void *data)
{
  LossContext *c = data;
  const SphTensor *x = sph_var_value(c->pixels);
  const double *px = x->data;
  double f;
  c->status = sph_scattering_cov_synthesis_loss(c->plan, c->target, px, &f, c->grad->data, &c->err);
  if (c->status != SPH_OK)
    return NULL;
  const double *g = c->grad->data;
  double dot = 0;
  for (size_t i = 0; i < x->size; i++)
    dot += px[i] * g[i];
  sph_tensor_set(c->offset, 0, f - dot);
  SphVar *linear = sph_sum(tape, sph_mul(tape, c->pixels, sph_tape_input(tape, c->grad, false)));
  return sph_add(tape, linear, sph_sum(tape, sph_tape_input(tape, c->offset, false)));
}

SphStatus sph_scattering_cov_synthesise(SphScatteringCov *plan, const double *target_image,
                                        double *image, const SphLbfgsConfig *config,
                                        SphJob *job, SphScatCovSynthesis *result, SphError *err)
{
  if (sph_scattering_cov_norm(plan) != SPH_SCATCOV_NORM_REFERENCE)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "scattering covariance synthesis: the plan must normalise by a "
                         "reference (the target's S2)");
  const SphMorletBank *bank = sph_scattering_cov_bank(plan);
  int J = sph_morlet_bank_J(bank), L = sph_morlet_bank_L(bank);
  int64_t height, width;
  sph_morlet_bank_image_size(bank, &height, &width);
  int64_t ns = sph_scattering_cov_nstats(plan);
  double *s2 = malloc((size_t)(J * L) * sizeof *s2);
  double *target = malloc((size_t)ns * sizeof *target);
  size_t npix = (size_t)(height * width);
  LossContext ctx = {.plan = plan, .target = target, .err = SPH_ERROR_INIT};
  ctx.grad = sph_tensor_new(SPH_F64, 1, &npix, err);
  size_t one = 1;
  ctx.offset = ctx.grad == NULL ? NULL : sph_tensor_new(SPH_F64, 1, &one, err);
  SphTensor *start = ctx.offset == NULL ? NULL : sph_tensor_new(SPH_F64, 1, &npix, err);
  SphStatus st = SPH_OK;
  if (s2 == NULL || target == NULL || start == NULL) {
    st = start == NULL && ctx.offset != NULL
             ? sph_error_prefix(err, "scattering covariance synthesis")
             : sph_error_set(err, SPH_ERR_NOMEM, "scattering covariance synthesis: out of memory");
  }
  if (st == SPH_OK) {
    if ((st = sph_scattering_cov_wavelet_power(plan, target_image, s2, err)) == SPH_OK &&
        (st = sph_scattering_cov_set_reference(plan, s2, err)) == SPH_OK)
      st = sph_scattering_cov_forward(plan, target_image, target, err);
    if (st != SPH_OK)
      sph_error_prefix(err, "scattering covariance synthesis: the target image");
  }
  if (st == SPH_OK) {
    memcpy(start->data, image, npix * sizeof(double));
    ctx.pixels = sph_var_new_param(start, err);
    start = NULL; /* the parameter owns it now */
    if (ctx.pixels == NULL)
      st = sph_error_prefix(err, "scattering covariance synthesis");
  }
  SphScatCovSynthesis res = {0};
  if (st == SPH_OK)
    st = sph_scattering_cov_synthesis_loss(plan, target, image, &res.initial_loss, NULL, err);
  if (st == SPH_OK) {
    SphLbfgsConfig defaults = sph_lbfgs_defaults();
    st = sph_lbfgs_minimize(config != NULL ? config : &defaults, linearised_loss, &ctx,
                            &ctx.pixels, 1, job, &res.lbfgs, err);
    if (ctx.status != SPH_OK) {
      st = ctx.status;
      if (err != NULL)
        *err = ctx.err;
    }
    memcpy(image, sph_var_value(ctx.pixels)->data, npix * sizeof(double));
  }
  if (result != NULL)
    *result = res;
  sph_var_free(ctx.pixels);
  sph_tensor_free(start);
  sph_tensor_free(ctx.grad);
  sph_tensor_free(ctx.offset);
  free(target);
  free(s2);
  return st;
}
