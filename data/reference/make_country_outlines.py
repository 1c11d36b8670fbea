"""Convert Natural Earth 1:110m country outlines to data/reference/country_outlines.csv.

Run once, by hand; not part of the package and not run by any test or make target.

Source: Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries
(https://www.naturalearthdata.com/downloads/110m-cultural-vectors/), public domain
(https://www.naturalearthdata.com/about/terms-of-use/), in the copy that the geopandas
0.14.4 wheel ships as ``geopandas/datasets/naturalearth_lowres/`` (a subset of its
columns: pop_est, continent, name, iso_a3, gdp_md_est). Obtained offline with::

    pip download geopandas==0.14.4 --no-deps -d /tmp/gpd
    cd /tmp/gpd && unzip geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*'

Reading the shapefile needs pyshp (``pip install pyshp`` in a throwaway virtual
environment; it is not a dependency of incident-trends)::

    python data/reference/make_country_outlines.py \
        /tmp/gpd/geopandas/datasets/naturalearth_lowres/naturalearth_lowres

Only the countries in COUNTRIES are kept, with their name and ISO 3166-1 alpha-3
code; coordinates are rounded to 4 decimals (about 10 m, far below the 1:110m
generalisation). The output has one row per vertex: ``iso_a3, name, polygon`` (the
part of a multi-part country, from 0), ``ring`` (0 the outer boundary, 1.. holes),
``vertex`` (order along the ring, the last repeating the first), ``lon``, ``lat``
(WGS 84 degrees). Read it with ``analysis.load_country_outlines()``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import shapefile  # pyshp, only for this conversion

COUNTRIES = ("ISR", "PSE", "LBN", "SYR", "JOR", "EGY", "IRQ", "SAU", "CYP", "TUR", "IRN", "YEM")
OUT = Path(__file__).resolve().parent / "country_outlines.csv"


def main(path: str) -> None:
    """Write OUT from the Natural Earth shapefile at ``path`` (without its extension)."""
    reader = shapefile.Reader(path)
    rows = []
    for shape_rec in reader.iterShapeRecords():
        rec = shape_rec.record.as_dict()
        if rec["iso_a3"] not in COUNTRIES:
            continue
        geo = shape_rec.shape.__geo_interface__
        polygons = [geo["coordinates"]] if geo["type"] == "Polygon" else geo["coordinates"]
        for p, polygon in enumerate(polygons):
            for r, ring in enumerate(polygon):
                for v, (x, y) in enumerate(ring):
                    rows.append([rec["iso_a3"], rec["name"], p, r, v, f"{x:.4f}", f"{y:.4f}"])
    rows.sort(key=lambda row: (row[0], row[2], row[3], row[4]))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["iso_a3", "name", "polygon", "ring", "vertex", "lon", "lat"])
        writer.writerows(rows)
    print(f"{len({r[0] for r in rows})} countries, {len(rows)} vertices written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
