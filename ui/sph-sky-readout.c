/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-sky-readout.h"

#include <math.h>

#include "sphaera/coords.h"
#include "sphaera/healpix.h"

void sph_sky_readout_lonlat_names(SphCoordSys coordsys, const char **lon, const char **lat)
{
  switch (coordsys) {
  case SPH_COORD_GALACTIC:
    *lon = "l";
    *lat = "b";
    return;
  case SPH_COORD_EQUATORIAL:
    *lon = "RA";
    *lat = "Dec";
    return;
  case SPH_COORD_ECLIPTIC:
    *lon = "λ";
    *lat = "β";
    return;
  case SPH_COORD_UNKNOWN:
  default:
    *lon = "lon";
    *lat = "lat";
    return;
  }
}

char *sph_sky_readout_text(const SphMap *map, int field, double theta, double phi)
{
  return sph_sky_readout_text_in_frame(map, field, theta, phi, SPH_COORD_UNKNOWN);
}

char *sph_sky_readout_text_in_frame(const SphMap *map, int field, double theta, double phi,
                                    SphCoordSys view_frame)
{
  g_return_val_if_fail(map != NULL && field >= 0 && field < map->nfields, NULL);
  double theta_deg = theta * (180.0 / G_PI);
  double phi_deg = phi * (180.0 / G_PI);
  /* The direction's longitude and latitude in the frame the view shows. */
  SphCoordSys frame = map->coordsys;
  double lon_deg = phi_deg, lat_deg = 90.0 - theta_deg;
  double m[3][3];
  if (view_frame != SPH_COORD_UNKNOWN && view_frame != map->coordsys &&
      sph_coord_matrix(map->coordsys, view_frame, m)) {
    double v[3] = { sin(theta) * cos(phi), sin(theta) * sin(phi), cos(theta) };
    double w[3];
    for (int i = 0; i < 3; i++)
      w[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
    lon_deg = atan2(w[1], w[0]) * (180.0 / G_PI);
    if (lon_deg < 0.0)
      lon_deg += 360.0;
    if (lon_deg >= 360.0 - 5e-4)
      lon_deg = 0.0; /* "0.000", not "360.000" */
    lat_deg = atan2(w[2], hypot(w[0], w[1])) * (180.0 / G_PI);
    frame = view_frame;
  }
  if (fabs(lat_deg) < 5e-4)
    lat_deg = 0.0; /* "+0.000", not "-0.000", on the equator */
  const char *lon_name, *lat_name;
  sph_sky_readout_lonlat_names(frame, &lon_name, &lat_name);

  GString *text = g_string_new(NULL);
  g_string_append_printf(text, "θ %7.3f°  φ %7.3f°   %s %7.3f°  %s %+7.3f°", theta_deg,
                         phi_deg, lon_name, lon_deg, lat_name, lat_deg);

  int64_t ring = sph_hp_ang2pix_ring(map->nside, theta, phi);
  int64_t nest = sph_hp_ring2nest(map->nside, ring);
  g_string_append_printf(text, "   pixel %" G_GINT64_FORMAT " (RING) %" G_GINT64_FORMAT " (NEST)",
                         ring, nest);
  const SphMapField *f = &map->fields[field];
  double value = f->values[map->ordering == SPH_ORDER_RING ? ring : nest];
  if (sph_hp_is_unseen(value))
    g_string_append(text, "   UNSEEN");
  else
    g_string_append_printf(text, "   %s %.6g%s%s", f->name, value, f->unit[0] != '\0' ? " " : "",
                           f->unit);
  return g_string_free(text, FALSE);
}
