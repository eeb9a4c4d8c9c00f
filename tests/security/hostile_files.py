"""Hostile staff-supplied files for the importer limits (issue 16, items 7 and 9), made on the
fly: small files that declare or expand to enormous sizes, and malformed ones that used to end in
a traceback or a misleading message."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

CSV_MAP = """\
source: {id: %s}
area: {column: kod, level: kommun}
period: {column: år}
indicator: {value: population}
values: {column: antal}
"""


def csv_pair(tmp: Path, name: str, body: str, mapping: str | None = None) -> tuple[Path, Path]:
    data = tmp / f"{name}.csv"
    data.write_text(body, encoding="utf-8")
    spec = tmp / f"{name}.yaml"
    spec.write_text(mapping or CSV_MAP % name, encoding="utf-8")
    return data, spec


def jsonstat_declaring(tmp: Path, per_dim: int = 14_000) -> Path:
    """A JSON-stat 2.0 dataset declaring per_dim² cells (196 million) with one sparse value."""
    cats = {f"c{i}": i for i in range(per_dim)}
    doc = {
        "version": "2.0",
        "class": "dataset",
        "id": ["region", "tid"],
        "size": [per_dim, per_dim],
        "dimension": {
            "region": {"category": {"index": cats}},
            "tid": {"category": {"index": cats}},
        },
        "value": {"0": 1},
    }
    path = tmp / "deklarerar.json"
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return path


def yaml_laughs(name: str, levels: int = 9) -> str:
    """A ~700-byte mapping whose nested aliases expand to 9**levels strings."""
    lines = ['l0: &l0 ["haha","haha","haha","haha","haha","haha","haha","haha","haha"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n" + CSV_MAP % name + f"note: *l{levels - 1}\n"


def px_with_header(tmp: Path, header_mb: float, *, statements: bool) -> Path:
    """A PC-Axis file whose header is ``header_mb`` MB: many statements or one long value."""
    head = (
        b'CHARSET="ANSI";\nAXIS-VERSION="2010";\nMATRIX="T";\nSUBJECT-AREA="x";\n'
        b'SUBJECT-CODE="x";\nTITLE="t";\nCONTENTS="c";\nUNITS="st";\nDECIMALS=0;\n'
        b'STUB="region";\nHEADING="tid";\nVALUES("tid")="2020";\n'
    )
    size = int(header_mb * (1 << 20))
    path = tmp / ("manga.px" if statements else "lang.px")
    with open(path, "wb") as fh:
        fh.write(head)
        if statements:
            n = 0
            written = 0
            while written < size:
                line = f'CELLNOTE("*","{n}")="{"x" * 40}";\n'.encode()
                fh.write(line)
                written += len(line)
                n += 1
        else:
            fh.write(b'NOTE="' + b"y" * size + b'";\n')
        fh.write(b'VALUES("region")="a","b";\nDATA=\n1 2;\n')
    return path


def xlsx_bomb(tmp: Path, unpacked_mb: int = 2048) -> Path:
    """An XLSX whose sheet unpacks to ``unpacked_mb`` MB: a valid workbook with one sheet of
    blank rows, deflated ~1000:1 (a few MB on disk). Written in streamed pieces."""
    path = tmp / "bomb.xlsx"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats'
            '.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id='
            '"rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
            '"worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            block = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' * 16384
            for _ in range(unpacked_mb * (1 << 20) // len(block)):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return path


def geojson(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def feature(code: str, geometry) -> dict:
    return {
        "type": "Feature",
        "properties": {"kod": code, "namn": f"Område {code}"},
        "geometry": geometry,
    }


def deep_geojson(depth: int = 100_000) -> str:
    """A polygon whose coordinates nest ``depth`` arrays deep."""
    return (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kod":"1",'
        '"namn":"x"},"geometry":{"type":"Polygon","coordinates":'
        + "[" * depth
        + "]" * depth
        + "}}]}"
    )


def many_vertex_polygon(n: int, teeth: float = 0.0) -> dict:
    """A valid polygon (a circle around Stockholm, about 3 km across) with ``n`` vertices; with
    ``teeth`` every other vertex is that fraction nearer the centre (0.02: about 60 m), a saw edge
    no simplification within a few metres can thin out."""
    import math

    def r(i: int) -> float:
        return 1.0 - teeth * (i % 2)

    ring = [
        [
            18.0 + 0.05 * r(i) * math.cos(2 * math.pi * i / n),
            59.3 + 0.03 * r(i) * math.sin(2 * math.pi * i / n),
        ]
        for i in range(n)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()
