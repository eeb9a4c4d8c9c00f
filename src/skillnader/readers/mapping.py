"""Mapping files: how the columns of a CSV or Excel table become the dimensions of a cube.

A mapping is a small YAML file written by the analyst who imports a table. It names the column
that holds the area, the period, the indicator and the groups, says where the numbers are, and
gives format options that cannot (or should not) be guessed.

Schema
======

All keys except ``area`` and ``values`` are optional. Every *field* (``area``, ``period``,
``indicator`` and each group) is either read from a column or is a constant::

    area:                       # required: the geographic unit of every row
      column: regso_code        #   column that holds the area code ...
      # value: "0180"           #   ... or one constant code for the whole table
      label_column: regso_name  #   optional column with the area's name
      level: regso              #   optional: area level (kommun, regso, deso, stadsdel, ...)
      vintage: "2020"           #   optional: boundary vintage of the codes
      values: {…}               #   optional recoding, see ``groups``
      # key: {file: deso_regso.csv, from: DeSO_2018, to: RegSOkod_2020, where: {Kommun: "0180"}}
      #                         #   optional: codes looked up in a key file (see "Key files")
      # pad: 4                  #   optional: codes stored as numbers get their leading zeros
      #                         #   back (114 -> 0114)

    period:                     # a column, a constant, or given by the value columns (wide)
      column: year              #   or: value: "2023"

    indicator:                  # a column or a constant indicator id; may be left out when the
      value: population_total   #   table holds one measure that the importer assigns

    groups:                     # population-group dimensions, in the order of the cube
      sex:
        column: kön
        values: {män: men, kvinnor: women, totalt: total}     # every value found must be listed
      birth_region:
        column: födelseregion
        values: {Sverige: sweden, totalt: total}

    values:                     # where the numbers are: one column (long format) ...
      column: value
      # scale: 100              #   optional: every number is multiplied (a share given as a
      #                         #   fraction, 0.257, becomes the catalogue's percent, 25.7)
    # values:                   # ... or several (wide format), each fixing the period and/or
    #   columns:                #     the indicator of its numbers
    #     "Antal 2020": {period: "2020"}
    #     "Folkmängd": {indicator: population_total}
    #   pattern: '^Antal (\\d{4})$'   # every header matching the regex is a value column;
    #   to: period                    # its first capture group gives the period (or the
    #                                 # indicator with ``to: indicator``); named groups
    #                                 # (?P<period>…) and (?P<indicator>…) are used as named

    status:                     # optional: a column of status flags beside the numbers (Kolada)
      column: status            #   each flag found must be listed; "" (no flag) means a number
      values: {"": "", Missing: "..", "Not applicable": "-", Privacy: x}
                                #   a flagged cell never keeps its number: ".." and "-" make it
                                #   missing, x makes it suppressed (withheld by the producer)

    filter:                     # optional: keep only the rows whose column holds one of the
      year: ["2006", "2010"]    #   values (other rows are not imported)

    aggregate: sum              # optional: rows that fall on the same cell are summed. With it a
                                #   column left unmapped is summed away, a field's values may
                                #   recode several codes to one, and ``bands`` group single ages.
                                #   Only counts add up: the import refuses it for rates, means,
                                #   medians, shares and indices (AggregationError).

    format:                     # everything here is detected when left out
      delimiter: ";"            #   ";", ",", "\\t" or "|" (sniffed from the header)
      decimal: ","              #   "," or "." (sniffed from the numbers)
      thousands: " "            #   extra thousands separator; spaces, U+00A0 and U+202F are
                                #   always accepted between digit groups, and "." when
                                #   the decimal mark is ","
      encoding: cp1252          #   wins over detection (UTF-8, UTF-8-BOM, UTF-16 BOM, cp1252)
      skip_rows: 2              #   lines (CSV) or rows (Excel) above the header
      footer_lines: 3           #   trailing lines to drop in any case; trailing lines whose
                                #   field count differs from the header are dropped anyway
      sheet: Blad1              #   Excel sheet (default: the first)
      missing: ["..", "-", ".", ""]   # missing-value symbols (these are the default)
      suppressed: ["~100", "~0"]  # markers of values the producer withheld to protect
                                #   individuals (these are the default): kept as the cell's
                                #   status and imported as suppressed, never as a number
      fill_down: [A, C]         #   columns whose empty cells repeat the value above (SCB's
                                #   "merged cell" blocks: the kommun only on a block's first row)

Header. The header is the first non-blank line after ``skip_rows``; when it does not hold the
columns the mapping names, the first of the next 100 lines that holds them all is the header and
the lines above it are a preamble (Skolverket's "Statistik från Skolverket …" lines). An empty
header cell is named by its position: the column letter in Excel (``A``, ``B`` …), ``column1``,
``column2`` … in CSV and Parquet.

Bands. A group (or the area) may carry ``bands: [0, 1, 5, 10, …, 90]``: the start of each band
in ascending order. The leading number of each code (``"0"``, ``"7 years"``, ``"100+"``) is put
in its band, which is then named ``"0"``, ``"1-4"``, ``"5-9"`` … ``"90+"`` (the last band is
open). Bands need ``aggregate: sum``.

Key files. A field (usually the area) may carry ``key:``, one step or a list of steps, each
``{file, from, to, where}``: the code read from the table is looked up in column ``from`` of the
CSV ``file`` (relative to the mapping file; ``,`` or ``;``, UTF-8 with or without BOM) and
replaced by that row's ``to``; a list chains the look-ups (DeSO → RegSO → stadsdelsområde).
``where: {column: [values]}`` keeps only the key rows that match: a table row whose code lies in
a left-out key row is not imported (a national DeSO table read for Stockholm's RegSO only). A
code found in no row of the key is an error naming the line, and a key that gives one ``from``
code two different ``to`` codes is refused. Several source rows that fall on one code need
``aggregate: sum`` (without it they are duplicates), so the import refuses it for measures that
do not add up. ``values`` then recodes the looked-up codes. The key files are part of the release:
a changed key is a new release.

A field's ``values`` table recodes source values to stable ids; when present it must be
complete (an unlisted value is an error naming the line), which is what keeps a misspelt
``"Kvinnor "`` from becoming a group of its own.

:class:`Mapping` is the validated, immutable form; :meth:`Mapping.load` reads a YAML file and
:meth:`Mapping.from_dict` a dict (for mappings built in code). Every error is a
:class:`~skillnader.errors.MappingError` naming the mapping file and the key.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from skillnader import safeyaml
from skillnader.errors import MappingError

__all__ = [
    "DEFAULT_MISSING",
    "DEFAULT_SUPPRESSED",
    "WITHHELD",
    "KeyStep",
    "StatusColumn",
    "band_label",
    "band_of",
    "Field",
    "FormatOptions",
    "Mapping",
    "ValueColumns",
]

#: Missing-value symbols used by Swedish statistics producers (SCB, Kolada, the city's USK).
DEFAULT_MISSING: tuple[str, ...] = ("..", "-", ".", "")

_DELIMITERS = {";": ";", ",": ",", "\t": "\t", "\\t": "\t", "tab": "\t", "|": "|"}
_FIELD_KEYS = {
    "column",
    "value",
    "label_column",
    "values",
    "level",
    "vintage",
    "bands",
    "key",
    "pad",
}
_KEY_KEYS = {"file", "from", "to", "where"}
_TOP_KEYS = {
    "area",
    "period",
    "indicator",
    "groups",
    "values",
    "format",
    "status",
    "aggregate",
    "filter",
}
_FORMAT_KEYS = {
    "delimiter",
    "decimal",
    "thousands",
    "encoding",
    "skip_rows",
    "footer_lines",
    "sheet",
    "missing",
    "suppressed",
    "fill_down",
}

#: Markers of values a producer withheld to protect individuals, in value cells (Skolverket's
#: ``~100`` and ``~0``: a share so near 100 or 0 % that it would reveal individuals). A cell
#: with one is imported as suppressed.
DEFAULT_SUPPRESSED: tuple[str, ...] = ("~100", "~0")
#: The symbol a status flag is recoded to when the producer withheld the value (Kolada's
#: "Privacy"); like the markers above, it makes the cell suppressed.
WITHHELD = "x"
# Dimension codes the reader uses for the mapped fields; group names must not collide with them.
RESERVED = ("indicator", "area", "period", "value", "symbol", "line")


@dataclass(frozen=True)
class KeyStep:
    """One look-up in a key file: code in column ``source`` → the row's ``target`` column.

    ``table`` holds the rows that ``where`` keeps, ``excluded`` the codes of the rows it leaves
    out (a table row with such a code is not imported).
    """

    file: str
    source: str
    target: str
    where: dict[str, tuple[str, ...]]
    table: dict[str, str]
    excluded: frozenset[str]


@dataclass(frozen=True)
class Field:
    """One dimension of the cube: read from ``column`` or fixed to ``value``.

    ``values`` recodes source values (complete when given); ``label_column`` names a column with
    human-readable labels for the codes; ``level`` and ``vintage`` describe area codes.
    """

    name: str
    column: str | None = None
    value: str | None = None
    label_column: str | None = None
    values: dict[str, str] | None = None
    level: str | None = None
    vintage: str | None = None
    bands: tuple[int, ...] | None = None
    key: tuple[KeyStep, ...] = ()
    pad: int | None = None

    @property
    def is_constant(self) -> bool:
        return self.column is None


@dataclass(frozen=True)
class StatusColumn:
    """A column of status flags (``column``) recoded to missing-value symbols (``values``)."""

    column: str
    values: dict[str, str]


@dataclass(frozen=True)
class ValueColumns:
    """Where the numbers are: ``column`` (long format) or ``columns``/``pattern`` (wide format).

    ``columns`` maps a header to the constants it fixes (``{"period": "2020"}``); ``pattern`` is a
    compiled regex whose capture group gives the ``to`` dimension (or named groups ``period`` and
    ``indicator``).
    """

    column: str | None = None
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    pattern: re.Pattern[str] | None = None
    to: str = "period"
    scale: float | None = None

    @property
    def is_wide(self) -> bool:
        return self.column is None

    def fixes(self) -> set[str]:
        """Dimensions (``period``, ``indicator``) that the value columns decide."""
        out: set[str] = set()
        for consts in self.columns.values():
            out.update(consts)
        if self.pattern is not None:
            named = set(self.pattern.groupindex)
            out.update(named & {"period", "indicator"} or {self.to})
        return out


@dataclass(frozen=True)
class FormatOptions:
    """Parsing options; ``None`` means "detect"."""

    delimiter: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    encoding: str | None = None
    skip_rows: int = 0
    footer_lines: int = 0
    sheet: str | None = None
    missing: tuple[str, ...] = DEFAULT_MISSING
    suppressed: tuple[str, ...] = DEFAULT_SUPPRESSED
    fill_down: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapping:
    """A validated mapping from table columns to cube dimensions (schema: module docstring)."""

    area: Field
    values: ValueColumns
    period: Field | None = None
    indicator: Field | None = None
    groups: tuple[Field, ...] = ()
    format: FormatOptions = field(default_factory=FormatOptions)
    path: str | None = None
    status: StatusColumn | None = None
    aggregate: str | None = None
    filter: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        """Read and validate a YAML mapping file."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise MappingError("mapping file not found", path=str(p)) from None
        except UnicodeDecodeError as exc:
            raise MappingError(
                "mapping file is not UTF-8", path=str(p), location=f"byte {exc.start}"
            ) from None
        try:
            data = safeyaml.load(text, path=str(p))  # bounded alias expansion
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise MappingError(f"not valid YAML: {problem}", path=str(p), location=where) from None
        return cls.from_dict(data, path=str(p))

    @classmethod
    def from_dict(cls, data: Any, *, path: str | None = None) -> Mapping:
        """Validate a mapping given as a dict (the parsed YAML)."""
        return _Parser(path).mapping(data)

    def fields(self) -> list[Field]:
        """The mapped dimensions in cube order: indicator, area, groups, period.

        Dimensions fixed by wide value columns are included as fields without column or value;
        ``indicator`` is left out when the mapping does not mention it at all.
        """
        fixed = self.values.fixes()
        out: list[Field] = []
        if self.indicator is not None:
            out.append(self.indicator)
        elif "indicator" in fixed:
            out.append(Field("indicator"))
        out.append(self.area)
        out.extend(self.groups)
        if self.period is not None:
            out.append(self.period)
        elif "period" in fixed:
            out.append(Field("period"))
        return out


class _Parser:
    def __init__(self, path: str | None) -> None:
        self.path = path

    def error(self, key: str, message: str, value: object = None, expected: str | None = None):
        return MappingError(
            message, path=self.path, location=f"key {key!r}", value=value, expected=expected
        )

    def mapping(self, data: Any) -> Mapping:
        if not isinstance(data, dict):
            raise MappingError(
                "a mapping must be a YAML dictionary",
                path=self.path,
                value=type(data).__name__,
                expected="keys area, values, period, indicator, groups, format",
            )
        unknown = sorted(set(map(str, data)) - _TOP_KEYS)
        if unknown:
            raise self.error(
                unknown[0], "unknown key", value=unknown[0], expected=", ".join(sorted(_TOP_KEYS))
            )
        if "area" not in data:
            raise self.error("area", "missing required key", expected="area: {column: …}")
        if "values" not in data:
            raise self.error("values", "missing required key", expected="values: {column: …}")
        values = self.value_columns(data["values"])
        fixed = values.fixes()
        area = self.field("area", data["area"])
        period = self.field("period", data["period"]) if data.get("period") is not None else None
        indicator = (
            self.field("indicator", data["indicator"])
            if data.get("indicator") is not None
            else None
        )
        for name, f in (("period", period), ("indicator", indicator)):
            if f is not None and name in fixed:
                raise self.error(
                    name,
                    f"{name} is given both here and by the value columns",
                    expected=f"either {name}: {{…}} or value columns that fix the {name}",
                )
        if period is None and "period" not in fixed:
            raise self.error(
                "period",
                "no period: name a period column, a constant, or value columns that fix it",
                expected='period: {column: year} or period: {value: "2023"}',
            )
        groups_raw = data.get("groups") or {}
        if not isinstance(groups_raw, dict):
            raise self.error(
                "groups", "must be a dictionary", value=groups_raw, expected="{name: {column: …}}"
            )
        groups = []
        for name, spec in groups_raw.items():
            gname = str(name)
            if gname in RESERVED:
                raise self.error(
                    f"groups.{gname}",
                    "group name is reserved",
                    value=gname,
                    expected="a name other than " + ", ".join(RESERVED),
                )
            groups.append(self.field(f"groups.{gname}", spec, name=gname))
        fmt = self.format(data.get("format") or {})
        used: dict[str, str] = {}
        all_fields = [area, *groups] + [f for f in (period, indicator) if f is not None]
        for f in all_fields:
            if f.column is not None:
                if f.column in used:
                    raise self.error(
                        f.name,
                        f"column {f.column!r} is already mapped to {used[f.column]!r}",
                        value=f.column,
                    )
                used[f.column] = f.name
        status = self.status(data.get("status"))
        aggregate = data.get("aggregate")
        if aggregate is not None and aggregate != "sum":
            raise self.error(
                "aggregate",
                "unknown aggregation",
                value=aggregate,
                expected="sum (counts only; rates, means, medians and shares do not add up)",
            )
        for f in all_fields:
            if f.bands is not None and aggregate is None:
                raise self.error(
                    f"{f.name}.bands",
                    "bands put several rows into one cell: they need 'aggregate: sum'",
                    expected="aggregate: sum",
                )
        if status is not None and status.column in used:
            raise self.error(
                "status.column",
                f"column {status.column!r} is already mapped to {used[status.column]!r}",
                value=status.column,
            )
        filt = data.get("filter") or {}
        if not isinstance(filt, dict):
            raise self.error(
                "filter", "must be a dictionary", value=filt, expected="{column: [values]}"
            )
        filters = {}
        for col, vals in filt.items():
            vs = vals if isinstance(vals, list) else [vals]
            if not vs or any(isinstance(v, (dict, list)) for v in vs):
                raise self.error(f"filter.{col}", "must list the values to keep", value=vals)
            filters[str(col)] = tuple(_scalar(v) for v in vs)
        return Mapping(
            filter=filters,
            area=area,
            values=values,
            period=period,
            indicator=indicator,
            groups=tuple(groups),
            format=fmt,
            path=self.path,
            status=status,
            aggregate=aggregate,
        )

    def status(self, spec: Any) -> StatusColumn | None:
        if spec is None:
            return None
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, dict) or "column" not in spec:
            raise self.error(
                "status", "must name a column", value=spec, expected="{column: status, values: …}"
            )
        unknown = sorted(set(map(str, spec)) - {"column", "values"})
        if unknown:
            raise self.error(f"status.{unknown[0]}", "unknown key", expected="column, values")
        values = spec.get("values") or {"": ""}
        if not isinstance(values, dict):
            raise self.error("status.values", "must be a dictionary", value=values)
        return StatusColumn(
            column=str(spec["column"]), values={_scalar(k): _scalar(v) for k, v in values.items()}
        )

    def field(self, key: str, spec: Any, *, name: str | None = None) -> Field:
        name = name or key
        if isinstance(spec, str):
            # Shorthand: ``period: year`` names the column.
            spec = {"column": spec}
        if not isinstance(spec, dict):
            raise self.error(key, "must be a dictionary", value=spec, expected="{column: …}")
        unknown = sorted(set(map(str, spec)) - _FIELD_KEYS)
        if unknown:
            raise self.error(
                f"{key}.{unknown[0]}",
                "unknown key",
                value=unknown[0],
                expected=", ".join(sorted(_FIELD_KEYS)),
            )
        column = spec.get("column")
        value = spec.get("value")
        if (column is None) == (value is None):
            raise self.error(key, "give exactly one of 'column' and 'value'", value=spec or None)
        recode = spec.get("values")
        if recode is not None:
            if not isinstance(recode, dict) or not recode:
                raise self.error(
                    f"{key}.values",
                    "must be a non-empty dictionary",
                    value=recode,
                    expected="{source value: id}",
                )
            recode = {_scalar(k): _scalar(v) for k, v in recode.items()}
        bands = spec.get("bands")
        if bands is not None:
            if (
                not isinstance(bands, list)
                or len(bands) < 2
                or not all(isinstance(b, int) and not isinstance(b, bool) for b in bands)
                or any(b >= c for b, c in zip(bands, bands[1:], strict=False))
                or bands[0] != 0
            ):
                raise self.error(
                    f"{key}.bands",
                    "must be the ascending whole-number starts of the bands, from 0",
                    value=bands,
                    expected="e.g. [0, 1, 5, 10, 15, …, 90]",
                )
            if recode is not None:
                raise self.error(f"{key}.bands", "give either 'values' or 'bands', not both")
            bands = tuple(bands)
        steps = self.key_steps(f"{key}.key", spec.get("key"))
        pad = spec.get("pad")
        if pad is not None and (isinstance(pad, bool) or not isinstance(pad, int) or pad < 1):
            raise self.error(f"{key}.pad", "must be a whole number ≥ 1", value=pad)
        if (steps or pad is not None) and column is None:
            raise self.error(key, "'key' and 'pad' apply to codes read from a column")
        return Field(
            name=name,
            key=steps,
            pad=pad,
            bands=bands,
            column=None if column is None else str(column),
            value=None if value is None else _scalar(value),
            label_column=None if spec.get("label_column") is None else str(spec["label_column"]),
            values=recode,
            level=None if spec.get("level") is None else str(spec["level"]),
            vintage=None if spec.get("vintage") is None else _scalar(spec["vintage"]),
        )

    def key_steps(self, where_key: str, spec: Any) -> tuple[KeyStep, ...]:
        if spec is None:
            return ()
        steps = spec if isinstance(spec, list) else [spec]
        if not steps:
            raise self.error(where_key, "an empty list of key steps")
        out = []
        for i, step in enumerate(steps):
            k = where_key if len(steps) == 1 else f"{where_key}[{i}]"
            if not isinstance(step, dict):
                raise self.error(k, "must be a dictionary", value=step, expected="{file, from, to}")
            unknown = sorted(set(map(str, step)) - _KEY_KEYS)
            if unknown:
                raise self.error(
                    f"{k}.{unknown[0]}", "unknown key", expected=", ".join(sorted(_KEY_KEYS))
                )
            for need in ("file", "from", "to"):
                if not step.get(need):
                    raise self.error(k, f"missing {need!r}", expected="{file, from, to, where}")
            where_raw = step.get("where") or {}
            if not isinstance(where_raw, dict):
                raise self.error(f"{k}.where", "must be a dictionary", value=where_raw)
            where = {
                str(c): tuple(_scalar(v) for v in (vs if isinstance(vs, list) else [vs]))
                for c, vs in where_raw.items()
            }
            base = Path(self.path).parent if self.path else Path.cwd()
            file = (base / str(step["file"])).resolve()
            table, excluded = _load_key(
                str(file), str(step["from"]), str(step["to"]), tuple(sorted(where.items())), k
            )
            out.append(
                KeyStep(str(file), str(step["from"]), str(step["to"]), where, table, excluded)
            )
        return tuple(out)

    def value_columns(self, spec: Any) -> ValueColumns:
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, dict):
            raise self.error("values", "must be a dictionary", value=spec)
        unknown = sorted(set(map(str, spec)) - {"column", "columns", "pattern", "to", "scale"})
        if unknown:
            raise self.error(
                f"values.{unknown[0]}",
                "unknown key",
                value=unknown[0],
                expected="column, columns, pattern, to, scale",
            )
        scale = spec.get("scale")
        if scale is not None and (
            isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0
        ):
            raise self.error("values.scale", "must be a positive number", value=scale)
        column = spec.get("column")
        columns = spec.get("columns") or {}
        pattern = spec.get("pattern")
        if column is not None and (columns or pattern):
            raise self.error(
                "values", "give either 'column' (long) or 'columns'/'pattern' (wide), not both"
            )
        if column is None and not columns and not pattern:
            raise self.error(
                "values", "no value column", expected="values: {column: …} or {pattern: …}"
            )
        to = str(spec.get("to", "period"))
        if to not in ("period", "indicator"):
            raise self.error("values.to", "unknown target", value=to, expected="period, indicator")
        parsed_cols: dict[str, dict[str, str]] = {}
        if columns:
            if isinstance(columns, list):
                raise self.error(
                    "values.columns",
                    "each column must say what it fixes",
                    value=columns,
                    expected='{"Antal 2020": {period: "2020"}}',
                )
            if not isinstance(columns, dict):
                raise self.error("values.columns", "must be a dictionary", value=columns)
            for header, consts in columns.items():
                k = f"values.columns.{header}"
                if not isinstance(consts, dict) or not consts:
                    raise self.error(
                        k,
                        "must fix period and/or indicator",
                        value=consts,
                        expected='{period: "2020"}',
                    )
                bad = sorted(set(map(str, consts)) - {"period", "indicator"})
                if bad:
                    raise self.error(k, "unknown key", value=bad[0], expected="period, indicator")
                parsed_cols[str(header)] = {str(a): _scalar(b) for a, b in consts.items()}
            kinds = {frozenset(c) for c in parsed_cols.values()}
            if len(kinds) > 1:
                raise self.error(
                    "values.columns",
                    "every value column must fix the same dimensions",
                    value=sorted(sorted(k) for k in kinds),
                )
        compiled = None
        if pattern is not None:
            try:
                compiled = re.compile(str(pattern))
            except re.error as exc:
                raise self.error(
                    "values.pattern", f"not a valid regular expression: {exc}", value=pattern
                ) from None
            named = set(compiled.groupindex) & {"period", "indicator"}
            if not named and compiled.groups < 1:
                raise self.error(
                    "values.pattern",
                    "the regular expression needs a capture group",
                    value=pattern,
                    expected=r"e.g. '^Antal (\d{4})$'",
                )
            if parsed_cols:
                fixed_by_cols = set(next(iter(parsed_cols.values())))
                fixed_by_pattern = named or {to}
                if fixed_by_cols != fixed_by_pattern:
                    raise self.error(
                        "values",
                        "'columns' and 'pattern' must fix the same dimensions",
                        value=[sorted(fixed_by_cols), sorted(fixed_by_pattern)],
                    )
        return ValueColumns(
            column=None if column is None else str(column),
            columns=parsed_cols,
            pattern=compiled,
            to=to,
            scale=None if scale is None else float(scale),
        )

    def format(self, spec: Any) -> FormatOptions:
        if not isinstance(spec, dict):
            raise self.error("format", "must be a dictionary", value=spec)
        unknown = sorted(set(map(str, spec)) - _FORMAT_KEYS)
        if unknown:
            raise self.error(
                f"format.{unknown[0]}",
                "unknown key",
                value=unknown[0],
                expected=", ".join(sorted(_FORMAT_KEYS)),
            )
        delimiter = spec.get("delimiter")
        if delimiter is not None:
            if str(delimiter) not in _DELIMITERS:
                raise self.error(
                    "format.delimiter",
                    "unsupported delimiter",
                    value=delimiter,
                    expected='";", ",", "\\t" or "|"',
                )
            delimiter = _DELIMITERS[str(delimiter)]
        decimal = spec.get("decimal")
        if decimal is not None and decimal not in (",", "."):
            raise self.error(
                "format.decimal", "unsupported decimal mark", value=decimal, expected='"," or "."'
            )
        thousands = spec.get("thousands")
        if thousands is not None:
            thousands = str(thousands)
            if len(thousands) != 1 or thousands.isdigit():
                raise self.error(
                    "format.thousands", "must be one non-digit character", value=thousands
                )
            if thousands == (decimal or ""):
                raise self.error("format.thousands", "equals the decimal mark", value=thousands)
        encoding = spec.get("encoding")
        if encoding is not None:
            import codecs

            try:
                encoding = codecs.lookup(str(encoding)).name
            except LookupError:
                raise self.error(
                    "format.encoding",
                    "unknown encoding",
                    value=encoding,
                    expected="utf-8, utf-8-sig, cp1252, latin-1, utf-16",
                ) from None
        ints = {}
        for key in ("skip_rows", "footer_lines"):
            v = spec.get(key, 0)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise self.error(f"format.{key}", "must be a whole number ≥ 0", value=v)
            ints[key] = v
        missing = spec.get("missing")
        if missing is None:
            missing_t = DEFAULT_MISSING
        else:
            if isinstance(missing, str) or not isinstance(missing, list):
                raise self.error("format.missing", "must be a list of symbols", value=missing)
            missing_t = tuple(_scalar(m) for m in missing)
        lists = {}
        for key, default in (("suppressed", DEFAULT_SUPPRESSED), ("fill_down", ())):
            v = spec.get(key)
            if v is None:
                lists[key] = default
                continue
            if isinstance(v, str) or not isinstance(v, list):
                raise self.error(f"format.{key}", "must be a list", value=v)
            lists[key] = tuple(_scalar(x) for x in v)
        sheet = spec.get("sheet")
        return FormatOptions(
            suppressed=lists["suppressed"],
            fill_down=lists["fill_down"],
            delimiter=delimiter,
            decimal=decimal,
            thousands=thousands,
            encoding=encoding,
            skip_rows=ints["skip_rows"],
            footer_lines=ints["footer_lines"],
            sheet=None if sheet is None else str(sheet),
            missing=missing_t,
        )


def _load_key(
    file: str, source: str, target: str, where: tuple[tuple[str, tuple[str, ...]], ...], key: str
) -> tuple[dict[str, str], frozenset[str]]:
    """Read a key file: the ``source`` → ``target`` table of the rows ``where`` keeps and the
    codes of the rows it leaves out (read once per version of the file)."""
    try:
        st = Path(file).stat()
    except FileNotFoundError:
        raise MappingError("key file not found", path=file, location=f"key {key!r}") from None
    return _read_key(file, st.st_mtime_ns, st.st_size, source, target, where, key)


@functools.lru_cache(maxsize=32)
def _read_key(
    file: str,
    _mtime: int,
    _size: int,
    source: str,
    target: str,
    where: tuple[tuple[str, tuple[str, ...]], ...],
    key: str,
) -> tuple[dict[str, str], frozenset[str]]:
    import csv

    p = Path(file)
    where_key = f"key {key!r}"
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError("key file not found", path=file, location=where_key) from None
    except UnicodeDecodeError as exc:
        raise MappingError(
            "key file is not UTF-8", path=file, location=f"byte {exc.start}"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = rows.fieldnames or []
    for col in (source, target, *(c for c, _ in where)):
        if col not in header:
            raise MappingError(
                f"column {col!r} is not in the key file",
                path=file,
                location=where_key,
                value=col,
                expected="one of " + ", ".join(repr(h) for h in header),
            )
    keep = dict(where)
    table: dict[str, str] = {}
    excluded: set[str] = set()
    for line, r in enumerate(rows, start=2):
        code = (r.get(source) or "").strip()
        if not code:
            continue
        if any((r.get(c) or "").strip() not in vs for c, vs in keep.items()):
            excluded.add(code)
            continue
        to = (r.get(target) or "").strip()
        if not to:
            raise MappingError(
                f"empty {target!r} in the key file",
                path=file,
                location=f"line {line}",
                value=code,
                expected=f"a code in column {target!r}",
            )
        if table.setdefault(code, to) != to:
            raise MappingError(
                f"the key gives {code!r} two codes",
                path=file,
                location=f"line {line}",
                value=(table[code], to),
                expected=f"one {target!r} per {source!r}",
            )
    both = excluded & set(table)
    if both:
        raise MappingError(
            "a code is both kept and left out by 'where'",
            path=file,
            location=where_key,
            value=sorted(both)[:3],
        )
    return table, frozenset(excluded)


def _scalar(v: Any) -> str:
    """YAML turns ``2020`` into an int and ``yes`` into a bool; codes are always text."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


_LEADING_NUMBER = re.compile(r"\s*(\d+)")


def band_label(bands: tuple[int, ...], i: int) -> str:
    """The name of band ``i``: ``"0"``, ``"1-4"``, …, and ``"90+"`` for the open last band."""
    start = bands[i]
    if i == len(bands) - 1:
        return f"{start}+"
    end = bands[i + 1] - 1
    return str(start) if end == start else f"{start}-{end}"


def band_of(bands: tuple[int, ...], code: str) -> str | None:
    """The band of a code whose leading number is an age (``"7"``, ``"7 years"``, ``"100+"``);
    ``None`` when the code has no leading number (e.g. ``"total"``)."""
    import bisect

    m = _LEADING_NUMBER.match(str(code))
    if not m:
        return None
    return band_label(bands, bisect.bisect_right(bands, int(m.group(1))) - 1)
