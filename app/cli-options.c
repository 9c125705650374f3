/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Option parsing shared by the command families that keep one table of every option
 * they know and let each command accept the ones its usage lists. */
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "cli.h"

/* Whether the space-separated list names `name` as a whole word ("logp" is not in
 * "logp-out"). */
static bool names_option(const char *allowed, const char *name)
{
  size_t len = strlen(name);
  for (const char *hit = strstr(allowed, name); hit != NULL; hit = strstr(hit + 1, name))
    if ((hit == allowed || hit[-1] == ' ') && (hit[len] == ' ' || hit[len] == '\0'))
      return true;
  return false;
}

void cli_options_select(const struct option *all, const char *allowed, struct option *selected)
{
  int n = 0;
  for (const struct option *o = all; o->name != NULL; o++)
    if (strcmp(o->name, "help") == 0 || names_option(allowed, o->name))
      selected[n++] = *o;
  selected[n] = (struct option){0, 0, 0, 0};
}

void cli_getopt_begin(void)
{
  optind = 0;
  opterr = 0;
}

int cli_getopt(int argc, char **argv, const struct option *opts)
{
  return getopt_long(argc, argv, ":h", opts, NULL);
}

int cli_file_args(const CliContext *ctx, int argc, int min_files, int max_files, int *first)
{
  int nargs = argc - optind;
  if (nargs < min_files)
    return cli_usage_error(ctx, nargs, min_files);
  if (nargs > max_files)
    return cli_usage_error(ctx, nargs, max_files);
  *first = optind;
  return -1;
}
