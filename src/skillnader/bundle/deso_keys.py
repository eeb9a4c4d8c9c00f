"""A derived key for tables that cannot be summed: the Stockholm DeSO that are a RegSO alone.

SCB's DeSO -> RegSO key (``regso_sweden/koppling_deso2018_regso2020.csv``) puts each DeSO in
its RegSO; most RegSO are made of several DeSO. A median (or any other measure that does not add
up) of a DeSO is the RegSO's own value only when the RegSO consists of that one DeSO.
``python -m skillnader.bundle.deso_keys`` writes ``income_scb_deso/deso_regso_single_DERIVED.csv``:
SCB's key (all 5 984 DeSO) with the number of DeSO in each row's RegSO (``deso_in_regso``), so
that a mapping can keep the DeSO that make up a RegSO alone
(``where: {Kommun: "0180", deso_in_regso: "1"}``). ``tests/bundle/test_bundled_income.py`` checks that the
committed file is what this code makes.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from skillnader.bundle.build import DATA_DIR

SCB_KEY = DATA_DIR / "regso_sweden" / "koppling_deso2018_regso2020.csv"
SINGLE_KEY = DATA_DIR / "income_scb_deso" / "deso_regso_single_DERIVED.csv"


def single_deso_key(key: Path = SCB_KEY) -> list[dict[str, str]]:
    with open(key, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    size = Counter(r["RegSOkod_2020"] for r in rows)
    return [
        {
            "DeSO_2018": r["DeSO_2018"],
            "Kommun": r["Kommun"],
            "RegSOkod_2020": r["RegSOkod_2020"],
            "RegSO_2020": r["RegSO_2020"],
            "deso_in_regso": str(size[r["RegSOkod_2020"]]),
        }
        for r in sorted(rows, key=lambda r: r["DeSO_2018"])
    ]


def write_files() -> None:
    rows = single_deso_key()
    with open(SINGLE_KEY, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    write_files()
