"""Applicants and positions from CSV or XLSX files.

Reading is all-or-nothing: every row is checked, and if any cell is wrong nothing is returned;
:class:`AllocationInputError` names the file, the row, the column, the value and what was expected
(the first problem in its message, all of them in ``problems``). Column names are case-insensitive;
CSV may be comma- or semicolon-separated, UTF-8 with or without BOM, or cp1252.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from pathlib import Path

from skillnader.allocation import geography
from skillnader.allocation.model import EMPLOYER_TYPES, Applicant, Position
from skillnader.errors import InputError

APPLICANT_COLUMNS = (
    "id", "birth_date", "sex", "born_in_sweden", "home_area", "school", "social_assistance",
    "newly_arrived", "support_needs", "earlier_summer_job", "choices", "languages",
)  # fmt: skip
APPLICANT_REQUIRED = ("id", "birth_date", "sex", "home_area", "choices")
POSITION_COLUMNS = (
    "id", "employer", "employer_type", "district", "inner_city", "category", "period",
    "capacity", "min_age", "max_age", "requirements",
)  # fmt: skip
POSITION_REQUIRED = (
    "id",
    "employer",
    "employer_type",
    "district",
    "category",
    "period",
    "capacity",
)

_TRUE = {"1", "ja", "j", "yes", "y", "true", "sant", "x"}
_FALSE = {"0", "nej", "n", "no", "false", "falskt", ""}
_SEX = {
    "female": "female", "f": "female", "k": "female", "kvinna": "female", "flicka": "female",
    "tjej": "female", "male": "male", "m": "male", "man": "male", "pojke": "male", "kille": "male",
    "other": "other", "annat": "other", "x": "other",
}  # fmt: skip
_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class AllocationInputError(InputError):
    """One or more bad cells in an applicants or positions file; nothing was read."""

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(
            first.message + more,
            path=first.path,
            location=first.location,
            value=first.value,
            expected=first.expected,
        )


def _rows(path: Path) -> tuple[list[str], Iterable[tuple[int, list[str]]]]:
    """Header and (row number, cells) of a CSV or XLSX file; row numbers as a spreadsheet shows."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise InputError(f"cannot open the workbook: {exc}", path=str(path)) from exc
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [("" if c is None else str(c)) for c in next(it, ())]

        def cell(v):
            if v is None:
                return ""
            if isinstance(v, dt.datetime):
                return v.date().isoformat()
            if isinstance(v, dt.date):
                return v.isoformat()
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            return str(v)

        rows = [(i, [cell(v) for v in r]) for i, r in enumerate(it, start=2)]
        wb.close()
        return header, rows
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=str(path)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    text = text.replace("\r\r\n", "\n")
    first = text.split("\n", 1)[0]
    delim = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header = next(reader, [])
    rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    return header, rows


def _table(path, columns, required):
    path = Path(path)
    header, rows = _rows(path)
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    problems: list[InputError] = []
    missing = [c for c in required if c not in names]
    if missing:
        raise AllocationInputError(
            [
                InputError(
                    f"missing column {c!r}",
                    path=str(path),
                    location="row 1 (header)",
                    expected="columns " + ", ".join(columns),
                )
                for c in missing
            ]
        )
    index = {n: i for i, n in enumerate(names) if n in columns}
    out = []
    for line, cells in rows:
        rec = {c: (cells[i].strip() if i < len(cells) else "") for c, i in index.items()}
        out.append((line, rec))
    if not out:
        problems.append(InputError("no rows", path=str(path), location="row 2"))
    return path, out, problems


def _in_file_order(problems: list[InputError], start: int, columns) -> None:
    """Sort one row's problems by the order of the columns."""
    order = {c: k for k, c in enumerate(columns)}
    problems[start:] = sorted(
        problems[start:], key=lambda p: order.get((p.location or "").rsplit("column ", 1)[-1], 99)
    )


def _bool(v, col, where, problems, path, allow_none=False):
    s = v.strip().lower()
    if allow_none and s in _UNKNOWN:
        return None
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    problems.append(
        InputError(
            f"column {col!r}: not yes/no",
            path=str(path),
            location=where,
            value=v,
            expected="ja/nej, 1/0, yes/no",
        )
    )
    return None


def _split(v: str) -> tuple[str, ...]:
    """The parts of ``v`` separated by ``;`` or ``|``, stripped, empty parts left out."""
    parts = [x.strip() for x in (v.replace("|", ";") if "|" in v else v).split(";")]
    return tuple(x for x in parts if x)


_UNKNOWN = ("", "okänt", "unknown", "?")
_FLAG_COLUMNS = ("social_assistance", "newly_arrived", "support_needs", "earlier_summer_job")


def read_applicants(path: str | Path) -> list[Applicant]:
    """Read applicants; ``home_area`` is a RegSO code (0180R001) or a district name."""
    path, rows, problems = _table(path, APPLICANT_COLUMNS, APPLICANT_REQUIRED)
    seen: dict[str, int] = {}
    out = []
    for line, r in rows:
        before = len(problems)

        def bad(col, msg, value, expected, line=line):
            problems.append(
                InputError(
                    msg,
                    path=str(path),
                    location=f"row {line}, column {col}",
                    value=value,
                    expected=expected,
                )
            )

        aid = r["id"]
        if not _ID.match(aid):
            bad("id", "not a pseudonymous id", aid, "1-64 letters, digits, '_', '-', '.'")
        elif aid in seen:
            bad("id", f"repeats the id of row {seen[aid]}", aid, "a unique id")
        else:
            seen[aid] = line
        birth = None
        try:
            birth = dt.date.fromisoformat(r["birth_date"][:10])
        except ValueError:
            bad("birth_date", "not a date", r["birth_date"], "YYYY-MM-DD")
        sex = _SEX.get(r["sex"].strip().lower())
        if sex is None:
            bad("sex", "unknown value", r["sex"], "female/male/other (K/M/X)")
        area = geography.resolve_area(r["home_area"])
        if area is None:
            bad(
                "home_area",
                "not a Stockholm RegSO code or district",
                r["home_area"],
                "e.g. 0180R002 or Järva",
            )
        flags = {}
        for col in _FLAG_COLUMNS:
            v = r.get(col, "")
            s = v.lower()  # the cells are stripped
            if s in _TRUE:
                flags[col] = True
            elif s in _FALSE:
                flags[col] = False
            else:
                flags[col] = bool(_bool(v, col, f"row {line}, column {col}", problems, path))
        v = r.get("born_in_sweden", "")
        s = v.lower()
        if s in _UNKNOWN:
            born = None
        elif s in _TRUE:
            born = True
        elif s in _FALSE:
            born = False
        else:
            born = _bool(
                v, "born_in_sweden", f"row {line}, column born_in_sweden", problems, path, True
            )
        choices = _split(r["choices"])
        if not choices:
            bad("choices", "no choices", r["choices"], "ranked choices separated by ';'")
        if len(problems) > before:
            _in_file_order(problems, before, APPLICANT_COLUMNS)
            continue
        out.append(
            Applicant(
                id=aid,
                birth_date=birth,
                sex=sex,
                born_in_sweden=born,
                home_area=area[0],
                home_district=area[1],
                school=r.get("school", ""),
                choices=choices,
                languages=tuple(x.lower() for x in _split(r.get("languages", ""))),
                **flags,
            )
        )
    if problems:
        raise AllocationInputError(problems)
    return out


def read_positions(path: str | Path) -> list[Position]:
    """Read positions; ``inner_city`` is derived from the district when the column is empty."""
    path, rows, problems = _table(path, POSITION_COLUMNS, POSITION_REQUIRED)
    seen: dict[str, int] = {}
    out = []
    for line, r in rows:
        before = len(problems)

        def bad(col, msg, value, expected, line=line):
            problems.append(
                InputError(
                    msg,
                    path=str(path),
                    location=f"row {line}, column {col}",
                    value=value,
                    expected=expected,
                )
            )

        pid = r["id"]
        if not _ID.match(pid):
            bad("id", "not a valid position id", pid, "1-64 letters, digits, '_', '-', '.'")
        elif pid in seen:
            bad("id", f"repeats the id of row {seen[pid]}", pid, "a unique id")
        else:
            seen[pid] = line
        if not r["employer"]:
            bad("employer", "empty", r["employer"], "the employer's name")
        etype = r["employer_type"].strip().lower()
        if etype not in EMPLOYER_TYPES:
            bad(
                "employer_type",
                "unknown employer type",
                r["employer_type"],
                "/".join(EMPLOYER_TYPES),
            )
        area = geography.resolve_area(r["district"])
        if area is None:
            bad("district", "not a Stockholm district or RegSO code", r["district"], "e.g. Järva")
        for col in ("category", "period"):
            if not r[col]:
                bad(col, "empty", r[col], f"a {col}")
        ints = {}
        for col, lo in (("capacity", 1), ("min_age", 0), ("max_age", 0)):
            v = r.get(col, "")
            if v == "" and col != "capacity":
                ints[col] = None
                continue
            try:
                ints[col] = int(v)
                if ints[col] < lo:
                    raise ValueError
            except ValueError:
                bad(col, "not a whole number", v, f"an integer >= {lo}")
        if ints.get("min_age") and ints.get("max_age") and ints["min_age"] > ints["max_age"]:
            bad("max_age", "below min_age", r["max_age"], f">= {ints['min_age']}")
        inner = None
        if r.get("inner_city", "") != "":
            inner = _bool(
                r["inner_city"], "inner_city", f"row {line}, column inner_city", problems, path
            )
        if len(problems) > before:
            _in_file_order(problems, before, POSITION_COLUMNS)
            continue
        district = area[1]
        if inner is None:
            inner = geography.district_is_inner()[district]
        out.append(
            Position(
                id=pid,
                employer=r["employer"],
                employer_type=etype,
                district=district,
                inner_city=bool(inner),
                category=r["category"].strip().lower(),
                period=r["period"].strip().lower(),
                capacity=ints["capacity"],
                min_age=ints.get("min_age"),
                max_age=ints.get("max_age"),
                requirements=tuple(x.lower() for x in _split(r.get("requirements", ""))),
            )
        )
    if problems:
        raise AllocationInputError(problems)
    return out


def write_applicants(applicants: Iterable[Applicant], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(APPLICANT_COLUMNS)
        for a in applicants:
            w.writerow(
                [
                    a.id, a.birth_date.isoformat(), a.sex,
                    "" if a.born_in_sweden is None else ("ja" if a.born_in_sweden else "nej"),
                    a.home_area, a.school, *("ja" if getattr(a, c) else "nej" for c in
                    ("social_assistance", "newly_arrived", "support_needs", "earlier_summer_job")),
                    ";".join(a.choices), ";".join(a.languages),
                ]
            )  # fmt: skip


def write_positions(positions: Iterable[Position], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(POSITION_COLUMNS)
        for p in positions:
            w.writerow(
                [
                    p.id, p.employer, p.employer_type, p.district, "ja" if p.inner_city else "nej",
                    p.category, p.period, p.capacity, "" if p.min_age is None else p.min_age,
                    "" if p.max_age is None else p.max_age, ";".join(p.requirements),
                ]
            )  # fmt: skip
