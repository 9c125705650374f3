/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sphaera/error.h"
#include "sphaera/fits_map.h"
#include "sphaera/map.h"

/* The pieces of sphaera-cli shared between its entry point (sphaera-cli.c) and its
 * commands (cli-commands.c). A command returns the process exit status: 0 on success,
 * 1 after printing one line "sphaera-cli: ..." on stderr. */

#define CLI_NAME "sphaera-cli"

typedef struct {
  const char *name;
  const char *summary; /* one line for the global usage */
  const char *usage;   /* the command's --help text */
  int (*run)(int argc, char **argv);
} CliCommand;

extern const CliCommand cli_commands[];
extern const int cli_command_count;

/* Prints "sphaera-cli: <message>" to stderr and returns 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "sphaera-cli: <err's message>" and returns 1. */
int cli_fail_error(const SphError *err);

/* Strict number parsing: the whole text, finite, in range; false otherwise. */
bool cli_parse_int64(const char *text, int64_t min, int64_t max, int64_t *value);
bool cli_parse_double(const char *text, double *value);

/* ---- shared by the commands (cli-commands.c) ---- */

typedef struct {
  const char *command;
  const char *usage;
} CliContext;

/* Reports getopt_long's '?' or ':' for the option at argv[optind - 1]; returns 1. */
int cli_option_error(const CliContext *ctx, int c, char **argv);
/* With too few or too many file arguments: the usage on stderr, status 1. */
int cli_usage_error(const CliContext *ctx, int nargs, int want);
/* The command's usage on stdout; returns 0. */
int cli_help(const CliContext *ctx);
/* ---- option parsing shared by the command families (cli-options.c) ---- */

struct option;

/* Copies into `selected` the options of `all` (ended by a zero entry) that `allowed`
 * names (space-separated whole words), and always "help", then the zero entry;
 * `selected` has room for all of `all`. */
void cli_options_select(const struct option *all, const char *allowed, struct option *selected);
/* Starts parsing a command's argv afresh, with getopt's own messages off: the caller
 * reports through cli_option_error. */
void cli_getopt_begin(void);
/* The next option, as getopt_long with -h as the only short option; -1 at the end. */
int cli_getopt(int argc, char **argv, const struct option *opts);
/* After the options: with min_files..max_files arguments left, stores the first one's
 * index in *first and returns -1; otherwise the usage error (status 1). */
int cli_file_args(const CliContext *ctx, int argc, int min_files, int max_files, int *first);
/* sph_fits_read_map() with the path in every message. */
SphMap *cli_read_map(const char *path, SphFitsType *stored_type, SphError *err);
/* Whether the map has this field; prints the failure when not. */
bool cli_field_exists(const char *path, const SphMap *map, int64_t field);

/* render (cli-render.c) */
extern const char cli_render_usage[];
int cli_run_render(int argc, char **argv);

/* spherical harmonic commands (cli-sht.c), listed and dispatched after cli_commands */
extern const CliCommand cli_sht_commands[];
extern const int cli_sht_command_count;
/* bench sht (cli-sht-bench.c), listed among the spherical harmonic commands */
extern const char cli_bench_sht_usage[];
int cli_run_bench_sht(int argc, char **argv);

/* wavelet commands (cli-wavelet.c), listed and dispatched after cli_sht_commands */
extern const CliCommand cli_wavelet_commands[];
extern const int cli_wavelet_command_count;

/* inference commands (cli-infer.c), listed and dispatched after cli_wavelet_commands */
extern const CliCommand cli_infer_commands[];
extern const int cli_infer_command_count;

/* learning commands (cli-learn.c), listed and dispatched after cli_infer_commands */
extern const CliCommand cli_learn_commands[];
extern const int cli_learn_command_count;
/* train --task regression (cli-learn-regression.c), dispatched from cli-learn.c's train */
bool cli_train_task_is_regression(int argc, char **argv);
int cli_train_regression(int argc, char **argv);
/* predict for a regression model (cli-learn-regression.c), from cli-learn.c's predict */
int cli_predict_regression(const char *model_path, const char *input, uint64_t seed);

/* inference figures (cli-figures.c), listed and dispatched after cli_learn_commands */
extern const CliCommand cli_figure_commands[];
extern const int cli_figure_command_count;
