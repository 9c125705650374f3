/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The finite-difference gradient checker. */
#include <math.h>
#include <stdlib.h>

#include "tape_internal.h"

static SphStatus evaluate(SphLossFn fn, void *ctx, SphTape *tape, double *value, SphError *err)
{
  sph_tape_reset(tape);
  SphVar *loss = fn(tape, ctx);
  SphStatus st = sph_tape_status(tape, err);
  if (st != SPH_OK)
    return st;
  if (loss == NULL || loss->value->size != 1)
    return sph_error_set(err, SPH_ERR_INVALID, "gradcheck: the function gave no scalar loss");
  *value = sph_var_scalar(loss);
  return SPH_OK;
}

SphStatus sph_gradcheck(SphLossFn fn, void *ctx, SphVar *const *wrt, size_t nwrt, double eps,
                        double *max_rel_error, SphError *err)
{
  for (size_t k = 0; k < nwrt; k++)
    if (wrt[k] == NULL || wrt[k]->value->dtype != SPH_F64 || wrt[k]->on_tape)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "gradcheck: variable %zu is not a float64 parameter", k);
  if (!(eps > 0.0))
    return sph_error_set(err, SPH_ERR_INVALID, "gradcheck: step %g must be positive", eps);
  SphTape *tape = sph_tape_new();
  if (tape == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "gradcheck: out of memory");
  for (size_t k = 0; k < nwrt; k++)
    sph_var_zero_grad(wrt[k]);
  SphVar *loss = fn(tape, ctx);
  SphStatus st = sph_backward(tape, loss, err); /* reports the tape's error first */
  double worst = 0.0;
  for (size_t k = 0; k < nwrt && st == SPH_OK; k++) {
    SphTensor *v = wrt[k]->value, *g = wrt[k]->grad;
    for (size_t i = 0; i < v->size && st == SPH_OK; i++) {
      double x0 = sph_tensor_get(v, i), fp = 0.0, fm = 0.0;
      sph_tensor_set(v, i, x0 + eps);
      st = evaluate(fn, ctx, tape, &fp, err);
      sph_tensor_set(v, i, x0 - eps);
      if (st == SPH_OK)
        st = evaluate(fn, ctx, tape, &fm, err);
      sph_tensor_set(v, i, x0);
      double fd = (fp - fm) / (2.0 * eps), an = sph_tensor_get(g, i);
      double rel = fabs(an - fd) / fmax(fabs(an) + fabs(fd), 1e-3);
      if (!(rel <= worst))
        worst = rel;
    }
  }
  sph_tape_free(tape);
  if (max_rel_error != NULL)
    *max_rel_error = worst;
  return st;
}
