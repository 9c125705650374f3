/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-view-settings.h"

#include <errno.h>
#include <string.h>

#define VIEW_GROUP "view"
#define RECENT_GROUP "recent"

void sph_view_settings_init(SphViewSettings *settings)
{
  settings->cmap = SPH_CMAP_VIRIDIS;
  settings->norm = SPH_NORM_LINEAR;
  settings->projection = SPH_PROJ_MOLLWEIDE;
  settings->graticule = FALSE;
  settings->percentile_range = FALSE;
  settings->flip = SPH_FLIP_ASTRO;
  settings->frame = SPH_COORD_UNKNOWN;
}

const char *sph_view_frame_name(SphCoordSys frame)
{
  switch (frame) {
  case SPH_COORD_UNKNOWN:
    return "map";
  case SPH_COORD_GALACTIC:
    return "galactic";
  case SPH_COORD_EQUATORIAL:
    return "equatorial";
  case SPH_COORD_ECLIPTIC:
    return "ecliptic";
  default:
    return NULL;
  }
}

char *sph_settings_default_path(void)
{
  return g_build_filename(g_get_user_config_dir(), "sphaera", "settings.ini", NULL);
}

/* The file's groups, or an empty key file when it does not exist yet. */
static GKeyFile *open_key_file(const char *path, GError **error)
{
  GKeyFile *file = g_key_file_new();
  GError *local = NULL;
  if (!g_key_file_load_from_file(file, path, G_KEY_FILE_KEEP_COMMENTS, &local)) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      g_clear_error(&local);
      return file;
    }
    g_propagate_prefixed_error(error, local, "%s: ", path);
    g_key_file_free(file);
    return NULL;
  }
  return file;
}

static gboolean write_key_file(GKeyFile *file, const char *path, GError **error)
{
  char *dir = g_path_get_dirname(path);
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                "%s: cannot create the folder: %s", dir, g_strerror(errno));
    g_free(dir);
    return FALSE;
  }
  g_free(dir);
  return g_key_file_save_to_file(file, path, error);
}

static int name_index(GKeyFile *file, const char *key, const char *(*name_of)(int), int count,
                      int fallback)
{
  char *value = g_key_file_get_string(file, VIEW_GROUP, key, NULL);
  int found = fallback;
  for (int i = 0; value != NULL && i < count; i++) {
    const char *name = name_of(i);
    if (name != NULL && g_ascii_strcasecmp(name, value) == 0)
      found = i;
  }
  g_free(value);
  return found;
}

static const char *cmap_name(int i)
{
  return sph_colormap_name((SphColormap)i);
}

static const char *norm_name(int i)
{
  return sph_norm_name((SphNorm)i);
}

static const char *projection_name(int i)
{
  return sph_projection_kind_name((SphProjectionKind)i);
}

static const char *frame_name(int i)
{
  return sph_view_frame_name((SphCoordSys)i);
}

static const char *flip_name(int i)
{
  return i == SPH_FLIP_ASTRO ? "astro" : i == SPH_FLIP_GEO ? "geo" : NULL;
}

static gboolean read_boolean(GKeyFile *file, const char *key, gboolean fallback)
{
  GError *error = NULL;
  gboolean value = g_key_file_get_boolean(file, VIEW_GROUP, key, &error);
  if (error != NULL) {
    g_error_free(error);
    return fallback;
  }
  return value;
}

gboolean sph_view_settings_load(const char *path, SphViewSettings *settings, GError **error)
{
  sph_view_settings_init(settings);
  GKeyFile *file = open_key_file(path, error);
  if (file == NULL)
    return FALSE;
  settings->cmap = (SphColormap)name_index(file, "colormap", cmap_name, SPH_CMAP_COUNT,
                                           SPH_CMAP_VIRIDIS);
  settings->norm = (SphNorm)name_index(file, "scale", norm_name, SPH_NORM_COUNT,
                                       SPH_NORM_LINEAR);
  settings->projection = (SphProjectionKind)name_index(file, "projection", projection_name,
                                                       SPH_PROJ_COUNT, SPH_PROJ_MOLLWEIDE);
  settings->graticule = read_boolean(file, "graticule", FALSE);
  settings->percentile_range = read_boolean(file, "percentile-range", FALSE);
  settings->flip = (SphFlip)name_index(file, "flip", flip_name, 2, SPH_FLIP_ASTRO);
  settings->frame = (SphCoordSys)name_index(file, "frame", frame_name, SPH_COORD_ECLIPTIC + 1,
                                            SPH_COORD_UNKNOWN);
  g_key_file_free(file);
  return TRUE;
}

gboolean sph_view_settings_save(const char *path, const SphViewSettings *settings,
                                GError **error)
{
  GKeyFile *file = open_key_file(path, error);
  if (file == NULL)
    return FALSE;
  g_key_file_set_string(file, VIEW_GROUP, "colormap", sph_colormap_name(settings->cmap));
  g_key_file_set_string(file, VIEW_GROUP, "scale", sph_norm_name(settings->norm));
  g_key_file_set_string(file, VIEW_GROUP, "projection",
                        sph_projection_kind_name(settings->projection));
  g_key_file_set_boolean(file, VIEW_GROUP, "graticule", settings->graticule);
  g_key_file_set_boolean(file, VIEW_GROUP, "percentile-range", settings->percentile_range);
  g_key_file_set_string(file, VIEW_GROUP, "flip", flip_name(settings->flip));
  g_key_file_set_string(file, VIEW_GROUP, "frame", sph_view_frame_name(settings->frame));
  gboolean ok = write_key_file(file, path, error);
  g_key_file_free(file);
  return ok;
}

char **sph_recent_files_load(const char *path)
{
  GKeyFile *file = open_key_file(path, NULL);
  char **files = NULL;
  if (file != NULL) {
    files = g_key_file_get_string_list(file, RECENT_GROUP, "files", NULL, NULL);
    g_key_file_free(file);
  }
  return files != NULL ? files : g_new0(char *, 1);
}

gboolean sph_recent_files_add(const char *path, const char *recent, GError **error)
{
  GKeyFile *file = open_key_file(path, error);
  if (file == NULL)
    return FALSE;
  char **old = g_key_file_get_string_list(file, RECENT_GROUP, "files", NULL, NULL);
  GPtrArray *list = g_ptr_array_new();
  g_ptr_array_add(list, (gpointer)recent);
  for (char **f = old; f != NULL && *f != NULL && list->len < SPH_RECENT_FILES_MAX; f++)
    if (strcmp(*f, recent) != 0)
      g_ptr_array_add(list, *f);
  g_key_file_set_string_list(file, RECENT_GROUP, "files", (const char *const *)list->pdata,
                             list->len);
  g_ptr_array_free(list, TRUE);
  g_strfreev(old);
  gboolean ok = write_key_file(file, path, error);
  g_key_file_free(file);
  return ok;
}
