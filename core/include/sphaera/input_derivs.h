/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stddef.h>

#include "sphaera/layers.h"

/* Derivatives of a network's outputs with respect to its inputs, up to second order,
 * for physics-informed losses (u_x, u_t, u_xx inside the loss).
 *
 * A jet carries, beside a layer's value h [batch, width], the first derivatives
 * dh/dx_k and the pure second derivatives d2h/dx_k2 for a few chosen input
 * coordinates k, pushed forward layer by layer (forward mode, Taylor arithmetic):
 *   dense       z = h W + b:   dz = dh W,            d2z = d2h W
 *   activation  a = s(z):      da = s'(z) dz,        d2a = s''(z) dz^2 + s'(z) d2z
 * Every one of these is an ordinary tape operation, so the derivatives are tape
 * variables like any other: a loss made of u, u_x and u_xx is differentiated with
 * respect to the parameters by one sph_backward(). Cost: (1 + 2 ncoords) forward passes. */

#define SPH_JET_MAX_COORDS 4

typedef struct {
  SphVar *value;
  size_t ncoords;
  SphVar *d1[SPH_JET_MAX_COORDS]; /* d value / d x_{coords[k]} */
  SphVar *d2[SPH_JET_MAX_COORDS]; /* d2 value / d x_{coords[k]}^2; NULL where exactly zero */
} SphJet;

/* The jet of the input x [batch, d] itself: d1[k] is 1 in column coords[k] and 0
 * elsewhere, d2[k] zero. ncoords 1..SPH_JET_MAX_COORDS, coords[k] < d. Errors are
 * recorded on the tape (the jet's value is then NULL), as for every operation. */
SphJet sph_jet_input(SphTape *tape, SphVar *x, const size_t *coords, size_t ncoords);
SphJet sph_jet_dense(SphTape *tape, const SphDense *layer, const SphJet *in);
SphJet sph_jet_activate(SphTape *tape, SphActivation act, const SphJet *in);
/* The jet of mlp's output at x for input coordinates coords. The MLP must be without
 * layer norm; dropout is off. */
SphJet sph_mlp_forward_jet(SphTape *tape, const SphMlp *mlp, SphVar *x, const size_t *coords,
                           size_t ncoords);
