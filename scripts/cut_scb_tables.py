"""Cut SCB's population and death tables (xlsx exports of BE0101N1 / BE0101D9) to the regions
and years the bundle or a test needs, keeping SCB's layout: title, header row of years, the
region/age/sex blocks with their labels only on a block's first row, and SCB's footer.

    python scripts/cut_scb_tables.py OUT.xlsx IN.xlsx [IN2.xlsx …] --regions 0180,0187 \
        [--years 2014-2019] [--sweden]

Several inputs (e.g. SCB's two-year exports) are joined year by year. ``--regions 01`` keeps
every region whose code starts with ``01`` (Stockholms län's kommuner). ``--sweden`` writes one
block for Sweden (code ``00``) instead, each number the sum over all regions of the inputs, as
SCB's own table for the whole country would give it. The numbers are never changed otherwise.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import openpyxl


def read(path: str):
    ws = openpyxl.load_workbook(path, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    title = rows[0][0]
    years = [str(c) for c in rows[2][6:] if c]
    cells: dict[tuple, dict[str, float]] = defaultdict(dict)
    order: list[tuple] = []
    footer: list[str] = []
    reg = reg_name = age = age_label = None
    data_done = False
    for r in rows[3:]:
        if data_done or (r[4] is None and not any(r[6:])):
            if any(c is not None for c in r):
                data_done = True
                footer.append(str(r[0]) if r[0] is not None else "")
            continue
        if r[0]:
            reg, reg_name = r[0], r[1]
        if r[2] is not None:
            age, age_label = r[2], r[3]
        key = (reg, reg_name, age, age_label, r[4], r[5])
        if key not in cells:
            order.append(key)
        for y, v in zip(years, r[6 : 6 + len(years)], strict=False):
            cells[key][y] = v
    return title, years, order, cells, footer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--regions", default="")
    ap.add_argument("--years", default="")
    ap.add_argument("--sweden", action="store_true")
    a = ap.parse_args()
    title = None
    years: list[str] = []
    order: list[tuple] = []
    cells: dict[tuple, dict[str, float]] = defaultdict(dict)
    footer: list[str] = []
    for path in a.inputs:
        t, ys, o, c, f = read(path)
        title, footer = title or t, footer or f
        years += [y for y in ys if y not in years]
        for k in o:
            if k not in cells:
                order.append(k)
            cells[k].update(c[k])
    if a.years:
        lo, hi = (int(x) for x in a.years.split("-"))
        years = [y for y in years if lo <= int(y) <= hi]
    prefixes = [p for p in a.regions.split(",") if p]
    if a.sweden:
        summed: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        sw_order: list[tuple] = []
        for reg, _n, age, age_label, sex, sex_label in order:
            k = ("00", "Sweden", age, age_label, sex, sex_label)
            if k not in summed:
                sw_order.append(k)
            for y in years:
                summed[k][y] += cells[(reg, _n, age, age_label, sex, sex_label)][y]
        order, cells = sw_order, summed
    elif prefixes:
        order = [k for k in order if any(str(k[0]).startswith(p) for p in prefixes)]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = openpyxl.load_workbook(a.inputs[0], read_only=True).sheetnames[0]
    ws.append([title])
    ws.append([])
    ws.append([None] * 6 + years)
    prev_reg = prev_age = None
    for k in order:
        reg, reg_name, age, age_label, sex, sex_label = k
        row = [
            reg if reg != prev_reg else None,
            reg_name if reg != prev_reg else None,
            age if (reg, age) != prev_age else None,
            age_label if (reg, age) != prev_age else None,
            sex,
            sex_label,
        ]
        prev_reg, prev_age = reg, (reg, age)
        ws.append(row + [cells[k][y] for y in years])
    for _ in range(5):
        ws.append([])
    for line in footer:
        ws.append([line or None])
    wb.save(a.out)


if __name__ == "__main__":
    main()
