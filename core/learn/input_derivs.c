/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Forward-mode input derivatives (jets) through dense layers and activations. */
#include "sphaera/input_derivs.h"

#include "tape_internal.h"

static SphJet jet_failed(SphTape *tape, const char *fmt, size_t a, size_t b)
{
  tape_fail(tape, SPH_ERR_INVALID, fmt, a, b);
  return (SphJet){0};
}

SphJet sph_jet_input(SphTape *tape, SphVar *x, const size_t *coords, size_t ncoords)
{
  if (x == NULL) {
    tape_fail(tape, SPH_ERR_INVALID, "input derivatives: no input");
    return (SphJet){0};
  }
  const SphTensor *xv = x->value;
  if (xv->ndim != 2)
    return jet_failed(tape, "input derivatives: the input must be [batch, %zu coordinates] (has %zu "
                            "dimensions)", xv->shape[xv->ndim - 1], (size_t)xv->ndim);
  if (ncoords == 0 || ncoords > SPH_JET_MAX_COORDS)
    return jet_failed(tape, "input derivatives: %zu coordinates (1 to %zu supported)", ncoords,
                      SPH_JET_MAX_COORDS);
  SphJet jet = {.value = x, .ncoords = ncoords};
  SphError err = SPH_ERROR_INIT;
  SphTensor *unit = sph_tensor_new(xv->dtype, 2, xv->shape, &err);
  if (unit == NULL) {
    tape_fail(tape, err.code, "input derivatives: %s", err.message);
    return (SphJet){0};
  }
  size_t rows = xv->shape[0], d = xv->shape[1];
  for (size_t k = 0; k < ncoords; k++) {
    if (coords[k] >= d) {
      sph_tensor_free(unit);
      return jet_failed(tape, "input derivatives: coordinate %zu of an input with %zu columns",
                        coords[k], d);
    }
    sph_tensor_fill(unit, 0.0);
    for (size_t r = 0; r < rows; r++)
      sph_tensor_set(unit, r * d + coords[k], 1.0);
    jet.d1[k] = sph_tape_input(tape, unit, false);
  }
  sph_tensor_free(unit);
  return jet;
}

SphJet sph_jet_dense(SphTape *tape, const SphDense *layer, const SphJet *in)
{
  SphJet out = {.value = sph_dense_forward(tape, layer, in->value), .ncoords = in->ncoords};
  for (size_t k = 0; k < in->ncoords; k++) {
    out.d1[k] = sph_matmul(tape, in->d1[k], layer->weight);
    out.d2[k] = in->d2[k] ? sph_matmul(tape, in->d2[k], layer->weight) : NULL;
  }
  return out;
}

SphJet sph_jet_activate(SphTape *tape, SphActivation act, const SphJet *in)
{
  SphJet out = {.value = sph_activate(tape, act, in->value), .ncoords = in->ncoords};
  SphVar *s1 = sph_activation_derivative(tape, act, in->value, 1);
  SphVar *s2 = sph_activation_derivative(tape, act, in->value, 2);
  for (size_t k = 0; k < in->ncoords; k++) {
    SphVar *dz = in->d1[k];
    out.d1[k] = sph_mul(tape, s1, dz);
    SphVar *d2 = sph_mul(tape, s2, sph_mul(tape, dz, dz));
    out.d2[k] = in->d2[k] ? sph_add(tape, d2, sph_mul(tape, s1, in->d2[k])) : d2;
  }
  return out;
}

SphJet sph_mlp_forward_jet(SphTape *tape, const SphMlp *mlp, SphVar *x, const size_t *coords,
                           size_t ncoords)
{
  const SphMlpConfig *c = sph_mlp_config(mlp);
  if (c->layer_norm) {
    tape_fail(tape, SPH_ERR_UNSUPPORTED, "input derivatives: not through layer norm");
    return (SphJet){0};
  }
  SphJet jet = sph_jet_input(tape, x, coords, ncoords);
  size_t nlayers = c->nsizes - 1;
  for (size_t l = 0; l < nlayers && jet.value != NULL; l++) {
    SphDense dense = {.weight = sph_mlp_param(mlp, 2 * l), .bias = sph_mlp_param(mlp, 2 * l + 1),
                      .in = c->sizes[l], .out = c->sizes[l + 1]};
    jet = sph_jet_dense(tape, &dense, &jet);
    if (l + 1 < nlayers)
      jet = sph_jet_activate(tape, c->activation, &jet);
  }
  return jet;
}
