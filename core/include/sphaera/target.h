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
 * All built-ins provide gradients. */

#include <stdbool.h>
#include <stddef.h>

#include "sphaera/error.h"

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
