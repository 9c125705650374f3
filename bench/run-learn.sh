#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench-learn beside Debian's python3-torch (CPU, float32) on the same two jobs:
#   mlp         a 2-64-64-1 tanh MLP, MSE on a fixed batch of 256, 2000 Adam steps
#   classifier  a 784-256-10 ReLU classifier, cross-entropy, one epoch over 60 000
#               random samples in batches of 128, Adam
# both with one thread (torch.set_num_threads(1), OpenBLAS 1 thread), then Sphaera with a
# budget of two threads (sph_learn_set_threads(2)). Sphaera's one- and two-thread runs
# alternate REPEATS times and each keeps its fastest time, so that a burst of load from
# other processes does not decide the two-thread ratio; the load average (uptime) before
# and after is printed with the figures. Prints each time, the ratio sphaera / torch
# (below 1: faster) and the ratio two threads / one thread (at most 1: never slower).
#
# usage: bench/run-learn.sh [BUILD_DIR [MLP_STEPS [SAMPLES [REPEATS]]]]
#        defaults: build 2000 60000 3
set -eu

build=${1:-build}
steps=${2:-2000}
samples=${3:-60000}
repeats=${4:-3}
bench="$build/bench/bench-learn"
python=${SPHAERA_PYTHON:-/usr/bin/python3}

if [ ! -x "$bench" ]; then
  echo "run-learn.sh: $bench not found; build it first: ninja -C $build bench/bench-learn" >&2
  exit 1
fi
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "run-learn.sh: $python cannot import torch; install python3-torch" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ref.py" <<'PYTHON'
import sys, time
import torch

steps, samples = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(1)
torch.manual_seed(0)
print("# torch %s, float32, %d thread(s)" % (torch.__version__, torch.get_num_threads()))

x = torch.rand(256, 2) * 2 - 1
y = (torch.sin(3 * x[:, 0]) * torch.cos(2 * x[:, 1])).unsqueeze(1)
net = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64),
                          torch.nn.Tanh(), torch.nn.Linear(64, 1))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
lossf = torch.nn.MSELoss()
t0 = time.perf_counter()
for _ in range(steps):
    opt.zero_grad()
    loss = lossf(net(x), y)
    loss.backward()
    opt.step()
print("mlp_seconds %.6f" % (time.perf_counter() - t0))
print("mlp_final_loss %.6g" % loss.item())

data = torch.randn(samples, 784)
labels = torch.randint(0, 10, (samples,))
net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
lossf = torch.nn.CrossEntropyLoss()
t0 = time.perf_counter()
for start in range(0, samples - 127, 128):
    opt.zero_grad()
    loss = lossf(net(data[start:start + 128]), labels[start:start + 128])
    loss.backward()
    opt.step()
print("classifier_seconds %.6f" % (time.perf_counter() - t0))
print("classifier_final_loss %.6g" % loss.item())
PYTHON

echo "# before: $(uptime)"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "$python" "$tmp/ref.py" "$steps" "$samples" >"$tmp/torch"
: >"$tmp/one"
: >"$tmp/two"
r=0
while [ "$r" -lt "$repeats" ]; do
  OMP_NUM_THREADS=1 "$bench" 1 "$steps" "$samples" >>"$tmp/one"
  OMP_NUM_THREADS=2 "$bench" 2 "$steps" "$samples" >>"$tmp/two"
  r=$((r + 1))
done
echo "# after:  $(uptime)"

cat "$tmp/torch" "$tmp/one" "$tmp/two" | grep '^#' | sort -u
awk -v repeats="$repeats" '
  FNR == 1 { file++ }
  /^#/ { next }
  /_seconds / { if (!((file, $1) in v) || $2 < v[file, $1]) v[file, $1] = $2 }
  END {
    printf "sphaera: fastest of %d alternating runs per thread count\n", repeats
    printf "%-12s %10s %12s %10s %12s %12s\n", "job", "torch (s)", "sph 1 thr", "ratio s/t", "sph 2 thr",
           "ratio 2t/1t"
    split("mlp classifier", jobs, " ")
    for (j = 1; j <= 2; j++) {
      k = jobs[j] "_seconds"
      printf "%-12s %10.3f %12.3f %10.3f %12.3f %12.3f\n", jobs[j], v[1, k], v[2, k], v[2, k] / v[1, k],
             v[3, k], v[3, k] / v[2, k]
    }
  }' "$tmp/torch" "$tmp/one" "$tmp/two"
