"""The neutral data cube every reader produces."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dimension:
    """One variable of a cube, e.g. ``region`` or ``Tid``.

    ``codes`` and ``labels`` are parallel lists in the order of the data. ``role`` is ``"time"``,
    ``"geo"``, ``"content"`` (the measure: what the number is) or ``None`` for a group dimension.
    ``labels_by_lang`` holds translations when the source has them (``{"en": [...]}``).
    """

    code: str
    label: str
    codes: list[str]
    labels: list[str]
    role: str | None = None
    elimination: str | bool | None = None
    labels_by_lang: dict[str, list[str]] = field(default_factory=dict)
    label_by_lang: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # content code -> unit

    def __len__(self) -> int:
        return len(self.codes)


@dataclass
class Cube:
    """A dense table of cells over ordered dimensions, in row-major order (last dimension fastest).

    ``values`` is a float64 array with NaN where a cell has no number; ``symbols`` maps the flat
    index of such a cell to the missing-value symbol found in the file (``".."``, ``"-"`` …) so the
    reason is kept. ``notes`` holds cell notes keyed by flat index (PX ``DATANOTECELL``) and
    ``meta`` any table-level metadata (title, source, units, contents, updated, language, …).
    """

    dimensions: list[Dimension]
    values: np.ndarray
    symbols: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)
    source: str | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(d) for d in self.dimensions)

    def __len__(self) -> int:
        return int(self.values.size)

    def dimension(self, code: str) -> Dimension:
        for d in self.dimensions:
            if d.code == code:
                return d
        raise KeyError(code)

    def cells(self) -> Iterator[tuple[dict[str, str], float | None, str | None]]:
        """Yield ``(coords, value, symbol)`` for every cell; ``coords`` maps dimension code to value
        code; ``value`` is None when the cell is missing (then ``symbol`` says why)."""
        shape = self.shape
        flat = self.values.reshape(-1)
        for i, idx in enumerate(np.ndindex(*shape) if shape else [()]):
            coords = {d.code: d.codes[j] for d, j in zip(self.dimensions, idx, strict=True)}
            v = flat[i]
            if np.isnan(v):
                yield coords, None, self.symbols.get(i)
            else:
                yield coords, float(v), None

    def value(self, **coords: str) -> float | None:
        """The value of one cell addressed by codes (or labels), ``None`` when missing."""
        idx = []
        for d in self.dimensions:
            key = coords[d.code]
            if key in d.codes:
                idx.append(d.codes.index(key))
            else:
                idx.append(d.labels.index(key))
        v = (
            self.values[tuple(idx)]
            if self.values.ndim == len(idx)
            else self.values.reshape(self.shape)[tuple(idx)]
        )
        return None if np.isnan(v) else float(v)


@dataclass
class StreamedCube(Cube):
    """A cube whose numbers are read from the file only as :meth:`cells` reaches them (see
    :func:`skillnader.readers.px.stream_px`): ``values`` is empty, ``len`` is the number of
    cells, and the cells can be iterated once. ``symbols`` fills up as the cells are read."""

    size: int = 0
    chunks: Iterator[tuple[int, np.ndarray]] | None = None
    close: Callable[[], None] | None = None

    def __len__(self) -> int:
        return self.size

    def cells(self) -> Iterator[tuple[dict[str, str], float | None, str | None]]:
        if self.chunks is None:
            raise RuntimeError("the cells of a streamed cube can be read only once")
        chunks, self.chunks = self.chunks, None
        shape = self.shape
        index = np.ndindex(*shape) if shape else iter([()])
        names = [d.code for d in self.dimensions]
        codes = [d.codes for d in self.dimensions]
        try:
            for offset, vals in chunks:
                for k, v in enumerate(vals.tolist()):
                    idx = next(index)
                    coords = {n: c[j] for n, c, j in zip(names, codes, idx, strict=True)}
                    if v != v:  # NaN: a missing cell
                        yield coords, None, self.symbols.get(offset + k)
                    else:
                        yield coords, v, None
        finally:
            if self.close is not None:
                self.close()

    def value(self, **coords: str) -> float | None:
        raise TypeError("a streamed cube has no random access to its cells; read it whole instead")
