#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Scattering covariances (Cheng et al. 2023) of a SIDE x SIDE image, J scales, L
# orientations, full resolution, periodic: sphaera (bench-scattering-cov: the statistics
# and the gradient of a weighted sum, medians of REPS runs) beside the same statistics in
# NumPy, computed as the scattering-spectra code does (every covariance as an einsum over
# all frequencies of all wavelet pairs, then the j1 <= j2 (<= j3) ones kept), and their
# gradient by torch's autograd when torch is installed, both run right after on the same
# machine with the same image and the same wavelet spectra (dumped by the bench). Prints
# the times, the ratios and the largest differences of the statistics and gradients.
#
# usage: [REPS=n] [SIDE=n] [J=j] [L=l] bench/run-scattering-cov.sh [BUILD_DIR] (default build;
# SIDE 256, J 4, L 8, REPS 5)
set -eu

build=${1:-build}
python=${SPHAERA_PYTHON:-/usr/bin/python3}
reps=${REPS:-5}
side=${SIDE:-256}
J=${J:-4}
L=${L:-8}
bench="$build/bench/bench-scattering-cov"
if [ ! -x "$bench" ]; then
  echo "run-scattering-cov.sh: $bench not found; build it: ninja -C $build bench/bench-scattering-cov" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ref.py" <<'PYTHON'
import sys, time, re
import numpy as np

d, side, J, L, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ours = dict(kv.split('=') for kv in sys.argv[6].split())
N = side * side
x = np.fromfile(d + '/image.bin').reshape(side, side)
psi = np.array([np.fromfile(d + '/psi-%d-%d.bin' % (j, l)).reshape(side, side)
                for j in range(J) for l in range(L)])
ref_stats = np.fromfile(d + '/stats.bin')
weights = np.fromfile(d + '/weights.bin')
ref_grad = np.fromfile(d + '/grad.bin').reshape(side, side)
nw = J * L
jj = np.arange(nw) // L
pairs = [(a, b) for a in range(nw) for b in range(nw) if jj[b] >= jj[a]]
triples = [(a, b, c) for a in range(nw) for b in range(nw) for c in range(nw)
           if jj[b] >= jj[a] and jj[c] >= jj[b]]
pa = np.array([p[0] for p in pairs]); pb = np.array([p[1] for p in pairs])
ta = np.array([t[0] for t in triples]); tb = np.array([t[1] for t in triples])
tc = np.array([t[2] for t in triples])

def stats_numpy(x):
    xh = np.fft.fft2(x)
    W = np.fft.ifft2(xh[None] * psi)
    U = np.abs(W)
    Uh = np.fft.fft2(U)
    Uh[:, 0, 0] = 0
    xh0 = xh.copy(); xh0[0, 0] = 0
    p2 = (psi ** 2).reshape(nw, N) / N ** 2
    Uf = Uh.reshape(nw, N)
    s3 = np.einsum('bk,k,ak->ab', p2, xh0.reshape(N), Uf.conj())     # all (a, b)
    s4 = np.stack([(Uf * p2[c]) @ Uf.conj().T for c in range(nw)], 2)  # all (a, b, c)
    s3 = s3[pa, pb]; s4 = s4[ta, tb, tc]
    out = [np.array([x.mean(), (x ** 2).mean()]), U.mean(axis=(1, 2)), (U ** 2).mean(axis=(1, 2)),
           np.stack([s3.real, s3.imag], 1).ravel(), np.stack([s4.real, s4.imag], 1).ravel()]
    return np.concatenate(out)

s = stats_numpy(x)
times = []
for r in range(reps):
    t = time.perf_counter(); stats_numpy(x); times.append(time.perf_counter() - t)
np_s = float(np.median(times))
scale = np.abs(ref_stats).max()
print('numpy statistics: %.4f s  (sphaera forward %s s: numpy / sphaera = %.1f); '
      'max |difference| %.2e of the largest statistic' %
      (np_s, ours['forward_s'], np_s / float(ours['forward_s']), np.abs(s - ref_stats).max() / scale))
try:
    import torch
except ImportError:
    print('torch not installed: no autograd gradient to compare')
    sys.exit(0)
torch.set_num_threads(int(ours['threads']))
tpsi = torch.from_numpy(psi); p2 = (tpsi ** 2).reshape(nw, N) / N ** 2
tw = torch.from_numpy(weights)
def loss(xt):
    xh = torch.fft.fft2(xt)
    W = torch.fft.ifft2(xh[None] * tpsi)
    U = W.abs()
    Uh = torch.fft.fft2(U).reshape(nw, N)
    mask = torch.ones(N, dtype=torch.float64); mask[0] = 0
    xf = xh.reshape(N) * mask
    Uh = Uh * mask
    s3 = torch.einsum('bk,k,ak->ab', p2.to(Uh.dtype), xf, Uh.conj())[pa, pb]
    s4 = torch.stack([(Uh * p2[c]) @ Uh.conj().T for c in range(nw)], 2)[ta, tb, tc]
    st = torch.cat([torch.stack([xt.mean(), (xt ** 2).mean()]), U.mean((1, 2)), (U ** 2).mean((1, 2)),
                    torch.stack([s3.real, s3.imag], 1).reshape(-1), torch.stack([s4.real, s4.imag], 1).reshape(-1)])
    return (st * tw).sum()
times = []
for r in range(reps + 1):
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    t = time.perf_counter(); f = loss(xt); f.backward(); dt = time.perf_counter() - t
    if r > 0:
        times.append(dt)
g = xt.grad.numpy()
t_s = float(np.median(times))
print('torch autograd statistics + gradient: %.4f s  (sphaera gradient %s s: torch / sphaera = %.1f); '
      'max |difference| %.2e of the largest component' %
      (t_s, ours['gradient_s'], t_s / float(ours['gradient_s']), np.abs(g - ref_grad).max() / np.abs(ref_grad).max()))
PYTHON

line=$("$bench" --side "$side" --J "$J" --L "$L" --reps "$reps" --dump "$tmp")
echo "sphaera: $line"
"$python" "$tmp/ref.py" "$tmp" "$side" "$J" "$L" "$reps" "$line"
