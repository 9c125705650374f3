/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/error.h"
#include "sphaera/morlet.h"

/* Scattering covariances of a planar image (Cheng, Morel, Allys, Menard and Mallat 2023,
 * "Scattering spectra models for physics", arXiv 2306.17210): the statistics used to
 * model and synthesise fields. With the periodic Morlet bank of morlet.h (J scales, L
 * orientations, no padding, no subsampling), W_{j,l} = x * psi_{j,l} and
 * U_{j,l} = |W_{j,l}| on the full N = height x width grid, and E the mean over pixels:
 *     S0                         = E x
 *     P                          = E x^2
 *     S1[j,l]                    = E |W_{j,l}|
 *     S2[j,l]                    = E |W_{j,l}|^2        (the wavelet power spectrum)
 *     S3[j1,l1,j2,l2], j1 <= j2  = Cov(W_{j2,l2}, U_{j1,l1} * psi_{j2,l2})
 *     S4[j1,l1,j2,l2,j3,l3],
 *            j1 <= j2 <= j3      = Cov(U_{j1,l1} * psi_{j3,l3}, U_{j2,l2} * psi_{j3,l3})
 * with Cov(a, b) = E[(a - E a) conj(b - E b)]. Each covariance is a sum over frequencies
 * (Parseval): Cov(a, b) = N^-2 sum_{k != 0} a^[k] conj(b^[k]), so S3 = N^-2 sum_{k != 0}
 * psi^2 x^ conj(U^) and S4 = N^-2 sum_{k != 0} psi^2 U1^ conj(U2^), each O(N) once the
 * 1 + 2 J L FFTs are done, and only over the frequencies where psi_{j2,l2}^2 (or
 * psi_{j3,l3}^2) exceeds 1e-20 of its peak.
 *
 * Normalisation (the paper's, section 3): under SPH_SCATCOV_NORM_SELF or _REFERENCE
 *     S1[j,l] / sqrt(s2[j,l]),   S3 / sqrt(s2[j1,l1] s2[j2,l2]),   S4 / sqrt(s2[j1,l1] s2[j2,l2])
 * with s2 the image's own S2 (SELF) or a fixed reference S2 (REFERENCE, usually the
 * target's when synthesising a field). S0, P and S2 are never normalised (S2 carries the
 * power spectrum). NONE returns the raw statistics above.
 *
 * The statistics are returned as one vector of real numbers in this order: S0, P, S1 for
 * (j, l) with j slowest, S2 likewise, S3 for (j1, l1, j2, l2) in that nesting with j1 <= j2
 * (real then imaginary part), then S4 for (j1, l1, j2, l2, j3, l3) with j1 <= j2 <= j3 (real
 * then imaginary part). */

typedef enum {
  SPH_SCATCOV_MEAN = 0,
  SPH_SCATCOV_POWER,
  SPH_SCATCOV_S1,
  SPH_SCATCOV_S2,
  SPH_SCATCOV_S3,
  SPH_SCATCOV_S4,
} SphScatCovKind;

typedef enum {
  SPH_SCATCOV_NORM_NONE = 0,
  SPH_SCATCOV_NORM_SELF,
  SPH_SCATCOV_NORM_REFERENCE,
} SphScatCovNorm;

typedef struct {
  SphScatCovKind kind;
  int imag;           /* 1 for the imaginary part of S3 or S4, else 0 */
  int j1, l1, j2, l2, j3, l3; /* -1 where they do not apply */
} SphScatCovLabel;

typedef struct SphScatteringCov SphScatteringCov;

/* The number of statistics for J scales and L orientations (-1 out of range). */
int64_t sph_scattering_cov_count(int J, int L);

/* A plan for periodic images of height x width (both multiples of 2^J). Fails with
 * SPH_ERR_INVALID for an empty image, J outside 1..SPH_MORLET_MAX_SCALES or 2^J above a side,
 * L outside 1..SPH_MORLET_MAX_ORIENTATIONS. */
SphScatteringCov *sph_scattering_cov_new(int64_t height, int64_t width, int J, int L,
                                         SphScatCovNorm norm, SphError *err);
void sph_scattering_cov_free(SphScatteringCov *plan);

/* The reference S2 (J L values, each > 0) that SPH_SCATCOV_NORM_REFERENCE divides by. */
SphStatus sph_scattering_cov_set_reference(SphScatteringCov *plan, const double *s2,
                                           SphError *err);

const SphMorletBank *sph_scattering_cov_bank(const SphScatteringCov *plan);
int64_t sph_scattering_cov_nstats(const SphScatteringCov *plan);
SphScatCovNorm sph_scattering_cov_norm(const SphScatteringCov *plan);
SphScatCovLabel sph_scattering_cov_label(const SphScatteringCov *plan, int64_t index);
/* The index of S2[j, l] in the statistics vector. */
int64_t sph_scattering_cov_s2_index(const SphScatteringCov *plan, int j, int l);
/* "S0", "P", "S1", "S2", "S3", "S4". */
const char *sph_scattering_cov_kind_name(SphScatCovKind kind);

/* stats: nstats values. Thread-safe on one plan. Fails for non-finite pixels, or under
 * REFERENCE before a reference was set. */
SphStatus sph_scattering_cov_forward(const SphScatteringCov *plan, const double *image,
                                     double *stats, SphError *err);

/* The raw S2 alone (J L values), from one FFT: what a reference is set from. */
SphStatus sph_scattering_cov_wavelet_power(const SphScatteringCov *plan, const double *image,
                                           double *s2, SphError *err);

/* The gradient with respect to the image of sum_i weights[i] stats[i] by hand-written
 * adjoints (height x width values into image_grad); stats (may be NULL) receives the
 * statistics too. The modulus has gradient z / |z|, taken as 0 at z = 0. */
SphStatus sph_scattering_cov_gradient(const SphScatteringCov *plan, const double *image,
                                      const double *weights, double *stats, double *image_grad,
                                      SphError *err);

/* Statistics as CSV, one row per statistic:
 *     index,kind,part,j1,l1,j2,l2,j3,l3,value
 * part is "re" or "im"; labels that do not apply are -1. Written atomically. */
SphStatus sph_scattering_cov_write_csv(const char *path, const SphScatteringCov *plan,
                                       const double *stats, SphError *err);
