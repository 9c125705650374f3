/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli: the headless face of Sphaera. It reads the arguments, runs one command
 * from cli-commands.c and turns a SphError into one line on stderr and exit status 1. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sph-figure.h"

#ifndef SPH_VERSION
#error "the build passes SPH_VERSION (the project version)"
#endif

int cli_fail(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs(CLI_NAME ": ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 1;
}

int cli_fail_error(const SphError *err)
{
  const char *message = err->message[0] != '\0' ? err->message : sph_status_name(err->code);
  /* One line, whatever the library wrote. */
  fputs(CLI_NAME ": ", stderr);
  for (const char *c = message; *c != '\0'; c++)
    fputc(*c == '\n' ? ' ' : *c, stderr);
  fputc('\n', stderr);
  return 1;
}

bool cli_parse_int64(const char *text, int64_t min, int64_t max, int64_t *value)
{
  if (text == NULL || text[0] == '\0')
    return false;
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
    return false;
  *value = v;
  return true;
}

bool cli_parse_double(const char *text, double *value)
{
  if (text == NULL || text[0] == '\0')
    return false;
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (errno == ERANGE || end == text || *end != '\0' || !isfinite(v))
    return false;
  *value = v;
  return true;
}

static void print_usage(FILE *out)
{
  fprintf(out,
          "Usage: " CLI_NAME " [--help] [--version] COMMAND [ARGS...]\n"
          "\n"
          "Sphaera's command-line tool: HEALPix maps in FITS files, as healpy reads and\n"
          "writes them. Fields are numbered from 0, as healpy's field argument.\n"
          "\n"
          "Commands:\n");
  for (int i = 0; i < cli_command_count; i++)
    fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
  for (int i = 0; i < cli_sht_command_count; i++)
    fprintf(out, "  %-10s %s\n", cli_sht_commands[i].name, cli_sht_commands[i].summary);
  for (int i = 0; i < cli_wavelet_command_count; i++)
    fprintf(out, "  %-10s %s\n", cli_wavelet_commands[i].name, cli_wavelet_commands[i].summary);
  for (int i = 0; i < cli_infer_command_count; i++)
    fprintf(out, "  %-10s %s\n", cli_infer_commands[i].name, cli_infer_commands[i].summary);
  for (int i = 0; i < cli_learn_command_count; i++)
    fprintf(out, "  %-10s %s\n", cli_learn_commands[i].name, cli_learn_commands[i].summary);
  for (int i = 0; i < cli_figure_command_count; i++)
    fprintf(out, "  %-10s %s\n", cli_figure_commands[i].name, cli_figure_commands[i].summary);
  fprintf(out, "\n"
               "Run '" CLI_NAME " COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    print_usage(stderr);
    return 1;
  }
  const char *first = argv[1];
  if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0 || strcmp(first, "help") == 0) {
    if (strcmp(first, "help") == 0 && argc > 2) {
      for (int i = 0; i < cli_command_count; i++) {
        if (strcmp(argv[2], cli_commands[i].name) == 0) {
          fputs(cli_commands[i].usage, stdout);
          return 0;
        }
      }
      for (int i = 0; i < cli_sht_command_count; i++) {
        if (strcmp(argv[2], cli_sht_commands[i].name) == 0) {
          fputs(cli_sht_commands[i].usage, stdout);
          return 0;
        }
      }
      for (int i = 0; i < cli_wavelet_command_count; i++) {
        if (strcmp(argv[2], cli_wavelet_commands[i].name) == 0) {
          fputs(cli_wavelet_commands[i].usage, stdout);
          return 0;
        }
      }
      for (int i = 0; i < cli_infer_command_count; i++) {
        if (strcmp(argv[2], cli_infer_commands[i].name) == 0) {
          fputs(cli_infer_commands[i].usage, stdout);
          return 0;
        }
      }
      for (int i = 0; i < cli_learn_command_count; i++) {
        if (strcmp(argv[2], cli_learn_commands[i].name) == 0) {
          fputs(cli_learn_commands[i].usage, stdout);
          return 0;
        }
      }
      for (int i = 0; i < cli_figure_command_count; i++) {
        if (strcmp(argv[2], cli_figure_commands[i].name) == 0) {
          fputs(cli_figure_commands[i].usage, stdout);
          return 0;
        }
      }
      return cli_fail("unknown command '%s' (see '" CLI_NAME " --help')", argv[2]);
    }
    print_usage(stdout);
    return 0;
  }
  if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
    printf(CLI_NAME " " SPH_VERSION "\n");
    return 0;
  }
  if (first[0] == '-')
    return cli_fail("unknown option '%s' (see '" CLI_NAME " --help')", first);
  for (int i = 0; i < cli_command_count; i++) {
    if (strcmp(first, cli_commands[i].name) == 0) {
      int status = cli_commands[i].run(argc - 1, argv + 1);
      sph_figure_shutdown();
      return status;
    }
  }
  for (int i = 0; i < cli_sht_command_count; i++)
    if (strcmp(first, cli_sht_commands[i].name) == 0)
      return cli_sht_commands[i].run(argc - 1, argv + 1);
  for (int i = 0; i < cli_wavelet_command_count; i++)
    if (strcmp(first, cli_wavelet_commands[i].name) == 0)
      return cli_wavelet_commands[i].run(argc - 1, argv + 1);
  for (int i = 0; i < cli_infer_command_count; i++)
    if (strcmp(first, cli_infer_commands[i].name) == 0)
      return cli_infer_commands[i].run(argc - 1, argv + 1);
  for (int i = 0; i < cli_learn_command_count; i++)
    if (strcmp(first, cli_learn_commands[i].name) == 0)
      return cli_learn_commands[i].run(argc - 1, argv + 1);
  for (int i = 0; i < cli_figure_command_count; i++) {
    if (strcmp(first, cli_figure_commands[i].name) == 0) {
      int status = cli_figure_commands[i].run(argc - 1, argv + 1);
      sph_figure_shutdown();
      return status;
    }
  }
  return cli_fail("unknown command '%s' (see '" CLI_NAME " --help')", first);
}
