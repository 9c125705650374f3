/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/colormap.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include "colormap_tables.inc"

typedef struct {
  const char *name;
  const uint8_t *table;
} ColormapEntry;

/* Indexed by SphColormap. */
static const ColormapEntry colormaps[SPH_CMAP_COUNT] = {
  [SPH_CMAP_VIRIDIS] = {"viridis", cmap_viridis},
  [SPH_CMAP_PLANCK] = {"planck", cmap_planck},
  [SPH_CMAP_GREYS] = {"greys", cmap_greys},
  [SPH_CMAP_MAGMA] = {"magma", cmap_magma},
  [SPH_CMAP_RDBU] = {"rdbu", cmap_rdbu},
};

static bool colormap_valid(SphColormap cmap)
{
  return (int)cmap >= 0 && cmap < SPH_CMAP_COUNT;
}

const uint8_t *sph_colormap_table(SphColormap cmap)
{
  return colormap_valid(cmap) ? colormaps[cmap].table : NULL;
}

const char *sph_colormap_name(SphColormap cmap)
{
  return colormap_valid(cmap) ? colormaps[cmap].name : NULL;
}

bool sph_colormap_from_name(const char *name, SphColormap *cmap)
{
  if (name == NULL)
    return false;
  for (int i = 0; i < SPH_CMAP_COUNT; i++) {
    if (strcasecmp(name, colormaps[i].name) == 0) {
      if (cmap != NULL)
        *cmap = (SphColormap)i;
      return true;
    }
  }
  /* The names matplotlib and healpy users type. */
  static const struct {
    const char *alias;
    SphColormap cmap;
  } aliases[] = {
    {"gray", SPH_CMAP_GREYS},
    {"grey", SPH_CMAP_GREYS},
    {"grays", SPH_CMAP_GREYS},
  };
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
    if (strcasecmp(name, aliases[i].alias) == 0) {
      if (cmap != NULL)
        *cmap = aliases[i].cmap;
      return true;
    }
  }
  return false;
}

int sph_colormap_index(double t)
{
  /* NaN compares false both ways and lands on 0, the low end. */
  if (!(t > 0.0))
    return 0;
  if (t >= 1.0)
    return SPH_CMAP_SIZE - 1;
  return (int)floor(t * (SPH_CMAP_SIZE - 1) + 0.5);
}
