"""Clients for the two APIs the field's statistics come from: SCB's PxWebApi 2.0 and Kolada v3.

Both share one HTTP layer (:class:`HttpFetcher`): an on-disk cache keyed on method, URL and body
so that a rebuild does not download again, retries with back-off on HTTP 429/503 (honouring
``Retry-After``, else exponential), timeouts, and :class:`ApiError` (a
:class:`~skillnader.errors.NetworkError`) naming the URL and the status.

References: SCB, *PxWebApi 2.0* (OpenAPI description PxAPI-2.yml, https://github.com/PxTools/PxApiSpecs);
RKA, *Kolada API v3* (https://api.kolada.se/v3/docs).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from skillnader.errors import (
    DuplicateKeyError,
    FormatError,
    InputError,
    NetworkError,
    ShapeError,
)
from skillnader.readers.base import Cube, Dimension
from skillnader.readers.jsonstat import JsonStatMetadata, read_jsonstat, read_jsonstat_metadata

__all__ = [
    "ApiError",
    "EmptyResultError",
    "HttpFetcher",
    "KoladaClient",
    "ScbClient",
    "merge_cubes",
]

DEFAULT_CACHE = Path(os.environ.get("SKILLNADER_CACHE", "~/.cache/skillnader")).expanduser()
_RETRY_STATUS = {429, 502, 503, 504}


class ApiError(NetworkError):
    """An API answered with an error status, or could not be reached.

    ``url`` is the request URL, ``status`` the HTTP status (``None`` when no answer came).
    """

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(message)


class EmptyResultError(InputError):
    """The API answered, but with no data for the selection (rather than an empty table)."""


class HttpFetcher:
    """GET/POST with an on-disk cache, retries and typed errors.

    ``cache_dir=None`` uses ``~/.cache/skillnader`` (or ``$SKILLNADER_CACHE``); ``use_cache=False``
    turns the cache off. ``sleep`` is injectable so tests do not wait; ``transport`` lets tests
    serve recorded responses through :class:`httpx.MockTransport`.
    """

    def __init__(
        self,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        use_cache: bool = True,
        timeout: float = 60.0,
        max_tries: int = 5,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "skillnader/0.1 (python-httpx)",
    ) -> None:
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else DEFAULT_CACHE
        self.use_cache = use_cache
        self.max_tries = max(1, max_tries)
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.requests_made = 0
        self._client = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _key(self, method: str, url: str, body: bytes | None) -> Path:
        h = hashlib.sha256()
        h.update(method.encode())
        h.update(b"\n")
        h.update(url.encode())
        h.update(b"\n")
        h.update(body or b"")
        digest = h.hexdigest()
        return self.cache_dir / digest[:2] / f"{digest}.json"

    def fetch(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
    ) -> bytes:
        """Return the body of a successful response (from the cache when present)."""
        full = str(httpx.URL(url, params=params)) if params else url
        body = (
            None
            if json_body is None
            else json.dumps(json_body, sort_keys=True, ensure_ascii=False).encode("utf-8")
        )
        path = self._key(method, full, body)
        if self.use_cache and path.exists():
            return path.read_bytes()
        content = self._request(method, full, body)
        if self.use_cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(content)
            os.replace(tmp, path)  # atomic: a crash never leaves half a response in the cache
        return content

    def fetch_json(self, method: str, url: str, **kw: Any) -> Any:
        raw = self.fetch(method, url, **kw)
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ApiError(
                f"{method} {url}: the answer is not JSON ({exc})", url=url, status=200
            ) from exc

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            ra = response.headers.get("Retry-After")
            if ra:
                ra = ra.strip()
                if ra.isdigit():
                    return min(float(ra), self.max_wait)
                try:
                    when = email.utils.parsedate_to_datetime(ra)
                    return min(max(0.0, when.timestamp() - time.time()), self.max_wait)
                except (TypeError, ValueError):
                    pass
        return min(self.backoff * 2**attempt, self.max_wait)

    def _request(self, method: str, url: str, body: bytes | None) -> bytes:
        headers = {"Content-Type": "application/json"} if body is not None else None
        last: str = ""
        status: int | None = None
        for attempt in range(self.max_tries):
            response: httpx.Response | None = None
            try:
                self.requests_made += 1
                response = self._client.request(method, url, content=body, headers=headers)
            except httpx.TimeoutException as exc:
                last, status = f"timed out ({type(exc).__name__})", None
            except httpx.TransportError as exc:
                last, status = f"could not connect ({exc})", None
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response.content
                text = response.text[:200].strip()
                last = f"HTTP {status}" + (f": {text}" if text else "")
                if status not in _RETRY_STATUS:
                    raise ApiError(f"{method} {url} failed: {last}", url=url, status=status)
            if attempt + 1 < self.max_tries:
                self.sleep(self._wait(attempt, response))
        raise ApiError(
            f"{method} {url} failed after {self.max_tries} tries: {last}", url=url, status=status
        )


# ------------------------------------------------------------------------------------------------
def merge_cubes(cubes: Sequence[Cube]) -> Cube:
    """Merge cubes that cover disjoint parts of one table (same dimensions, same order).

    Value codes of each dimension keep their order of first appearance across the parts. Cells no
    part covers are NaN. A cell given by two parts with different values raises
    :class:`~skillnader.errors.ShapeError`.
    """
    if not cubes:
        raise InputError("nothing to merge", expected="at least one cube")
    first = cubes[0]
    if len(cubes) == 1:
        return first
    ids = [d.code for d in first.dimensions]
    dims: list[Dimension] = []
    for k, code in enumerate(ids):
        codes: list[str] = []
        labels: list[str] = []
        seen: set[str] = set()
        units: dict[str, str] = {}
        for c in cubes:
            if [d.code for d in c.dimensions] != ids:
                raise ShapeError(
                    "the parts have different dimensions",
                    value=[d.code for d in c.dimensions],
                    expected=", ".join(ids),
                )
            d = c.dimensions[k]
            units.update(d.units)
            for cc, lab in zip(d.codes, d.labels, strict=True):
                if cc not in seen:
                    seen.add(cc)
                    codes.append(cc)
                    labels.append(lab)
        d0 = first.dimensions[k]
        dims.append(
            Dimension(
                code=code,
                label=d0.label,
                codes=codes,
                labels=labels,
                role=d0.role,
                elimination=d0.elimination,
                label_by_lang=dict(d0.label_by_lang),
                units=units,
            )
        )
    shape = tuple(len(d) for d in dims)
    values = np.full(shape, np.nan)
    given = np.zeros(shape, dtype=bool)
    symbols: dict[int, str] = {}
    notes: dict[int, str] = {}
    where = [{x: i for i, x in enumerate(d.codes)} for d in dims]
    for c in cubes:
        pos = [
            np.array([w[x] for x in cd.codes], dtype=np.int64)
            for w, cd in zip(where, c.dimensions, strict=True)
        ]
        sel = np.ix_(*pos)
        part = c.values.reshape(c.shape)
        clash = given[sel] & ~((values[sel] == part) | (np.isnan(values[sel]) & np.isnan(part)))
        if clash.any():
            raise ShapeError(
                "two parts give different values for the same cell",
                location=str(c.source),
                expected="disjoint parts",
            )
        values[sel] = part
        given[sel] = True
        if c.symbols or c.notes:
            grids = np.meshgrid(*pos, indexing="ij")
            flat_new = np.ravel_multi_index([g.ravel() for g in grids], shape)
            for i, s in c.symbols.items():
                symbols[int(flat_new[i])] = s
            for i, s in c.notes.items():
                notes[int(flat_new[i])] = s
    meta = dict(first.meta)
    meta.pop("status", None)
    meta["parts"] = len(cubes)
    return Cube(
        dimensions=dims,
        values=values,
        symbols=dict(sorted(symbols.items())),
        notes=dict(sorted(notes.items())),
        meta=meta,
        source=first.source,
    )


# ------------------------------------------------------------------------------------------------
class ScbClient:
    """Statistics Sweden's PxWebApi 2.0 (``https://statistikdatabasen.scb.se/api/v2``).

    ``data()`` asks for JSON-stat 2.0 and, when a selection exceeds the server's ``maxDataCells``
    (from ``/config``), splits it into requests that each fit and merges the answers, so the
    caller always gets one cube. Extra keyword arguments go to :class:`HttpFetcher`.
    """

    def __init__(
        self,
        base_url: str = "https://statistikdatabasen.scb.se/api/v2",
        *,
        lang: str = "sv",
        max_cells: int | None = None,
        fetcher: HttpFetcher | None = None,
        **http: Any,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.http = fetcher or HttpFetcher(**http)
        self._max_cells = max_cells
        self._config: dict[str, Any] | None = None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ScbClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def config(self) -> dict[str, Any]:
        """The ``/config`` answer (API version, languages, ``maxDataCells``, rate limits)."""
        if self._config is None:
            url = f"{self.base_url}/config"
            cfg = self.http.fetch_json("GET", url)
            if not isinstance(cfg, dict):
                raise ApiError(f"GET {url}: unexpected answer", url=url, status=200)
            self._config = cfg
        return self._config

    @property
    def max_cells(self) -> int:
        """Largest number of cells one data request may ask for."""
        if self._max_cells is None:
            value = self.config().get("maxDataCells")
            if not isinstance(value, int) or value <= 0:
                url = f"{self.base_url}/config"
                raise ApiError(f"GET {url}: no usable maxDataCells", url=url, status=200)
            self._max_cells = value
        return self._max_cells

    def list_tables(
        self, query: str | None = None, *, page_size: int = 100, max_pages: int | None = None
    ) -> list[dict[str, Any]]:
        """Tables matching ``query`` (all tables without it), following the ``next`` links."""
        params: dict[str, Any] = {"lang": self.lang, "pageSize": page_size}
        if query:
            params["query"] = query
        url: str | None = f"{self.base_url}/tables"
        out: list[dict[str, Any]] = []
        pages = 0
        seen: set[str] = set()
        while url is not None:
            key = url + json.dumps(params, sort_keys=True)
            if key in seen:
                raise ApiError(f"GET {url}: paging loops back to a page already read", url=url)
            seen.add(key)
            doc = self.http.fetch_json("GET", url, params=params)
            tables = doc.get("tables") if isinstance(doc, dict) else None
            if not isinstance(tables, list):
                raise ApiError(f"GET {url}: no 'tables' list in the answer", url=url, status=200)
            out.extend(tables)
            pages += 1
            if max_pages is not None and pages >= max_pages:
                break
            links = (doc.get("page") or {}).get("links") or []
            url = next((ln.get("href") for ln in links if ln.get("rel") == "next"), None)
            params = {}  # the next link carries its own query string
        return out

    def table_metadata(self, table_id: str) -> JsonStatMetadata:
        """Dimensions and values of a table (``/tables/{id}/metadata`` as JSON-stat 2.0)."""
        url = f"{self.base_url}/tables/{table_id}/metadata"
        doc = self.http.fetch_json(
            "GET", url, params={"lang": self.lang, "outputFormat": "json-stat2"}
        )
        md = read_jsonstat_metadata(doc)
        md.meta["url"] = url
        return md

    def plan(
        self,
        table_id: str,
        selection: dict[str, Sequence[str]] | None = None,
        *,
        codelists: dict[str, str] | None = None,
    ) -> list[dict[str, list[str]]]:
        """Resolve a selection against the table's metadata and split it into requests.

        ``selection`` maps a variable code to value codes (``["*"]`` for all). Variables left out
        are eliminated when the table allows it and otherwise taken in full. Each returned part
        asks for at most :attr:`max_cells` cells.
        """
        md = self.table_metadata(table_id)
        selection = dict(selection or {})
        codelists = dict(codelists or {})
        known = {d.code for d in md.dimensions}
        for var in list(selection) + list(codelists):
            if var not in known:
                raise InputError(
                    f"table {table_id} has no variable {var!r}",
                    path=f"{self.base_url}/tables/{table_id}",
                    value=var,
                    expected=", ".join(sorted(known)),
                )
        resolved: dict[str, list[str]] = {}
        for d in md.dimensions:
            want = selection.get(d.code)
            if want is None:
                if d.elimination in (None, False):
                    resolved[d.code] = list(d.codes)
                continue
            want = [str(w) for w in want]
            if d.code in codelists:
                resolved[d.code] = want  # codes of the code list, not of the table
            elif want == ["*"]:
                resolved[d.code] = list(d.codes)
            else:
                unknown = [w for w in want if w not in d.codes]
                if unknown:
                    raise InputError(
                        f"variable {d.code!r} of table {table_id} has no value {unknown[0]!r}",
                        path=f"{self.base_url}/tables/{table_id}",
                        value=unknown[0],
                        expected=f"one of {len(d.codes)} codes, e.g. {', '.join(d.codes[:5])}",
                    )
                resolved[d.code] = want
        return _split(resolved, self.max_cells)

    def data(
        self,
        table_id: str,
        selection: dict[str, Sequence[str]] | None = None,
        *,
        codelists: dict[str, str] | None = None,
    ) -> Cube:
        """Cells of a table as one cube, fetched in as many requests as the cell limit needs."""
        parts = self.plan(table_id, selection, codelists=codelists)
        url = f"{self.base_url}/tables/{table_id}/data"
        cubes = []
        for part in parts:
            body = {
                "selection": [
                    {"variableCode": var, "valueCodes": codes}
                    | ({"codelist": codelists[var]} if codelists and var in codelists else {})
                    for var, codes in part.items()
                ]
            }
            doc = self.http.fetch_json(
                "POST",
                url,
                params={"lang": self.lang, "outputFormat": "json-stat2"},
                json_body=body,
            )
            try:
                cube = read_jsonstat(doc)
            except InputError as exc:
                raise FormatError(
                    f"the answer is not a usable JSON-stat dataset: {exc.message}",
                    path=url,
                    location=exc.location,
                ) from exc
            cube.source = url
            cubes.append(cube)
        merged = merge_cubes(cubes)
        merged.meta["requests"] = len(parts)
        merged.meta["table_id"] = table_id
        merged.source = url
        return merged


def _count(sel: dict[str, list[str]]) -> int:
    return math.prod(len(v) for v in sel.values()) if sel else 1


def _split(sel: dict[str, list[str]], limit: int) -> list[dict[str, list[str]]]:
    """Split a selection into parts of at most ``limit`` cells, cutting the longest list first."""
    n = _count(sel)
    if n <= limit:
        return [sel]
    var = max(sel, key=lambda k: len(sel[k]))
    codes = sel[var]
    if len(codes) <= 1:
        return [sel]  # cannot be cut further; the server will say if it is too large
    per_code = n // len(codes)
    step = max(1, limit // per_code) if per_code else len(codes)
    out: list[dict[str, list[str]]] = []
    for i in range(0, len(codes), step):
        part = dict(sel)
        part[var] = codes[i : i + step]
        out.extend(_split(part, limit))
    return out


# ------------------------------------------------------------------------------------------------
_GENDER_ORDER = {"T": 0, "K": 1, "M": 2}


class KoladaClient:
    """Kolada v3 (``https://api.kolada.se/v3``): KPI × municipality × year data.

    ``data()`` follows ``next_page`` links (``per_page`` up to 5,000 rows) and returns a cube with
    dimensions ``kpi``, ``municipality``, ``period`` (role time) and ``gender`` (``T`` total,
    ``K`` women, ``M`` men). Null values are NaN; a non-empty Kolada ``status`` of a missing value
    is kept in ``Cube.symbols`` and every status in ``meta["status"]``.
    """

    def __init__(
        self,
        base_url: str = "https://api.kolada.se/v3",
        *,
        per_page: int = 5000,
        years_per_request: int = 25,
        fetcher: HttpFetcher | None = None,
        **http: Any,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.per_page = per_page
        self.years_per_request = years_per_request
        self.http = fetcher or HttpFetcher(**http)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> KoladaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _urls(
        self, kpis: Sequence[str], municipalities: Sequence[str] | None, years: Sequence[int] | None
    ) -> list[str]:
        base = f"{self.base_url}/data/kpi/{','.join(kpis)}"
        if municipalities:
            base += f"/municipality/{','.join(municipalities)}"
        if not years:
            return [base]
        ys = [str(y) for y in years]
        step = max(1, self.years_per_request)
        return [f"{base}/year/{','.join(ys[i : i + step])}" for i in range(0, len(ys), step)]

    def rows(
        self,
        kpis: Sequence[str],
        municipalities: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        """Yield ``(page_url, row)`` for every data row across all pages."""
        for first in self._urls(kpis, municipalities, years):
            url: str | None = first
            params: dict[str, Any] | None = {"per_page": self.per_page}
            seen: set[str] = set()
            while url:
                key = str(httpx.URL(url, params=params)) if params else url
                if key in seen:
                    raise ApiError(f"GET {key}: next_page loops back", url=key)
                seen.add(key)
                doc = self.http.fetch_json("GET", url, params=params)
                if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
                    raise FormatError(
                        "a Kolada answer without a 'values' list",
                        path=key,
                        location="values",
                        expected='{"values": [...], "next_page": ...}',
                    )
                for row in doc["values"]:
                    yield key, row
                url = doc.get("next_page") or None
                params = None  # next_page is a full URL with its own query string

    def data(
        self,
        kpis: Sequence[str],
        municipalities: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
    ) -> Cube:
        """KPI values as a cube ``kpi × municipality × period × gender``."""
        if not kpis:
            raise InputError("no KPI asked for", expected="at least one KPI id, e.g. N00945")
        records: list[tuple[str, str, str, str, float, str, str]] = []
        for url, row in self.rows(kpis, municipalities, years):
            try:
                kpi = str(row["kpi"])
                muni = str(row["municipality"])
                period = str(row["period"])
                cells = row["values"]
            except (KeyError, TypeError) as exc:
                raise FormatError(
                    "a Kolada row without kpi, municipality, period and values",
                    path=url,
                    location="values[]",
                    value=row,
                ) from exc
            for cell in cells:
                gender = str(cell.get("gender") or "T")
                v = cell.get("value")
                if v is None:
                    fv = math.nan
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    fv = float(v)
                else:
                    raise FormatError(
                        "a Kolada value that is not a number",
                        path=url,
                        location=f"kpi {kpi}, municipality {muni}, period {period}",
                        value=v,
                        expected="a number or null",
                    )
                records.append((kpi, muni, period, gender, fv, str(cell.get("status") or ""), url))

        if not records:
            raise EmptyResultError(
                "Kolada has no values for this selection",
                path=self._urls(kpis, municipalities, years)[0],
                value={
                    "kpi": list(kpis),
                    "municipality": list(municipalities or []),
                    "year": list(years or []),
                },
                expected="KPI ids, municipality codes and years that Kolada publishes",
            )

        def order(values: Iterable[str], wanted: Sequence[str] | None) -> list[str]:
            present = list(dict.fromkeys(values))
            if wanted:
                rank = {w: i for i, w in enumerate(wanted)}
                return sorted(present, key=lambda x: (rank.get(x, len(rank)), x))
            return sorted(present)

        kpi_codes = order((r[0] for r in records), list(kpis))
        muni_codes = order((r[1] for r in records), list(municipalities or []))
        period_codes = order((r[2] for r in records), [str(y) for y in years or []])
        gender_codes = sorted({r[3] for r in records}, key=lambda g: (_GENDER_ORDER.get(g, 9), g))
        dims = [
            Dimension("kpi", "Nyckeltal", kpi_codes, list(kpi_codes), role="content"),
            Dimension("municipality", "Kommun", muni_codes, list(muni_codes), role="geo"),
            Dimension("period", "År", period_codes, list(period_codes), role="time"),
            Dimension(
                "gender",
                "Kön",
                gender_codes,
                [{"T": "Totalt", "K": "Kvinnor", "M": "Män"}.get(g, g) for g in gender_codes],
            ),
        ]
        shape = tuple(len(d) for d in dims)
        values = np.full(shape, np.nan)
        given = np.zeros(shape, dtype=bool)
        idx = [{c: i for i, c in enumerate(d.codes)} for d in dims]
        symbols: dict[int, str] = {}
        status: dict[int, str] = {}
        for kpi, muni, period, gender, fv, st, url in records:
            pos = (idx[0][kpi], idx[1][muni], idx[2][period], idx[3][gender])
            if given[pos]:
                raise DuplicateKeyError(
                    "the same KPI × municipality × period × gender occurs twice",
                    path=url,
                    location=f"kpi {kpi}, municipality {muni}, period {period}, gender {gender}",
                )
            given[pos] = True
            values[pos] = fv
            if st:
                flat = int(np.ravel_multi_index(pos, shape))
                status[flat] = st
                if math.isnan(fv):
                    symbols[flat] = st
        meta: dict[str, object] = {"source": "Kolada (RKA)", "rows": len(records)}
        if status:
            meta["status"] = status
        return Cube(
            dimensions=dims,
            values=values,
            symbols=symbols,
            meta=meta,
            source=self._urls(kpis, municipalities, years)[0],
        )
