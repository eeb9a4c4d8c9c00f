"""School units placed in the RegSO they stand in, and their grade-9 counts (bundle tool).

Writes the two derived files of ``bundle/data/education_skolverket_schools/`` from the files
copied beside them; ``python -m skillnader.bundle.schools`` writes them again, and
``tests/bundle/test_bundled_schools.py`` checks that the committed files are what this code
makes.

``school_regso_key_DERIVED.csv``
    Every school unit of Skolverket's official file (all of Sweden) with the RegSO 2020 code of
    the Stockholm RegSO polygon (SCB, RegSO 2025, ``geo_regso/``) that holds its coordinates
    (Skolverket's own WGS84 position from the Planned-educations API). ``placed`` is ``yes``
    when the school stands in one of Stockholm kommun's 127 RegSO, ``outside`` when it has
    coordinates but lies in none of them, and ``no coordinates`` when the API file has no
    position for it. A point on a shared border goes to the polygon with the lowest code.

``grade9_counts_2024_25_DERIVED.csv``
    Skolverket publishes, per school unit, the number of pupils with final grades in grade 9
    and the *shares* of them who passed all subjects and who are eligible for a vocational
    upper-secondary programme, rounded to one decimal (or to a whole percent). With at most
    999 pupils a share rounded to 0.1 percentage points fixes the number of pupils exactly
    (the rounding error is at most 0.05 % of the pupils, under half a pupil), so the counts
    are recovered as ``round(share × pupils / 100)``; a share that is not within its rounding
    of a whole number of pupils is an error. Skolverket's markers are kept as they are:
    ``..`` (too few pupils) and ``.`` (no figure) become missing on import, ``~100`` (so near
    100 % that it would reveal individuals) becomes suppressed; none of them becomes a number.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from skillnader.bundle.build import DATA_DIR

FOLDER = DATA_DIR / "education_skolverket_schools"
OFFICIAL = FOLDER / "grundskola_slutbetyg_ak9_skolenhet_2024_25.csv"
COORDINATES = FOLDER / "stockholm-grade9-schools.json"
REGSO = DATA_DIR / "geo_regso" / "regso_2025_stockholm_0180_fullres.geojson"
KEY = FOLDER / "school_regso_key_DERIVED.csv"
COUNTS = FOLDER / "grade9_counts_2024_25_DERIVED.csv"

PUPILS = "Antal elever"
SHARES = {
    "passed_all_subjects": "Andel (%) elever som uppfyllt betygskriterierna i alla ämnen",
    "eligible_vocational": "Andel (%) elever behöriga till yrkesprog.",
}
MARKERS = ("..", ".", "~100", "~0")


def read_official(path: Path = OFFICIAL) -> list[dict[str, str]]:
    """The rows of Skolverket's school-unit file (``;``, BOM, a preamble above the header)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Skola;Skol-enhetskod;"))
    rows = csv.DictReader(io.StringIO("\n".join(lines[start:])), delimiter=";")
    # the footer (definitions) has no school-unit code (an 8-digit number)
    return [r for r in rows if r["Skol-enhetskod"].strip().isdigit()]


def _number(text: str) -> float:
    return float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def count_from_share(share: str, pupils: str) -> str:
    """The number of pupils behind a published share, or the share's marker.

    ``share`` is Skolverket's text (``"80,8"``, ``"94"``, ``".."``, ``"~100"``); ``pupils`` the
    number of pupils. A marker in either is returned as the count's marker (the pupils' marker
    first)."""
    if pupils.strip() in MARKERS:
        return pupils.strip()
    if share.strip() in MARKERS:
        return share.strip()
    n = int(_number(pupils))
    if n >= 1000:
        raise ValueError(f"{n} pupils: a share rounded to 0.1 no longer fixes the count")
    value = _number(share)
    decimals = len(share.split(",")[1]) if "," in share else 0
    exact = value * n / 100
    count = round(exact)
    # the share is rounded to `decimals` places: the count lies within half a unit of the last
    # place times the pupils
    if abs(exact - count) > 0.5 * 10 ** (-decimals) * n / 100 + 1e-9:
        raise ValueError(f"share {share!r} of {n} pupils is no whole number of pupils")
    return str(count)


def derive_counts(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for r in rows:
        pupils = r[PUPILS].strip()
        row = {
            "skolenhetskod": r["Skol-enhetskod"],
            "skola": r["Skola"],
            "kommunkod": r["Kommun-kod"],
            "pupils": pupils.replace(" ", "").replace("\u00a0", ""),
        }
        for name, column in SHARES.items():
            row[name] = count_from_share(r[column], pupils)
        out.append(row)
    return out


def place_schools(
    rows: list[dict[str, str]], coordinates: Path = COORDINATES, regso: Path = REGSO
) -> list[dict[str, str]]:
    """Each school unit of ``rows`` with the Stockholm RegSO whose polygon holds its position."""
    from shapely.geometry import Point, shape
    from shapely.strtree import STRtree

    with open(coordinates, encoding="utf-8") as fh:
        position = {
            s["schoolUnitCode"]: (float(s["lng"]), float(s["lat"]))
            for s in json.load(fh)["schools"]
            if s.get("lat") is not None and s.get("lng") is not None
        }
    with open(regso, encoding="utf-8") as fh:
        features = sorted(json.load(fh)["features"], key=lambda f: f["properties"]["regsokod"])
    codes = [f["properties"]["regsokod"] for f in features]
    shapes = [shape(f["geometry"]) for f in features]
    tree = STRtree(shapes)
    out = []
    for r in rows:
        code = r["Skol-enhetskod"]
        row = {"skolenhetskod": code, "kommunkod": r["Kommun-kod"], "regsokod": ""}
        if code not in position:
            row["placed"] = "no coordinates"
        else:
            point = Point(position[code])
            hits = sorted(int(i) for i in tree.query(point, predicate="intersects"))
            row["placed"] = "yes" if hits else "outside"
            if hits:
                row["regsokod"] = codes[hits[0]]
        out.append(row)
    return out


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_files() -> None:
    rows = read_official()
    _write(KEY, place_schools(rows))
    _write(COUNTS, derive_counts(rows))


if __name__ == "__main__":
    write_files()
