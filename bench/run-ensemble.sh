#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench-ensemble beside emcee (Debian's python3-emcee) on the same target,
# gauss:DIM with AR(1) correlation 0.9 (its tridiagonal precision evaluated in numpy),
# walkers started from the target itself, the stretch move, one thread each. Prints
# each side's density evaluations per second (sampler included), acceptance, the
# largest tau (emcee.autocorr.integrated_time on the whole chain) and the ratio of
# throughputs. emcee is run twice: calling log_prob per walker (its default) and with
# vectorize=True (one call per half-ensemble).
#
# usage: bench/run-ensemble.sh [BUILD_DIR [STEPS [WALKERS [DIM]]]]
#        defaults: build 10000 32 10
set -eu

build=${1:-build}
steps=${2:-10000}
walkers=${3:-32}
dim=${4:-10}
bench="$build/bench/bench-ensemble"
python=${SPHAERA_PYTHON:-/usr/bin/python3}

if [ ! -x "$bench" ]; then
  echo "run-ensemble.sh: $bench not found; build it first: ninja -C $build bench/bench-ensemble" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ref.py" <<'PYTHON'
import sys, time, logging
logging.disable(logging.CRITICAL)
import numpy as np
import emcee

steps, walkers, dim = (int(a) for a in sys.argv[1:4])
rho = 0.9
edge, inner, off = 1 / (1 - rho**2), (1 + rho**2) / (1 - rho**2), -rho / (1 - rho**2)
diag = np.full(dim, inner)
diag[0] = diag[-1] = edge
log_prior = -dim * np.log(20.0)

def log_prob(x):
    if np.any(np.abs(x) > 10):
        return -np.inf
    return -0.5 * (np.dot(diag * x, x) + 2 * off * np.dot(x[:-1], x[1:])) + log_prior

def log_prob_vec(x):
    q = np.einsum("ij,j,ij->i", x, diag, x) + 2 * off * np.einsum("ij,ij->i", x[:, :-1], x[:, 1:])
    lp = -0.5 * q + log_prior
    lp[np.any(np.abs(x) > 10, axis=1)] = -np.inf
    return lp

rs = np.random.RandomState(1)
p0 = np.empty((walkers, dim))
p0[:, 0] = rs.randn(walkers)
for d in range(1, dim):
    p0[:, d] = rho * p0[:, d - 1] + np.sqrt(1 - rho**2) * rs.randn(walkers)

print("# emcee %s numpy %s" % (emcee.__version__, np.__version__))
for name, fn, vec in (("emcee", log_prob, False), ("emcee_vectorized", log_prob_vec, True)):
    s = emcee.EnsembleSampler(walkers, dim, fn, vectorize=vec)
    t0 = time.perf_counter()
    s.run_mcmc(p0, steps, progress=False)
    dt = time.perf_counter() - t0
    tau = emcee.autocorr.integrated_time(s.get_chain(), quiet=True)
    print("%s_seconds %.6f" % (name, dt))
    print("%s_evals_per_s %.0f" % (name, steps * walkers / dt))
    print("%s_acceptance %.4f" % (name, np.mean(s.acceptance_fraction)))
    print("%s_tau_max %.3f" % (name, np.max(tau)))
    sys.stdout.flush()
PYTHON

OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$python" "$tmp/ref.py" "$steps" "$walkers" "$dim" >"$tmp/emcee"
OMP_NUM_THREADS=1 "$bench" "$steps" "$walkers" "$dim" >"$tmp/sphaera"

cat "$tmp/emcee" "$tmp/sphaera" | grep '^#'
awk '
  FNR == 1 { file++ }
  /^#/ { next }
  { v[$1] = $2 }
  END {
    printf "%-18s %14s %10s %9s\n", "sampler", "evals/s", "accept", "tau_max"
    printf "%-18s %14.0f %10.4f %9.2f\n", "sphaera", v["evals_per_s"], v["acceptance"], v["tau_max"]
    printf "%-18s %14.0f %10.4f %9.2f\n", "emcee", v["emcee_evals_per_s"], v["emcee_acceptance"], v["emcee_tau_max"]
    printf "%-18s %14.0f %10.4f %9.2f\n", "emcee vectorized", v["emcee_vectorized_evals_per_s"], v["emcee_vectorized_acceptance"], v["emcee_vectorized_tau_max"]
    printf "sphaera density alone: %.0f evals/s\n", v["density_only_evals_per_s"]
    printf "ratio sphaera / emcee: %.1f (vectorized: %.1f)\n", v["evals_per_s"] / v["emcee_evals_per_s"], v["evals_per_s"] / v["emcee_vectorized_evals_per_s"]
  }' "$tmp/emcee" "$tmp/sphaera"
