/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Chains to and from files that corner.py, getdist and ArviZ read.
 *
 * NumPy .npy (format version 1.0 written; 1.0, 2.0 and 3.0 read): a C-order array of
 * little-endian float64, samples as steps x walkers x dims (emcee's get_chain()) and
 * log-probabilities as steps x walkers, so that `np.load("chain.npy")` gives the array.
 *
 * CSV: a header row `walker,step,<name 1>,...,<name D>,log_prob`, then one row per
 * sample, walker by walker and within a walker step by step, numbers with 17
 * significant digits (exact round trip).
 *
 * Every writer is atomic: the file appears whole or not at all, and a failure leaves
 * any earlier file under that name as it was. */

#include <stddef.h>

#include "sphaera/chain.h"
#include "sphaera/error.h"

#define SPH_NPY_MAX_DIMS 8

/* Writes data (C order, shape[0] x ... x shape[ndim-1] float64) as .npy. */
SphStatus sph_npy_write(const char *path, const double *data, const size_t *shape, size_t ndim,
                        SphError *err);

/* Reads a .npy of float64 or float32 ('<f8', '>f8', '<f4', '>f4'), C or Fortran order,
 * into C-order float64: *data (free with sph_free_aligned), shape[SPH_NPY_MAX_DIMS],
 * *ndim. Fails with a message naming the file for anything else. */
SphStatus sph_npy_read(const char *path, double **data, size_t *shape, size_t *ndim,
                       SphError *err);

/* The recorded steps of chain: samples (steps x walkers x dims) and log-probabilities
 * (steps x walkers). */
SphStatus sph_chain_write_npy(const SphChain *chain, const char *path, SphError *err);
SphStatus sph_chain_write_log_prob_npy(const SphChain *chain, const char *path, SphError *err);
SphStatus sph_chain_write_csv(const SphChain *chain, const char *path, SphError *err);

/* A chain from a samples .npy (3-D steps x walkers x dims, or 2-D steps x dims read as
 * one walker) and, when log_prob_path is not NULL, its log-probabilities (shape steps x
 * walkers, or steps for one walker); without them log_prob is NaN. Names are x0, x1, ...
 * and acceptance counts are zero (a file does not record them). */
SphStatus sph_chain_read_npy(const char *path, const char *log_prob_path, SphChain **out,
                             SphError *err);
