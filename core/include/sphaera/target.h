/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A target: the log-density a sampler explores, with its dimension, parameter names,
 * plot labels and prior box. Every target's log-density is ln L(theta) + ln pi(theta)
 * where pi is the uniform density on the prior box, so it is -inf outside the box and
 * its integral is the evidence z.
 *
 * Built-ins (sph_target_new spec strings):
 *   gauss:D      unnormalised Gaussian exp(-theta^T S^-1 theta / 2), S_ij = 0.9^|i-j|
 *                (unit variances, AR(1) correlation 0.9), box [-10, 10]^D; D in 1..10000
 *   rosenbrock   ln L = -((1 - x)^2 + 100 (y - x^2)^2) / 20 (emcee's example), box
 *                x in [-10, 10], y in [-10, 110] (wide enough for y ~ x^2 over the x box);
 *                rosenbrock:D chains D-1 such terms over consecutive pairs, every
 *                coordinate after the first in [-10, 110]
 *   bimodal      normalised mixture 0.5 N(-m, I) + 0.5 N(m, I), m = (3, 3), box [-10, 10]^2;
 *                bimodal:D puts m = 3 in every coordinate
 *   plugin:PATH  a shared library implementing sphaera/target_plugin.h
 *   cl-fit       amplitude A and tilt n of a map's angular power spectrum (below); made
 *                with sph_target_cl_fit_new from a map the caller has read, since the
 *                infer module sits below the file readers (io)
 * All built-ins provide gradients. */

#include <stdbool.h>
#include <stddef.h>

#include "sphaera/error.h"
#include "sphaera/map.h"
#include "sphaera/spectrum.h"

typedef struct SphTarget SphTarget;

/* Parses spec as above. Fails with a message naming the spec (or the plugin file) and
 * what is wrong with it. */
SphStatus sph_target_new(const char *spec, SphTarget **out, SphError *err);
/* Loads a plugin (dlopen); checks the symbol, the ABI version, the names and the box. */
SphStatus sph_target_new_plugin(const char *path, SphTarget **out, SphError *err);
void sph_target_free(SphTarget *target);

/* "gauss:10", "plugin:/path/x.so", ... */
const char *sph_target_spec(const SphTarget *target);
size_t sph_target_dim(const SphTarget *target);
const char *sph_target_name(const SphTarget *target, size_t i);
const char *sph_target_label(const SphTarget *target, size_t i);
const double *sph_target_lower(const SphTarget *target);
const double *sph_target_upper(const SphTarget *target);
bool sph_target_has_gradient(const SphTarget *target);
/* True when one evaluation costs enough to spread the walkers over threads. */
bool sph_target_is_expensive(const SphTarget *target);
/* A point inside the box in the bulk of the posterior, where samplers start by default. */
const double *sph_target_start(const SphTarget *target);

/* The log-density at theta (dim values), -inf outside the box. grad, when not NULL and
 * the target has a gradient, receives its gradient (zeros outside the box). Unchecked:
 * may return NaN for a broken plugin; samplers use sph_target_eval. Thread-safe. */
double sph_target_log_density(const SphTarget *target, const double *theta, double *grad);

/* As sph_target_log_density, but a NaN or +inf value (or a non-finite gradient inside
 * the box) is an error naming the target and the point. */
SphStatus sph_target_eval(const SphTarget *target, const double *theta, double *grad,
                          double *log_density, SphError *err);

/* Writes "target gauss:10 returned NaN at theta = (0.1, ...)" style point text into buf. */
void sph_target_format_point(const SphTarget *target, const double *theta, char *buf,
                             size_t size);

/* ---- cl-fit: the amplitude and tilt of a map's angular power spectrum ----
 * Parameters A in [0.1, 3] and n in [-1, 1], the model spectrum of the sky
 *   C_l(A, n) = A (l / l_pivot)^n C_l^theory b_l^2 p_l^2 (+ a white-noise N_l),
 * b_l the Gaussian beam, p_l the map's HEALPix pixel window. The data, computed once when
 * the target is made: the pseudo-C_l of the map (first field) weighted by the mask, after
 * the monopole and dipole are removed over the kept pixels, divided by f_sky = mean of
 * the squared weights. The model goes through the mask's MASTER coupling matrix (Hivon
 * et al. 2002) up to the band limit 3 NSIDE - 1, over f_sky too, so that both sides are
 * the same kind of pseudo-spectrum (dividing by f_sky alone leaves the cut sky's mode
 * coupling, tens of per cent near l = 2 NSIDE for a Galactic mask). Likelihood: Gaussian
 * in C_l with cosmic-variance errors of the model, s_l^2 = 2 m_l^2 / ((2l + 1) f_sky),
 * over l = 2..l_max. Units: the map's field unit (K, mK or uK, thermodynamic) is
 * converted to uK; the theory is in uK^2 (as totcls.dat read by sph_cl_read_text). */
typedef struct {
  int lmax;          /* fitted l_max; <= 0 (default) means 2 NSIDE */
  double beam_fwhm;  /* radians; default 0.22 degrees (WMAP W band) */
  double pivot;      /* l_pivot; <= 0 (default) means l_max / 2 */
  double unit_to_uk; /* map unit -> uK; <= 0 (default) reads the map's unit */
  double noise_cl;   /* white-noise N_l in uK^2 (after the pixel window); default 0 */
  /* The map's pixel window p_l for l = 0..3 NSIDE - 1; NULL (default) computes it with
   * sph_pixwin (seconds at NSIDE 32: pass it when making several targets). */
  const double *pixel_window;
} SphClFitOptions;

void sph_cl_fit_options_init(SphClFitOptions *opts);

/* Makes the target from map (its first field; UNSEEN and NaN pixels weigh 0), mask (a
 * map of the same NSIDE whose first field weighs pixels; NULL: the full sky) and theory
 * (TT C_l in uK^2 up to at least 3 NSIDE - 1). spec names it in messages (NULL:
 * "cl-fit"). Fails with a message naming the spec and the problem (NSIDE mismatch,
 * unknown unit, too small a sky fraction, a short or non-positive theory spectrum). */
SphStatus sph_target_cl_fit_new(const char *spec, const SphMap *map, const SphMap *mask,
                                const SphSpectra *theory, const SphClFitOptions *opts,
                                SphTarget **out, SphError *err);
/* The data C_l (l = 0..*lmax, uK^2, pseudo-C_l / f_sky) of a cl-fit target, and its
 * f_sky; NULL for other targets. */
const double *sph_target_cl_fit_data(const SphTarget *target, int *lmax, double *fsky);
