/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training speed of the learning engine, for bench/run-learn.sh to set beside torch:
 *   mlp         a 2-64-64-1 tanh MLP, MSE on a fixed batch of 256, 2000 Adam steps
 *   classifier  a 784-256-10 ReLU classifier, cross-entropy, one epoch over 60 000
 *               random samples in batches of 128, Adam
 * float32, one thread unless THREADS says otherwise. Prints "name seconds" lines.
 *
 * usage: bench-learn [THREADS [MLP_STEPS [SAMPLES]]] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sphaera/layers.h"
#include "sphaera/optim.h"
#include "sphaera/rng.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const SphError *err)
{
  fprintf(stderr, "bench-learn: %s\n", err->message);
  return 1;
}

static int bench_mlp(size_t steps)
{
  SphError err = SPH_ERROR_INIT;
  SphMlpConfig c = {.nsizes = 4, .sizes = {2, 64, 64, 1}, .activation = SPH_ACT_TANH,
                    .dtype = SPH_F32};
  SphMlp *mlp = sph_mlp_new(&c, 1, &err);
  if (mlp == NULL)
    return fail(&err);
  const size_t batch = 256;
  SphTensor *x = sph_tensor_new2(SPH_F32, batch, 2, &err), *y = sph_tensor_new2(SPH_F32, batch, 1, &err);
  SphRng rng;
  sph_rng_init(&rng, 2, 0);
  for (size_t i = 0; i < batch; i++) {
    double a = 2 * sph_rng_uniform(&rng) - 1, b = 2 * sph_rng_uniform(&rng) - 1;
    sph_tensor_set(x, 2 * i, a);
    sph_tensor_set(x, 2 * i + 1, b);
    sph_tensor_set(y, i, sin(3 * a) * cos(2 * b));
  }
  SphOptimConfig oc = sph_optim_defaults(SPH_OPTIM_ADAM);
  SphOptimizer *opt = sph_optim_new(&oc, sph_mlp_params(mlp), sph_mlp_param_count(mlp), &err);
  SphTape *tape = sph_tape_new();
  double t0 = now(), loss = 0.0;
  for (size_t s = 0; s < steps; s++) {
    sph_tape_reset(tape);
    sph_optim_zero_grad(opt);
    SphVar *out = sph_mlp_forward(tape, mlp, sph_tape_input(tape, x, false), false, NULL);
    SphVar *l = sph_mse_loss(tape, out, sph_tape_input(tape, y, false));
    if (sph_backward(tape, l, &err) != SPH_OK || sph_optim_step(opt, &err) != SPH_OK)
      return fail(&err);
    loss = sph_var_scalar(l);
  }
  double dt = now() - t0;
  printf("mlp_seconds %.6f\nmlp_final_loss %.6g\n", dt, loss);
  sph_tape_free(tape);
  sph_optim_free(opt);
  sph_tensor_free(x);
  sph_tensor_free(y);
  sph_mlp_free(mlp);
  return 0;
}

static int bench_classifier(size_t samples)
{
  SphError err = SPH_ERROR_INIT;
  SphMlpConfig c = {.nsizes = 3, .sizes = {784, 256, 10}, .activation = SPH_ACT_RELU,
                    .dtype = SPH_F32};
  SphMlp *mlp = sph_mlp_new(&c, 1, &err);
  if (mlp == NULL)
    return fail(&err);
  const size_t batch = 128, d = 784;
  float *data = malloc(samples * d * sizeof *data);
  int32_t *labels = malloc(samples * sizeof *labels);
  SphTensor *xb = sph_tensor_new2(SPH_F32, batch, d, &err);
  if (data == NULL || labels == NULL || xb == NULL)
    return fprintf(stderr, "bench-learn: out of memory\n"), 1;
  SphRng rng;
  sph_rng_init(&rng, 3, 0);
  for (size_t i = 0; i < samples * d; i++)
    data[i] = (float)sph_rng_normal(&rng);
  for (size_t i = 0; i < samples; i++)
    labels[i] = (int32_t)sph_rng_below(&rng, 10);
  SphOptimConfig oc = sph_optim_defaults(SPH_OPTIM_ADAM);
  SphOptimizer *opt = sph_optim_new(&oc, sph_mlp_params(mlp), sph_mlp_param_count(mlp), &err);
  SphTape *tape = sph_tape_new();
  double t0 = now(), loss = 0.0;
  for (size_t start = 0; start + batch <= samples; start += batch) {
    float *dst = xb->data;
    for (size_t i = 0; i < batch * d; i++)
      dst[i] = data[start * d + i];
    sph_tape_reset(tape);
    sph_optim_zero_grad(opt);
    SphVar *logits = sph_mlp_forward(tape, mlp, sph_tape_input(tape, xb, false), false, NULL);
    SphVar *l = sph_cross_entropy_logits(tape, logits, labels + start, batch);
    if (sph_backward(tape, l, &err) != SPH_OK || sph_optim_step(opt, &err) != SPH_OK)
      return fail(&err);
    loss = sph_var_scalar(l);
  }
  double dt = now() - t0;
  printf("classifier_seconds %.6f\nclassifier_final_loss %.6g\n", dt, loss);
  sph_tape_free(tape);
  sph_optim_free(opt);
  sph_tensor_free(xb);
  free(data);
  free(labels);
  sph_mlp_free(mlp);
  return 0;
}

int main(int argc, char **argv)
{
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  size_t steps = argc > 2 ? (size_t)atol(argv[2]) : 2000;
  size_t samples = argc > 3 ? (size_t)atol(argv[3]) : 60000;
  if (threads < 1 || steps < 1 || samples < 128) {
    fprintf(stderr, "usage: bench-learn [THREADS [MLP_STEPS [SAMPLES]]]\n");
    return 2;
  }
  sph_learn_set_threads(threads); /* products below 4 M multiply-adds stay on one thread */
  printf("# sphaera learn, float32, up to %d OpenBLAS thread(s)\n", threads);
  if (bench_mlp(steps) != 0 || bench_classifier(samples) != 0)
    return 1;
  return 0;
}
