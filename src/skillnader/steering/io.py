"""Reading and writing goals, targets and measures: YAML (nested) and XLSX (one sheet per table).

YAML (``format: skillnader-steering/1``)::

    periods: [{id: 2015-2018, name: ..., start: 2015-01-01, end: 2018-12-31}]
    goals:
      - {period: 2015-2018, level: verksamhetsomradesmal, number: "1.1", parent: "1",
         title: ..., valid_from: 2017-01-01, indicators: [{indicator: ..., targets: [...]}]}
    measures: [{key: ..., board: ..., title: ..., goals: [2015-2018/kf/1.1], ...}]

XLSX: sheets ``periods``, ``goals``, ``goal_revisions``, ``targets`` and ``measures`` with a header
row; ``targets`` has one row per target version (the first version of a key is the target, later
rows with the same goal, indicator, area, group and key are its revisions) and a row with an
empty ``target`` names an indicator without a target. List cells (``areas``, ``goals``, …) are
separated by ``;``. Dates are ISO dates or Excel dates.

Every problem raises :class:`SteeringFileError` naming the file, the place (``goals[3].title``
or ``sheet goals, row 5, column C (title)``), the value and what was expected. Reading never
touches a database; :mod:`skillnader.web.steering.importer` writes a :class:`Plan` in one
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from skillnader.errors import FormatError, InputError
from skillnader.steering.model import (
    DIRECTIONS,
    GAP_KINDS,
    KF,
    LEVELS,
    MEASURE_STATUSES,
    TARGET_KINDS,
    GapSpec,
    GoalIndicatorSpec,
    GoalRevision,
    GoalSpec,
    MeasureSpec,
    PeriodSpec,
    Plan,
    TargetRevision,
    TargetSpec,
    goal_ref,
)

FORMAT = "skillnader-steering/1"


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit dates: ``2017-13-01`` reaches :meth:`_Ctx.date` as text and
    gets a typed error naming its place instead of a ValueError from inside the YAML parser."""


_Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class SteeringFileError(InputError):
    """A goals/targets/measures file that cannot be read: the place names the key or cell."""


class _Ctx:
    """Turns a field lookup into a typed error naming the file and place."""

    def __init__(self, path: str, where: Callable[[str], str]):
        self.path = path
        self.where = where

    def fail(self, key: str, message: str, value: Any = None, expected: str | None = None):
        raise SteeringFileError(
            message, path=self.path, location=self.where(key), value=value, expected=expected
        )

    def text(self, row: dict, key: str, required: bool = False, default: str = "") -> str:
        v = row.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.fail(key, f"'{key}' is missing", expected="a value")
            return default
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()

    def date(self, row: dict, key: str, required: bool = False) -> dt.date | None:
        v = row.get(key)
        if v is None or v == "":
            if required:
                self.fail(key, f"'{key}' is missing", expected="a date YYYY-MM-DD")
            return None
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        try:
            return dt.date.fromisoformat(str(v).strip())
        except ValueError:
            self.fail(key, "not a date", value=v, expected="a date YYYY-MM-DD")

    def number(self, row: dict, key: str, required: bool = False) -> float | None:
        v = row.get(key)
        if v is None or v == "":
            if required:
                self.fail(key, f"'{key}' is missing", expected="a number")
            return None
        if isinstance(v, bool):
            self.fail(key, "not a number", value=v, expected="a number")
        if isinstance(v, (int, float)):
            return float(v)
        try:
            return float(str(v).strip().replace("\u2212", "-").replace(" ", "").replace(",", "."))
        except ValueError:
            self.fail(key, "not a number", value=v, expected="a number (decimal comma or point)")

    def year(self, row: dict, key: str, required: bool = False) -> int | None:
        v = self.number(row, key, required)
        if v is None:
            return None
        if not v.is_integer() or not 1900 <= v <= 2100:
            self.fail(key, "not a year", value=row.get(key), expected="a year 1900-2100")
        return int(v)

    def choice(self, row, key, choices, required=True, default=None) -> str | None:
        v = self.text(row, key, required=required and default is None)
        if not v:
            return default
        if v not in choices:
            self.fail(key, f"unknown {key}", value=v, expected=" | ".join(choices))
        return v

    def flag(self, row: dict, key: str) -> bool:
        v = row.get(key)
        if v in (None, ""):
            return False
        if isinstance(v, bool):
            return v
        s = str(v).strip().lower()
        if s in ("1", "true", "yes", "ja", "x"):
            return True
        if s in ("0", "false", "no", "nej"):
            return False
        self.fail(key, "not yes/no", value=v, expected="true/false, ja/nej")

    def items(self, row: dict, key: str) -> list[str]:
        v = row.get(key)
        if v in (None, ""):
            return []
        if isinstance(v, list):
            return [str(x).strip() for x in v if str(x).strip()]
        return [p.strip() for p in str(v).split(";") if p.strip()]


# ---------------------------------------------------------------------------------------------
# building specs from rows (shared by YAML and XLSX)


def _period(c: _Ctx, row: dict) -> PeriodSpec:
    start, end = c.date(row, "start", True), c.date(row, "end", True)
    if end < start:
        c.fail("end", "the period ends before it starts", value=str(end), expected=f">= {start}")
    return PeriodSpec(c.text(row, "id", True), c.text(row, "name", True), start, end,
                      c.text(row, "note"))  # fmt: skip


def _goal(c: _Ctx, row: dict, location: str) -> GoalSpec:
    level = c.choice(row, "level", LEVELS)
    owner = c.text(row, "owner") or None
    if owner == KF:
        owner = None
    if level == "namndmal" and owner is None:
        c.fail("owner", "a nämndmål needs the board that owns it", expected="a board id")
    if level != "namndmal" and owner is not None:
        c.fail("owner", "only a nämndmål belongs to a board", value=owner, expected="kf or empty")
    if level != "inriktningsmal" and not c.text(row, "parent"):
        c.fail("parent", "the goal needs the number of the goal it falls under",
               expected="e.g. 1 or 1.1")  # fmt: skip
    g = GoalSpec(
        period=c.text(row, "period", True),
        level=level,
        number=c.text(row, "number", True),
        title=c.text(row, "title", True),
        valid_from=c.date(row, "valid_from", True),
        owner=owner,
        parent=c.text(row, "parent") or None,
        title_en=c.text(row, "title_en"),
        valid_to=c.date(row, "valid_to"),
        responsible=c.text(row, "responsible") or None,
        decision=c.text(row, "decision"),
        example=c.flag(row, "example"),
        sources=c.items(row, "sources"),
        note=c.text(row, "note"),
        location=location,
    )
    if g.valid_to and g.valid_to < g.valid_from:
        c.fail("valid_to", "valid_to is before valid_from", value=str(g.valid_to))
    return g


def _goal_revision(c: _Ctx, row: dict) -> GoalRevision:
    r = GoalRevision(
        valid_from=c.date(row, "valid_from", True),
        decision=c.text(row, "decision", True),
        title=c.text(row, "title") or None,
        title_en=c.text(row, "title_en") or None,
        responsible=c.text(row, "responsible") or None,
        valid_to=c.date(row, "valid_to"),
    )
    if not (r.title or r.responsible or r.title_en or r.valid_to):
        c.fail("title", "a revision changes nothing", expected="title, responsible or valid_to")
    return r


def _gap(c: _Ctx, row: dict, prefix: str) -> GapSpec | None:
    kind = c.text(row, f"{prefix}kind" if prefix else "kind")
    if not kind:
        return None
    if kind not in GAP_KINDS:
        c.fail(f"{prefix}kind", "unknown gap", value=kind, expected=" | ".join(GAP_KINDS))
    g = GapSpec(
        kind=kind,
        level=c.text(row, f"{prefix}level"),
        vintage=c.text(row, f"{prefix}vintage"),
        a=c.text(row, f"{prefix}a"),
        b=c.text(row, f"{prefix}b"),
        label=c.text(row, f"{prefix}label"),
    )
    if kind == "range" and not g.level:
        c.fail(
            f"{prefix}level", "a range gap needs the area level it compares", expected="e.g. sdo"
        )
    if kind in ("groups", "areas") and not (g.a and g.b):
        c.fail(f"{prefix}a", f"a {kind} gap needs both a and b", expected="two keys or codes")
    return g


def _target(c: _Ctx, row: dict, gap: GapSpec | None, default_direction: str | None) -> TargetSpec:
    kind = c.choice(row, "kind", TARGET_KINDS)
    direction = c.choice(row, "direction", DIRECTIONS, required=default_direction is None,
                         default=default_direction)  # fmt: skip
    t = TargetSpec(
        key=c.text(row, "key", True),
        kind=kind,
        direction=direction,
        year=c.year(row, "year", True),
        valid_from=c.date(row, "valid_from", True),
        decision=c.text(row, "decision"),
        value=c.number(row, "value", required=kind == "level"),
        base_year=c.year(row, "base_year", required=kind == "direction"),
        gap=gap,
        note=c.text(row, "note"),
    )
    if t.base_year is not None and t.base_year >= t.year:
        c.fail("base_year", "the base year is not before the target year", value=t.base_year,
               expected=f"< {t.year}")  # fmt: skip
    return t


def _target_revision(c: _Ctx, row: dict) -> TargetRevision:
    r = TargetRevision(
        valid_from=c.date(row, "valid_from", True),
        decision=c.text(row, "decision", True),
        value=c.number(row, "value"),
        year=c.year(row, "year"),
        direction=c.choice(row, "direction", DIRECTIONS, required=False),
        base_year=c.year(row, "base_year"),
    )
    if r.value is None and r.year is None and r.direction is None and r.base_year is None:
        c.fail(
            "value", "a revision changes nothing", expected="value, year, direction or base_year"
        )
    return r


def _measure(c: _Ctx, row: dict, location: str) -> MeasureSpec:
    m = MeasureSpec(
        key=c.text(row, "key", True),
        title=c.text(row, "title", True),
        board=c.text(row, "board", True),
        start=c.date(row, "start"),
        end=c.date(row, "end"),
        owner=c.text(row, "owner"),
        description=c.text(row, "description"),
        budget_sek=c.number(row, "budget_sek"),
        status=c.choice(row, "status", MEASURE_STATUSES, required=False, default="ongoing"),
        target_group=c.text(row, "target_group"),
        areas=c.items(row, "areas"),
        goals=c.items(row, "goals"),
        indicators=c.items(row, "indicators"),
        challenges=c.items(row, "challenges"),
        evaluation=c.text(row, "evaluation"),
        example=c.flag(row, "example"),
        location=location,
    )
    if m.budget_sek is not None and m.budget_sek < 0:
        c.fail("budget_sek", "a budget cannot be negative", value=m.budget_sek)
    if m.start and m.end and m.end < m.start:
        c.fail("end", "the measure ends before it starts", value=str(m.end))
    for ref in m.goals:
        if ref.count("/") != 2:
            c.fail("goals", "not a goal reference", value=ref, expected="period/owner/number")
    return m


def _check_unique(plan: Plan) -> None:
    seen: dict[str, str] = {}
    for g in plan.goals:
        if g.ref in seen:
            raise SteeringFileError(
                "the goal occurs twice", path=plan.path, location=g.location, value=g.ref,
                expected=f"one row per goal (first at {seen[g.ref]})",
            )  # fmt: skip
        seen[g.ref] = g.location
    keys: dict[str, str] = {}
    for m in plan.measures:
        if m.key in keys:
            raise SteeringFileError("the measure occurs twice", path=plan.path,
                                    location=m.location, value=m.key)  # fmt: skip
        keys[m.key] = m.location


# ---------------------------------------------------------------------------------------------
# YAML


def read_yaml(path: str | Path, text: str | None = None) -> Plan:
    """A :class:`Plan` from a YAML file (see the module docstring)."""
    p = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                "the file is not UTF-8", path=p, location=f"byte {exc.start}"
            ) from None
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise FormatError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=p,
                          location=where) from None  # fmt: skip
    if not isinstance(doc, dict):
        raise SteeringFileError("the file is not a mapping", path=p, expected=f"format: {FORMAT}")
    if doc.get("format") != FORMAT:
        raise SteeringFileError("unknown format", path=p, location="format",
                                value=doc.get("format"), expected=FORMAT)  # fmt: skip
    plan = Plan(path=p)

    def rows(key: str, container: dict, where: str) -> list[dict]:
        v = container.get(key) or []
        if not isinstance(v, list):
            raise SteeringFileError(f"'{key}' is not a list", path=p, location=where + key)
        for i, r in enumerate(v):
            if not isinstance(r, dict):
                raise SteeringFileError("not a mapping", path=p, location=f"{where}{key}[{i}]",
                                        value=r)  # fmt: skip
        return v

    for i, r in enumerate(rows("periods", doc, "")):
        plan.periods.append(_period(_Ctx(p, lambda k, i=i: f"periods[{i}].{k}"), r))
    for i, r in enumerate(rows("goals", doc, "")):
        at = f"goals[{i}]"
        c = _Ctx(p, lambda k, at=at: f"{at}.{k}")
        g = _goal(c, r, at)
        for j, rv in enumerate(rows("revisions", r, at + ".")):
            g.revisions.append(
                _goal_revision(_Ctx(p, lambda k, a=f"{at}.revisions[{j}]": f"{a}.{k}"), rv)
            )  # noqa: E501
        for j, ir in enumerate(rows("indicators", r, at + ".")):
            ia = f"{at}.indicators[{j}]"
            ic = _Ctx(p, lambda k, ia=ia: f"{ia}.{k}")
            area = ir.get("area") or {}
            if not isinstance(area, dict):
                ic.fail("area", "not a mapping", value=area, expected="{level, vintage, code}")
            gi = GoalIndicatorSpec(
                indicator=ic.text(ir, "indicator", True),
                area_level=ic.text(area, "level"),
                area_vintage=ic.text(area, "vintage"),
                area_code=ic.text(area, "code"),
                group=ic.text(ir, "group"),
                example=ic.flag(ir, "example"),
                note=ic.text(ir, "note"),
            )
            if bool(gi.area_level) != bool(gi.area_code):
                ic.fail("area", "an area needs both level and code", value=area)
            for k, tr in enumerate(rows("targets", ir, ia + ".")):
                ta = f"{ia}.targets[{k}]"
                tc = _Ctx(p, lambda key, ta=ta: f"{ta}.{key}")
                gap_row = tr.get("gap")
                if gap_row is not None and not isinstance(gap_row, dict):
                    tc.fail("gap", "not a mapping", value=gap_row, expected="{kind, ...}")
                gap = _gap(_Ctx(p, lambda key, ta=ta: f"{ta}.gap.{key}"), gap_row or {}, "")
                t = _target(tc, tr, gap, None)
                for m, rr in enumerate(rows("revisions", tr, ta + ".")):
                    t.revisions.append(
                        _target_revision(
                            _Ctx(p, lambda key, a=f"{ta}.revisions[{m}]": f"{a}.{key}"), rr
                        )
                    )  # noqa: E501
                gi.targets.append(t)
            g.indicators.append(gi)
        plan.goals.append(g)
    for i, r in enumerate(rows("measures", doc, "")):
        at = f"measures[{i}]"
        plan.measures.append(_measure(_Ctx(p, lambda k, at=at: f"{at}.{k}"), r, at))
    _check_unique(plan)
    return plan


def _date(d):
    return None if d is None else d.isoformat()


def _drop_empty(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], False)}


def plan_to_dict(plan: Plan) -> dict:
    """The plan as the YAML document :func:`read_yaml` reads."""
    goals = []
    for g in plan.goals:
        inds = []
        for gi in g.indicators:
            targets = []
            for t in gi.targets:
                gap = None
                if t.gap:
                    gap = _drop_empty(vars(t.gap).copy())
                targets.append(_drop_empty({
                    "key": t.key, "kind": t.kind, "direction": t.direction, "year": t.year,
                    "value": t.value, "base_year": t.base_year, "gap": gap,
                    "valid_from": _date(t.valid_from), "decision": t.decision, "note": t.note,
                    "revisions": [_drop_empty({
                        "valid_from": _date(r.valid_from), "decision": r.decision,
                        "value": r.value, "year": r.year, "direction": r.direction,
                        "base_year": r.base_year}) for r in t.revisions],
                }))  # fmt: skip
            area = _drop_empty({"level": gi.area_level, "vintage": gi.area_vintage,
                                "code": gi.area_code})  # fmt: skip
            inds.append(_drop_empty({"indicator": gi.indicator, "area": area or None,
                                     "group": gi.group, "example": gi.example, "note": gi.note,
                                     "targets": targets}))  # fmt: skip
        goals.append(_drop_empty({
            "period": g.period, "level": g.level, "owner": g.owner or KF, "number": g.number,
            "parent": g.parent, "title": g.title, "title_en": g.title_en,
            "valid_from": _date(g.valid_from), "valid_to": _date(g.valid_to),
            "responsible": g.responsible, "decision": g.decision, "example": g.example,
            "sources": g.sources, "note": g.note,
            "revisions": [_drop_empty({
                "valid_from": _date(r.valid_from), "decision": r.decision, "title": r.title,
                "title_en": r.title_en, "responsible": r.responsible,
                "valid_to": _date(r.valid_to)}) for r in g.revisions],
            "indicators": inds,
        }))  # fmt: skip
    return {
        "format": FORMAT,
        "periods": [
            _drop_empty(
                {
                    "id": p.id,
                    "name": p.name,
                    "start": _date(p.start),
                    "end": _date(p.end),
                    "note": p.note,
                }
            )  # fmt: skip
            for p in plan.periods
        ],
        "goals": goals,
        "measures": [
            _drop_empty(
                {
                    "key": m.key,
                    "title": m.title,
                    "board": m.board,
                    "owner": m.owner,
                    "description": m.description,
                    "start": _date(m.start),
                    "end": _date(m.end),
                    "budget_sek": m.budget_sek,
                    "status": m.status,
                    "target_group": m.target_group,
                    "areas": m.areas,
                    "goals": m.goals,
                    "indicators": m.indicators,
                    "challenges": m.challenges,
                    "evaluation": m.evaluation,
                    "example": m.example,
                }
            )  # fmt: skip
            for m in plan.measures
        ],
    }


def write_yaml(plan: Plan) -> str:
    return yaml.safe_dump(plan_to_dict(plan), allow_unicode=True, sort_keys=False, width=100)


# ---------------------------------------------------------------------------------------------
# XLSX

SHEETS = {
    "periods": ["id", "name", "start", "end", "note"],
    "goals": ["period", "level", "owner", "number", "parent", "title", "title_en", "valid_from",
              "valid_to", "responsible", "decision", "example", "sources", "note"],
    "goal_revisions": ["goal", "valid_from", "decision", "title", "title_en", "responsible",
                       "valid_to"],
    "targets": ["goal", "indicator", "area_level", "area_vintage", "area_code", "group",
                "indicator_example", "indicator_note", "target", "kind", "direction", "year", "value", "base_year",
                "gap_kind", "gap_level", "gap_vintage", "gap_a", "gap_b", "gap_label",
                "valid_from", "decision", "note"],
    "measures": ["key", "title", "board", "owner", "description", "start", "end", "budget_sek",
                 "status", "target_group", "areas", "goals", "indicators", "challenges",
                 "evaluation", "example"],
}  # fmt: skip


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def read_xlsx(path: str | Path) -> Plan:
    """A :class:`Plan` from a workbook with the sheets of :data:`SHEETS`."""
    from openpyxl import load_workbook

    p = str(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise FormatError(f"not a readable XLSX workbook ({type(exc).__name__})", path=p) from None
    tables: dict[str, list[tuple[int, dict, dict[str, str]]]] = {}
    for sheet in SHEETS:
        if sheet not in wb.sheetnames:
            if sheet in ("goals",):
                raise SteeringFileError("sheet missing", path=p, location=f"sheet {sheet}",
                                        expected=", ".join(SHEETS))  # fmt: skip
            tables[sheet] = []
            continue
        ws = wb[sheet]
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if header is None:
            tables[sheet] = []
            continue
        names = [str(h).strip() if h is not None else "" for h in header]
        unknown = [n for n in names if n and n not in SHEETS[sheet]]
        if unknown:
            col = _col(names.index(unknown[0]))
            raise SteeringFileError("unknown column", path=p,
                                    location=f"sheet {sheet}, row 1, column {col}",
                                    value=unknown[0], expected=", ".join(SHEETS[sheet]))  # fmt: skip
        cols = {n: _col(i) for i, n in enumerate(names) if n}
        out = []
        for rn, values in enumerate(it, start=2):
            row = {n: v for n, v in zip(names, values, strict=False) if n}
            if all(v in (None, "") for v in row.values()):
                continue
            out.append((rn, row, cols))
        tables[sheet] = out
    wb.close()

    def ctx(sheet, rn, cols):
        return _Ctx(p, lambda k: f"sheet {sheet}, row {rn}, column {cols.get(k, '?')} ({k})")

    plan = Plan(path=p)
    for rn, row, cols in tables["periods"]:
        plan.periods.append(_period(ctx("periods", rn, cols), row))
    goals: dict[str, GoalSpec] = {}
    for rn, row, cols in tables["goals"]:
        g = _goal(ctx("goals", rn, cols), row, f"sheet goals, row {rn}")
        if g.ref in goals:
            raise SteeringFileError(
                "the goal occurs twice",
                path=p,
                location=g.location,
                value=g.ref,
                expected=f"one row (first at {goals[g.ref].location})",
            )  # noqa: E501
        goals[g.ref] = g
        plan.goals.append(g)

    def goal_of(c: _Ctx, row: dict) -> GoalSpec:
        ref = c.text(row, "goal", True)
        if ref not in goals:
            c.fail("goal", "no such goal in sheet goals", value=ref, expected="period/owner/number")
        return goals[ref]

    for rn, row, cols in tables["goal_revisions"]:
        c = ctx("goal_revisions", rn, cols)
        goal_of(c, row).revisions.append(_goal_revision(c, row))
    for rn, row, cols in tables["targets"]:
        c = ctx("targets", rn, cols)
        g = goal_of(c, row)
        ident = (c.text(row, "indicator", True), c.text(row, "area_level"),
                 c.text(row, "area_vintage"), c.text(row, "area_code"), c.text(row, "group"))  # fmt: skip
        if bool(ident[1]) != bool(ident[3]):
            c.fail("area_code", "an area needs both area_level and area_code", value=ident[3])
        gi = next((x for x in g.indicators if (x.indicator, x.area_level, x.area_vintage,
                                                x.area_code, x.group) == ident), None)  # fmt: skip
        if gi is None:
            gi = GoalIndicatorSpec(
                *ident, example=c.flag(row, "indicator_example"), note=c.text(row, "indicator_note")
            )
            g.indicators.append(gi)
        key = c.text(row, "target")
        if not key:
            continue
        row = {**row, "key": key}
        existing = next((t for t in gi.targets if t.key == key), None)
        if existing is None:
            gi.targets.append(_target(c, row, _gap(c, row, "gap_"), None))
        else:
            existing.revisions.append(_target_revision(c, row))
    for rn, row, cols in tables["measures"]:
        plan.measures.append(_measure(ctx("measures", rn, cols), row, f"sheet measures, row {rn}"))
    _check_unique(plan)
    return plan


def write_xlsx(plan: Plan, out) -> None:
    """Write ``plan`` as a workbook :func:`read_xlsx` reads back (``out``: path or file)."""
    from openpyxl import Workbook

    from skillnader.safecsv import safe_xlsx_row

    class _Safe:
        """Appends rows with text never stored as a formula."""

        def __init__(self, ws):
            self.ws = ws

        def append(self, row):
            self.ws.append(safe_xlsx_row(row))

    wb = Workbook()
    wb.remove(wb.active)
    sheets = {name: _Safe(wb.create_sheet(name)) for name in SHEETS}
    for name, ws in sheets.items():
        ws.append(SHEETS[name])
    for pr in plan.periods:
        sheets["periods"].append([pr.id, pr.name, pr.start, pr.end, pr.note])
    for g in plan.goals:
        sheets["goals"].append([g.period, g.level, g.owner or KF, g.number, g.parent, g.title,
                                g.title_en, g.valid_from, g.valid_to, g.responsible, g.decision,
                                g.example, ";".join(g.sources), g.note])  # fmt: skip
        for r in g.revisions:
            sheets["goal_revisions"].append([g.ref, r.valid_from, r.decision, r.title,
                                             r.title_en, r.responsible, r.valid_to])  # fmt: skip
        for gi in g.indicators:
            ident = [g.ref, gi.indicator, gi.area_level, gi.area_vintage, gi.area_code, gi.group,
                     gi.example, gi.note]  # fmt: skip
            if not gi.targets:
                sheets["targets"].append(ident)
            for t in gi.targets:
                gap = t.gap or GapSpec("")
                sheets["targets"].append([*ident, t.key, t.kind, t.direction, t.year, t.value,
                                          t.base_year, gap.kind, gap.level, gap.vintage, gap.a,
                                          gap.b, gap.label, t.valid_from, t.decision, t.note])  # fmt: skip
                for r in t.revisions:
                    sheets["targets"].append([*ident, t.key, t.kind, r.direction, r.year,
                                              r.value, r.base_year, None, None, None, None,
                                              None, None, r.valid_from, r.decision, None])  # fmt: skip
    for m in plan.measures:
        sheets["measures"].append([m.key, m.title, m.board, m.owner, m.description, m.start,
                                   m.end, m.budget_sek, m.status, m.target_group,
                                   ";".join(m.areas), ";".join(m.goals),
                                   ";".join(m.indicators), ";".join(m.challenges),
                                   m.evaluation, m.example])  # fmt: skip
    wb.save(out)


def read_file(path: str | Path) -> Plan:
    """Read a YAML or XLSX file by its extension."""
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_yaml(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    raise SteeringFileError("unknown file type", path=str(path), value=suffix,
                            expected=".yaml, .yml or .xlsx")  # fmt: skip


__all__ = [
    "FORMAT",
    "SHEETS",
    "SteeringFileError",
    "goal_ref",
    "plan_to_dict",
    "read_file",
    "read_xlsx",
    "read_yaml",
    "write_xlsx",
    "write_yaml",
]
