/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SphMap: construction, reordering against the pixel functions, ud_grade against
 * analytic means (healpy's ud_grade on real data is checked in test-fits-map, which
 * can read the WMAP map), and field statistics against sums done here. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/map.h"

static SphMap *new_map(int64_t nside, SphOrdering ordering, int nfields)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new(nside, ordering, nfields, &err);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_nonnull(map);
  return map;
}

static void fill_random(SphMap *map, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed(seed);
  for (int f = 0; f < map->nfields; f++)
    for (int64_t p = 0; p < map->npix; p++)
      map->fields[f].values[p] = g_rand_double_range(rand, -5.0, 5.0);
  g_rand_free(rand);
}

static void test_new(void)
{
  SphMap *map = new_map(4, SPH_ORDER_NEST, 3);
  g_assert_cmpint(map->nside, ==, 4);
  g_assert_cmpint(map->npix, ==, 192);
  g_assert_cmpint(map->ordering, ==, SPH_ORDER_NEST);
  g_assert_cmpint(map->coordsys, ==, SPH_COORD_UNKNOWN);
  g_assert_cmpint(map->nfields, ==, 3);
  g_assert_cmpstr(map->fields[0].name, ==, "FIELD1");
  g_assert_cmpstr(map->fields[2].name, ==, "FIELD3");
  for (int f = 0; f < 3; f++) {
    g_assert_cmpstr(map->fields[f].unit, ==, "");
    g_assert_cmpuint((guintptr)map->fields[f].values % 64, ==, 0);
    for (int64_t p = 0; p < map->npix; p++)
      g_assert_cmpfloat(map->fields[f].values[p], ==, 0.0);
  }
  sph_map_free(map);
  sph_map_free(NULL);
}

static void test_new_rejects_bad_arguments(void)
{
  SphError err = SPH_ERROR_INIT;
  g_assert_null(sph_map_new(300, SPH_ORDER_RING, 1, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "NSIDE=300"));
  g_assert_nonnull(strstr(err.message, "power of two"));
  sph_error_clear(&err);
  g_assert_null(sph_map_new(0, SPH_ORDER_RING, 1, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  sph_error_clear(&err);
  g_assert_null(sph_map_new(8, SPH_ORDER_RING, 0, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "0 fields"));
  sph_error_clear(&err);
  g_assert_null(sph_map_new(8, (SphOrdering)7, 1, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
}

static void test_copy_and_labels(void)
{
  SphMap *map = new_map(2, SPH_ORDER_RING, 2);
  fill_random(map, 1);
  map->coordsys = SPH_COORD_GALACTIC;
  sph_map_set_field_name(map, 0, "TEMPERATURE");
  sph_map_set_field_unit(map, 0, "K_CMB");
  sph_map_set_field_name(map, 1, NULL);
  sph_map_set_field_unit(map, 5, "ignored"); /* out of range: no effect, no crash */
  char long_name[200];
  memset(long_name, 'x', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  sph_map_set_field_unit(map, 1, long_name);
  g_assert_cmpuint(strlen(map->fields[1].unit), ==, SPH_MAP_NAME_MAX - 1);
  g_assert_cmpstr(map->fields[1].name, ==, "");

  SphError err = SPH_ERROR_INIT;
  SphMap *copy = sph_map_copy(map, &err);
  g_assert_nonnull(copy);
  g_assert_cmpint(copy->coordsys, ==, SPH_COORD_GALACTIC);
  g_assert_cmpstr(copy->fields[0].name, ==, "TEMPERATURE");
  g_assert_cmpstr(copy->fields[0].unit, ==, "K_CMB");
  g_assert_cmpstr(copy->fields[1].unit, ==, map->fields[1].unit);
  g_assert_true(copy->fields[0].values != map->fields[0].values);
  g_assert_cmpmem(copy->fields[1].values, 48 * sizeof(double), map->fields[1].values,
                  48 * sizeof(double));
  copy->fields[0].values[0] = 42.0;
  g_assert_cmpfloat(map->fields[0].values[0], !=, 42.0);
  sph_map_free(copy);
  sph_map_free(map);
}

/* A map whose values are their own RING indices shows the permutation directly. */
static void test_reorder_matches_pixel_functions(void)
{
  const int64_t nsides[] = { 1, 2, 4, 32, 128 };
  for (size_t i = 0; i < G_N_ELEMENTS(nsides); i++) {
    int64_t nside = nsides[i];
    SphMap *map = new_map(nside, SPH_ORDER_RING, 2);
    for (int64_t p = 0; p < map->npix; p++) {
      map->fields[0].values[p] = (double)p;
      map->fields[1].values[p] = -(double)p;
    }
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_map_reorder(map, SPH_ORDER_NEST, &err), ==, SPH_OK);
    g_assert_cmpint(map->ordering, ==, SPH_ORDER_NEST);
    for (int64_t n = 0; n < map->npix; n++) {
      g_assert_cmpfloat(map->fields[0].values[n], ==, (double)sph_hp_nest2ring(nside, n));
      g_assert_cmpfloat(map->fields[1].values[n], ==, -(double)sph_hp_nest2ring(nside, n));
    }
    for (int64_t r = 0; r < map->npix; r += 7)
      g_assert_cmpfloat(map->fields[0].values[sph_hp_ring2nest(nside, r)], ==, (double)r);
    g_assert_cmpint(sph_map_reorder(map, SPH_ORDER_RING, &err), ==, SPH_OK);
    for (int64_t p = 0; p < map->npix; p++)
      g_assert_cmpfloat(map->fields[0].values[p], ==, (double)p);
    sph_map_free(map);
  }
}

static void test_reorder_round_trip(void)
{
  SphMap *map = new_map(64, SPH_ORDER_NEST, 3);
  fill_random(map, 7);
  map->fields[1].values[5] = SPH_UNSEEN;
  map->fields[2].values[9] = NAN;
  SphError err = SPH_ERROR_INIT;
  SphMap *orig = sph_map_copy(map, &err);
  g_assert_cmpint(sph_map_reorder(map, SPH_ORDER_NEST, &err), ==, SPH_OK); /* no-op */
  g_assert_cmpmem(map->fields[0].values, 8 * map->npix, orig->fields[0].values, 8 * map->npix);
  g_assert_cmpint(sph_map_reorder(map, SPH_ORDER_RING, &err), ==, SPH_OK);
  g_assert_cmpint(sph_map_reorder(map, SPH_ORDER_NEST, &err), ==, SPH_OK);
  for (int f = 0; f < 3; f++)
    g_assert_cmpmem(map->fields[f].values, 8 * map->npix, orig->fields[f].values,
                    8 * map->npix);
  g_assert_cmpint(sph_map_reorder(map, (SphOrdering)5, &err), ==, SPH_ERR_INVALID);
  sph_map_free(orig);
  sph_map_free(map);
}

static SphMap *udgrade(const SphMap *map, int64_t nside)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *out = sph_map_udgrade(map, nside, &err);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_nonnull(out);
  g_assert_cmpint(out->nside, ==, nside);
  g_assert_cmpint(out->ordering, ==, map->ordering);
  return out;
}

/* Children of NEST parent q at ratio r are q r^2 .. q r^2 + r^2 - 1: with values equal
 * to their NEST index the mean is q r^2 + (r^2 - 1) / 2, in either ordering. */
static void test_degrade_gives_mean_of_children(void)
{
  for (int ordering = SPH_ORDER_RING; ordering <= SPH_ORDER_NEST; ordering++) {
    SphMap *map = new_map(16, SPH_ORDER_NEST, 1);
    for (int64_t p = 0; p < map->npix; p++)
      map->fields[0].values[p] = (double)p;
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_map_reorder(map, (SphOrdering)ordering, &err), ==, SPH_OK);
    for (int64_t nside_out = 8; nside_out >= 1; nside_out /= 2) {
      SphMap *low = udgrade(map, nside_out);
      g_assert_cmpint(sph_map_reorder(low, SPH_ORDER_NEST, &err), ==, SPH_OK);
      int64_t r2 = (16 / nside_out) * (16 / nside_out);
      for (int64_t q = 0; q < low->npix; q++)
        g_assert_cmpfloat(low->fields[0].values[q], ==, (double)(q * r2) + (double)(r2 - 1) / 2);
      sph_map_free(low);
    }
    sph_map_free(map);
  }
}

static void test_degrade_unseen(void)
{
  SphMap *map = new_map(4, SPH_ORDER_NEST, 1);
  double *v = map->fields[0].values;
  for (int64_t p = 0; p < map->npix; p++)
    v[p] = 1.0;
  /* parent 0: two children missing, one of them NaN */
  v[0] = 2.0, v[1] = SPH_UNSEEN, v[2] = NAN, v[3] = 6.0;
  /* parent 1: all missing, one as the float32-rounded UNSEEN a float file holds */
  v[4] = SPH_UNSEEN, v[5] = (double)(float)SPH_UNSEEN, v[6] = NAN, v[7] = SPH_UNSEEN;
  /* parent 2: an infinity is not averaged, as in healpy */
  v[8] = INFINITY, v[9] = 3.0, v[10] = 3.0, v[11] = 6.0;
  SphMap *low = udgrade(map, 2);
  g_assert_cmpfloat(low->fields[0].values[0], ==, 4.0);
  g_assert_cmpfloat(low->fields[0].values[1], ==, SPH_UNSEEN);
  g_assert_cmpfloat(low->fields[0].values[2], ==, 4.0);
  for (int64_t q = 3; q < low->npix; q++)
    g_assert_cmpfloat(low->fields[0].values[q], ==, 1.0);
  SphMap *lowest = udgrade(map, 1); /* seen among the 16: 2, 6, 3, 3, 6 and four 1s */
  g_assert_cmpfloat(lowest->fields[0].values[0], ==, (2.0 + 6.0 + 3.0 + 3.0 + 6.0 + 4.0) / 9.0);
  sph_map_free(lowest);
  sph_map_free(low);
  sph_map_free(map);
}

static void test_upgrade_copies_and_round_trips(void)
{
  for (int ordering = SPH_ORDER_RING; ordering <= SPH_ORDER_NEST; ordering++) {
    SphMap *map = new_map(8, (SphOrdering)ordering, 2);
    fill_random(map, 3);
    map->coordsys = SPH_COORD_ECLIPTIC;
    sph_map_set_field_name(map, 1, "Q_POLARISATION");
    sph_map_set_field_unit(map, 1, "uK");
    map->fields[0].values[17] = SPH_UNSEEN;
    /* integers keep the sum of copies exact, so degrading must give them back bit for bit */
    for (int64_t p = 0; p < map->npix; p++)
      map->fields[1].values[p] = (double)(p % 97) - 40.0;
    SphMap *high = udgrade(map, 32);
    g_assert_cmpint(high->coordsys, ==, SPH_COORD_ECLIPTIC);
    g_assert_cmpstr(high->fields[1].name, ==, "Q_POLARISATION");
    g_assert_cmpstr(high->fields[1].unit, ==, "uK");
    /* every child holds its parent's value: check through the NEST hierarchy */
    SphError err = SPH_ERROR_INIT;
    SphMap *high_nest = sph_map_copy(high, &err);
    SphMap *map_nest = sph_map_copy(map, &err);
    sph_map_reorder(high_nest, SPH_ORDER_NEST, &err);
    sph_map_reorder(map_nest, SPH_ORDER_NEST, &err);
    for (int64_t c = 0; c < high_nest->npix; c++)
      for (int f = 0; f < 2; f++)
        g_assert_cmpfloat(high_nest->fields[f].values[c], ==, map_nest->fields[f].values[c / 16]);
    SphMap *back = udgrade(high, 8);
    g_assert_cmpfloat(back->fields[0].values[17], ==, SPH_UNSEEN);
    for (int64_t p = 0; p < map->npix; p++) {
      double want = map->fields[0].values[p];
      g_assert_cmpfloat_with_epsilon(back->fields[0].values[p], want, 4e-15 * fabs(want) + 1e-300);
      g_assert_cmpfloat(back->fields[1].values[p], ==, map->fields[1].values[p]);
    }
    SphMap *same = udgrade(map, 8);
    g_assert_cmpmem(same->fields[0].values, 8 * map->npix, map->fields[0].values, 8 * map->npix);
    sph_map_free(same);
    sph_map_free(back);
    sph_map_free(map_nest);
    sph_map_free(high_nest);
    sph_map_free(high);
    sph_map_free(map);
  }
  SphError err = SPH_ERROR_INIT;
  SphMap *map = new_map(8, SPH_ORDER_RING, 1);
  g_assert_null(sph_map_udgrade(map, 6, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "NSIDE=6"));
  sph_map_free(map);
}

/* RING and NEST inputs must agree once brought to the same ordering. */
static void test_udgrade_ordering_independent(void)
{
  SphMap *ring = new_map(32, SPH_ORDER_RING, 1);
  fill_random(ring, 11);
  for (int64_t p = 0; p < ring->npix; p += 5)
    ring->fields[0].values[p] = SPH_UNSEEN;
  SphError err = SPH_ERROR_INIT;
  SphMap *nest = sph_map_copy(ring, &err);
  sph_map_reorder(nest, SPH_ORDER_NEST, &err);
  const int64_t targets[] = { 2, 8, 64 };
  for (size_t i = 0; i < G_N_ELEMENTS(targets); i++) {
    SphMap *a = udgrade(ring, targets[i]);
    SphMap *b = udgrade(nest, targets[i]);
    sph_map_reorder(b, SPH_ORDER_RING, &err);
    g_assert_cmpmem(a->fields[0].values, 8 * a->npix, b->fields[0].values, 8 * b->npix);
    sph_map_free(a);
    sph_map_free(b);
  }
  sph_map_free(nest);
  sph_map_free(ring);
}

static void test_stats(void)
{
  SphMap *map = new_map(4, SPH_ORDER_RING, 2);
  double *v = map->fields[0].values;
  double sum = 0.0, sumsq = 0.0;
  int64_t nseen = 0;
  for (int64_t p = 0; p < map->npix; p++) {
    if (p % 4 == 0) {
      v[p] = p % 8 == 0 ? SPH_UNSEEN : NAN;
      continue;
    }
    v[p] = (double)p - 100.0;
    sum += v[p];
    sumsq += v[p] * v[p];
    nseen++;
  }
  SphMapStats s;
  sph_map_field_stats(map, 0, &s);
  g_assert_cmpint(s.nseen, ==, nseen);
  g_assert_cmpint(s.nseen, ==, 144);
  g_assert_cmpfloat(s.unseen_fraction, ==, 0.25);
  g_assert_cmpfloat(s.min, ==, -99.0);
  g_assert_cmpfloat(s.max, ==, 191.0 - 100.0);
  g_assert_cmpfloat_with_epsilon(s.mean, sum / (double)nseen, 1e-12);
  g_assert_cmpfloat_with_epsilon(s.rms, sqrt(sumsq / (double)nseen), 1e-12);

  for (int64_t p = 0; p < map->npix; p++)
    map->fields[1].values[p] = SPH_UNSEEN;
  sph_map_field_stats(map, 1, &s);
  g_assert_cmpint(s.nseen, ==, 0);
  g_assert_cmpfloat(s.unseen_fraction, ==, 1.0);
  g_assert_true(isnan(s.min) && isnan(s.max) && isnan(s.mean) && isnan(s.rms));
  sph_map_field_stats(map, 2, &s); /* no such field */
  g_assert_cmpint(s.nseen, ==, 0);
  g_assert_true(isnan(s.mean));
  sph_map_free(map);
}

static void test_coordsys_and_ordering_names(void)
{
  const SphCoordSys all[] = { SPH_COORD_GALACTIC, SPH_COORD_EQUATORIAL, SPH_COORD_ECLIPTIC };
  for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
    g_assert_cmpint(sph_coordsys_from_letter(sph_coordsys_letter(all[i])), ==, all[i]);
  g_assert_cmpint(sph_coordsys_letter(SPH_COORD_GALACTIC), ==, 'G');
  g_assert_cmpint(sph_coordsys_letter(SPH_COORD_EQUATORIAL), ==, 'C');
  g_assert_cmpint(sph_coordsys_letter(SPH_COORD_ECLIPTIC), ==, 'E');
  g_assert_cmpint(sph_coordsys_letter(SPH_COORD_UNKNOWN), ==, 0);
  g_assert_cmpint(sph_coordsys_from_letter('Q'), ==, SPH_COORD_EQUATORIAL);
  g_assert_cmpint(sph_coordsys_from_letter('g'), ==, SPH_COORD_GALACTIC);
  g_assert_cmpint(sph_coordsys_from_letter('X'), ==, SPH_COORD_UNKNOWN);
  g_assert_cmpstr(sph_coordsys_name(SPH_COORD_GALACTIC), ==, "galactic");
  g_assert_cmpstr(sph_coordsys_name(SPH_COORD_EQUATORIAL), ==, "equatorial");
  g_assert_cmpstr(sph_coordsys_name(SPH_COORD_ECLIPTIC), ==, "ecliptic");
  g_assert_cmpstr(sph_coordsys_name(SPH_COORD_UNKNOWN), ==, "unknown");
  g_assert_cmpstr(sph_ordering_name(SPH_ORDER_RING), ==, "RING");
  g_assert_cmpstr(sph_ordering_name(SPH_ORDER_NEST), ==, "NESTED");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/map/new", test_new);
  g_test_add_func("/map/new-rejects-bad-arguments", test_new_rejects_bad_arguments);
  g_test_add_func("/map/copy-and-labels", test_copy_and_labels);
  g_test_add_func("/map/reorder/matches-pixel-functions", test_reorder_matches_pixel_functions);
  g_test_add_func("/map/reorder/round-trip", test_reorder_round_trip);
  g_test_add_func("/map/udgrade/degrade-mean", test_degrade_gives_mean_of_children);
  g_test_add_func("/map/udgrade/unseen", test_degrade_unseen);
  g_test_add_func("/map/udgrade/upgrade-round-trip", test_upgrade_copies_and_round_trips);
  g_test_add_func("/map/udgrade/ordering-independent", test_udgrade_ordering_independent);
  g_test_add_func("/map/stats", test_stats);
  g_test_add_func("/map/coordsys", test_coordsys_and_ordering_names);
  return g_test_run();
}
