/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scratch directories for the test programs: one per test case under the program's
 * temporary root, removed (with everything in it, read-only bits and all) at the end. */
#pragma once

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory root/name; asserts it could be made. */
static inline char *sph_test_subdir(const char *root, const char *name)
{
  char *dir = g_build_filename(root, name, NULL);
  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  return dir;
}

/* Removes path and, when it is a directory, all below it; tests chmod directories to
 * provoke write errors, so each one is made writable again before it is removed. */
static inline void sph_test_remove_tree(const char *path)
{
  GDir *dir = g_dir_open(path, 0, NULL);
  if (dir != NULL) {
    const char *name;
    while ((name = g_dir_read_name(dir)) != NULL) {
      char *child = g_build_filename(path, name, NULL);
      sph_test_remove_tree(child);
      g_free(child);
    }
    g_dir_close(dir);
    g_chmod(path, 0755);
    g_rmdir(path);
  } else {
    g_remove(path);
  }
}

/* How many entries dir_path holds: atomic writers must leave no temporary behind. */
static inline int sph_test_count_entries(const char *dir_path)
{
  GDir *dir = g_dir_open(dir_path, 0, NULL);
  g_assert_nonnull(dir);
  int n = 0;
  while (g_dir_read_name(dir) != NULL)
    n++;
  g_dir_close(dir);
  return n;
}

/* A file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so write() fails with EFBIG)
 * that makes a large write run out of room the way a full disk would. */
typedef struct {
  struct rlimit saved;
  void (*old_handler)(int);
} SphTestFileLimit;

static inline void sph_test_file_limit_begin(SphTestFileLimit *limit, rlim_t max_bytes)
{
  g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &limit->saved), ==, 0);
  limit->old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit limited = { max_bytes, limit->saved.rlim_max };
  g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &limited), ==, 0);
}

static inline void sph_test_file_limit_end(SphTestFileLimit *limit)
{
  g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &limit->saved), ==, 0);
  signal(SIGXFSZ, limit->old_handler);
}

/* Sends stdout and stderr into log_path until sph_test_stdio_capture_end, which asserts
 * nothing was written there: the library never prints. */
typedef struct {
  int fd, saved_out, saved_err;
} SphTestStdioCapture;

static inline void sph_test_stdio_capture_begin(SphTestStdioCapture *capture,
                                                const char *log_path)
{
  capture->fd = g_open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint(capture->fd, >=, 0);
  fflush(stdout);
  fflush(stderr);
  capture->saved_out = dup(1);
  capture->saved_err = dup(2);
  dup2(capture->fd, 1);
  dup2(capture->fd, 2);
}

static inline void sph_test_stdio_capture_end_silent(SphTestStdioCapture *capture,
                                                     const char *log_path)
{
  fflush(stdout);
  fflush(stderr);
  dup2(capture->saved_out, 1);
  dup2(capture->saved_err, 2);
  close(capture->saved_out);
  close(capture->saved_err);
  close(capture->fd);
  struct stat st;
  g_assert_cmpint(g_stat(log_path, &st), ==, 0);
  g_assert_cmpint(st.st_size, ==, 0);
}

/* Runs a program (searched in PATH) that reads the files a test wrote, its stdout
 * discarded; false after g_test_skip() when it is not installed, and a failing run
 * aborts the test with its stderr. */
static inline bool sph_test_run_tool(const char *program, char **argv)
{
  char *found = g_find_program_in_path(program);
  if (found == NULL) {
    g_test_skip(program);
    return false;
  }
  g_free(found);
  int wait_status = 0;
  char *errout = NULL;
  GError *error = NULL;
  g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                             NULL, NULL, NULL, &errout, &wait_status, &error));
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(wait_status, NULL))
    g_error("%s failed: %s", program, errout);
  g_free(errout);
  return true;
}
