/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>

#include "sphaera/job.h"
#include "sphaera/lbfgs.h"
#include "sphaera/scattering_cov.h"

/* Field synthesis from scattering covariances (Cheng et al. 2023, section 4): starting
 * from an image (usually white noise), L-BFGS on the pixels lowers
 *     loss(x) = sum_i ((s_i(x) - t_i) / c_i)^2
 * where t are the statistics of the target image and s those of x, both normalised by the
 * target's wavelet power (SPH_SCATCOV_NORM_REFERENCE, as the paper normalises), and the
 * scale c_i is the target's standard deviation for S0, its P for P, its S2[j,l] for S2[j,l]
 * (relative power errors) and 1 for the normalised S1, S3 and S4. The gradient is the
 * statistics' hand-written adjoint (sph_scattering_cov_gradient) weighted by
 * 2 (s_i - t_i) / c_i^2. */

typedef struct {
  double initial_loss; /* at the starting image */
  SphLbfgsResult lbfgs;
} SphScatCovSynthesis;

/* The loss above and its gradient at image (grad may be NULL); plan must normalise by a
 * reference (set to the target's S2) and target holds the target's statistics. */
SphStatus sph_scattering_cov_synthesis_loss(const SphScatteringCov *plan, const double *target,
                                            const double *image, double *loss, double *grad,
                                            SphError *err);

/* Sets plan's reference to target_image's wavelet power, then minimises the loss from
 * image (height x width pixels, overwritten with the result). plan must have been made
 * with SPH_SCATCOV_NORM_REFERENCE. config NULL means sph_lbfgs_defaults(); job (may be
 * NULL) gets the loss curve and cancel. result may be NULL. */
SphStatus sph_scattering_cov_synthesise(SphScatteringCov *plan, const double *target_image,
                                        double *image, const SphLbfgsConfig *config,
                                        SphJob *job, SphScatCovSynthesis *result, SphError *err);
