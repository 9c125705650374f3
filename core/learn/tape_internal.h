/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
/* The recorded variable and the helpers the operation files share. */
#include <stdint.h>

#include "sphaera/autodiff.h"

struct SphVar {
  SphTensor *value;
  SphTensor *grad; /* NULL when nothing upstream needs a gradient */
  bool on_tape;
  /* How to push grad back to in[]; NULL for leaves. */
  void (*backward)(SphVar *self);
  SphVar *in[3];
  SphTensor *aux, *aux2; /* saved forward quantities */
  double scalar;
  int kind;
  int32_t *labels;
};

/* Records a new variable of the given shape and dtype whose inputs are in[0..nin);
 * NULL (with the tape's error set) when an input is NULL or memory is short. */
SphVar *tape_record(SphTape *tape, SphDType dtype, int ndim, const size_t *shape,
                    SphVar *const *in, int nin, void (*backward)(SphVar *self));
/* Records the first error of a forward pass; returns NULL for the caller to pass on. */
SphVar *tape_fail(SphTape *tape, SphStatus code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Checks a and b share a dtype; records the error otherwise. */
bool tape_same_dtype(SphTape *tape, const char *op, const SphVar *a, const SphVar *b);
/* A scratch tensor owned by v (aux or aux2), contents undefined; NULL on no memory (tape error set). */
SphTensor *tape_aux(SphTape *tape, SphVar *v, int slot, int ndim, const size_t *shape);
