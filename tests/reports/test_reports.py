"""The city report and the area profiles, generated from the bundled real Stockholm data.

The PDFs are made once per module (they take most of the time) and checked through their text
(pdftotext) and page images (pdftoppm, saved under test-artifacts/reports/ for inspection).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
YEAR = 2023


def pdftext(path: Path, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def norm(text: str) -> str:
    """Whitespace (including the narrow no-break space) collapsed to single spaces."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text).strip()


def pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))


def to_png(pdf: Path, stem: str, first: int = 1, last: int = 3) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / stem
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", str(first), "-l", str(last), str(pdf), str(prefix)],
        check=True,
    )
    return sorted(ARTIFACTS.glob(f"{stem}-*.png"))


@pytest.fixture(scope="module")
def reports(bundle_db, django_db_blocker, tmp_path_factory):
    """The city report for 2023 and a profile of every stadsdelsområde (vintage 2023)."""
    from skillnader.reports.area import all_profiles, area_profile
    from skillnader.reports.city import city_report

    out = tmp_path_factory.mktemp("reports")
    with django_db_blocker.unblock():
        city = city_report(YEAR, out / "city.pdf", "sv")
        profiles = all_profiles(out / "sdo", level="sdo", vintage="2023", year=YEAR)
        basomrade = area_profile("1010110", out / "basomrade.pdf", level="basomrade", year=2015)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    to_png(city, "city", 1, 8)
    for p in profiles[:3]:
        to_png(p, f"profile-{p.stem}", 1, 2)
    to_png(basomrade, "profile-basomrade-1010110", 1, 2)
    return {"city": city, "profiles": profiles, "basomrade": basomrade, "dir": out}


def _findings(year: int):
    """The analysis recomputed here from the published cells, independently of the report."""
    import polars as pl
    from django.db.models import Q

    from skillnader.analysis.findings import IndicatorInfo, analyse
    from skillnader.web.data.models import Area, Indicator, Observation, public_observations

    city = Area.objects.get(level_id="kommun", code="0180")
    rows = list(
        public_observations(Observation.objects.all())
        .filter(value__isnull=False, year__lte=year)
        .filter(Q(area=city) | Q(area__level__order__gt=city.level.order))
        .values_list(
            "indicator_id",
            "area__level_id",
            "area__vintage__code",
            "area__code",
            "group__key",
            "period",
            "value",
            "lower",
            "upper",
        )
    )
    cols = ["indicator", "level", "vintage", "area_code", "group", "period"]
    schema = {c: pl.Utf8 for c in cols} | {c: pl.Float64 for c in ("value", "lower", "upper")}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    info = {
        i.id: IndicatorInfo(
            i.id, i.name_sv, i.name_en, i.polarity, i.unit, i.decimals, measure=i.measure
        )
        for i in Indicator.objects.filter(published=True)
    }
    from skillnader.web.data.regional import area_names, regional_findings

    names = area_names(frame)  # the areas at either end of a gap are named
    found = {
        f.indicator: f
        for f in analyse(
            frame, info, benchmark="0180", benchmark_name="Stockholm", area_names=names
        )
    }
    # Indicators without areas inside the city are analysed over the county's kommuner with
    # Sweden as the benchmark (skillnader.web.data.regional), as the report does.

    for f in regional_findings(year=year):
        own = found.get(f.indicator)
        if f.indicator in info and (own is None or not any(g.kind == "areas" for g in own.gaps)):
            found[f.indicator] = f
    return list(found.values())


def test_city_report_structure(reports):
    from skillnader.web.data.models import Domain, Indicator, Observation, public_observations

    pdf = reports["city"]
    assert pages(pdf) >= 10
    text = norm(pdftext(pdf))
    assert text.startswith(f"Skillnader i livsvillkor i Stockholm {YEAR}")
    for heading in ("Innehåll", "Sammanfattning", "Metodbilaga", "Källor"):
        assert heading in text
    # The table of contents carries page numbers filled in by target-counter().
    assert re.search(r"Metodbilaga \.{5,} ?\d+", text)
    for dom in Domain.objects.all():
        assert dom.name_sv in text
    with_data = set(
        public_observations(Observation.objects.filter(year__lte=YEAR)).values_list(
            "indicator_id", flat=True
        )
    )
    body = text[text.index("Sammanfattning", text.index("Innehåll") + 100) :]
    for ind in Indicator.objects.filter(published=True):
        if ind.id in with_data:
            assert ind.name_sv in body, ind.id
    # Every domain has data now (health and education per kommun, imported with mappings); the
    # kommun indicators are analysed over the county's kommuner with Sweden as the benchmark.
    assert body.count("Det finns inga publicerade data för detta område") == 0
    assert "Förväntad medellivslängd vid födseln (femårsperiod)" in body
    assert "länets kommuner" in body


def test_city_report_metadata(reports):
    out = subprocess.run(["pdfinfo", str(reports["city"])], capture_output=True, text=True).stdout
    assert f"Title:           Skillnader i livsvillkor i Stockholm {YEAR}" in out
    assert re.search(r"^Tagged:\s+yes", out, re.M)
    import pypdf

    root = pypdf.PdfReader(reports["city"]).trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert bool(root["/MarkInfo"]["/Marked"])
    # The installed WeasyPrint offers PDF/UA-1, so the report claims it in its XMP metadata.
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp


def test_city_report_sentences_match_the_analysis(reports):
    findings = _findings(YEAR)
    assert findings, "the bundle has indicators the analysis can assess"
    text = norm(pdftext(reports["city"]))
    widening = {f.indicator for f in findings if any(g.direction == "widening" for g in f.gaps)}
    headline = {f.indicator for f in findings if f.improves_while_gap_widens}
    for f in findings:
        if f.headline == "not_assessed":
            continue
        # Every assessed finding's sentence, numbers included, is in the report word for word.
        assert norm(f.sentence_sv) in text, f.indicator
    claims = re.findall(r"[Ss]killnaden mellan [^().]*? ökar \(", text)
    # Every assessed finding is printed twice: in the summary and in its domain's chapter.
    expected = 2 * sum(
        1 for f in findings if f.indicator in widening for g in f.gaps if g.direction == "widening"
    )
    assert len(claims) == expected
    if not headline:
        assert "Ingen indikator visar med säkerhet att staden förbättras" in text


def test_profile_per_stadsdelsomrade(reports):
    from skillnader.web.data.models import Area, Indicator, Observation, public_observations

    areas = Area.objects.filter(level_id="sdo", vintage__code="2023")
    assert areas.count() == 11
    by_code = {p.stem: p for p in reports["profiles"]}
    assert set(by_code) == set(areas.values_list("code", flat=True))
    for a in areas:
        pdf = by_code[a.code]
        assert 1 <= pages(pdf) <= 2, a.code
        text = norm(pdftext(pdf))
        assert f"Områdesprofil: {a.name}" in text
        ids = set(
            public_observations(Observation.objects.filter(area=a, year__lte=YEAR)).values_list(
                "indicator_id", flat=True
            )
        )
        assert ids
        for ind in Indicator.objects.filter(id__in=ids, published=True):
            assert ind.name_sv in text, (a.code, ind.id)
        assert "Inga celler för området är prickade." in text


def test_profile_comparisons_follow_stats_compare(reports):
    """Järva's born-abroad share against the city, by overlapping intervals."""
    from skillnader.stats.compare import compare_intervals
    from skillnader.web.data.models import Observation

    cell = Observation.objects.get(
        indicator_id="born_abroad_share", area__code="0180-sdo-jarva", year=YEAR, group__key=""
    )
    city = Observation.objects.get(
        indicator_id="born_abroad_share",
        area__code="0180",
        area__level_id="kommun",
        year=YEAR,
        group__key="",
    )
    text = norm(pdftext(reports["dir"] / "sdo" / "0180-sdo-jarva.pdf"))
    if cell.lower is None or city.lower is None:
        assert "ej jämförd" in text
    else:
        result = str(
            compare_intervals(
                cell.value,
                cell.lower,
                cell.upper,
                city.value,
                "no_judgement",
                benchmark_lower=city.lower,
                benchmark_upper=city.upper,
            )
        )
        assert {"higher": "högre än staden", "lower": "lägre än staden", "similar": "som staden"}[
            result
        ] in text


def test_suppressed_cells_show_no_number_and_their_reason(reports):
    from skillnader.web.data.models import Area, Observation, public_observations
    from skillnader.web.data.queries import group_labels

    area = Area.objects.get(level_id="basomrade", code="1010110")
    cells = public_observations(Observation.objects.filter(area=area, year=2015)).exclude(
        group__key=""
    )
    suppressed = {c.group.key: c.suppression for c in cells if c.suppressed}
    shown = {c.group.key: c.value for c in cells if not c.suppressed}
    assert suppressed and shown
    labels = group_labels()
    text = pdftext(reports["basomrade"], layout=True)
    found = {}
    for line in text.splitlines():
        m = re.match(
            r"^\s*Folkmängd\s{2,}(.+?)\s{2,}(prickad för att skydda en annan uppgift|\S+)\s*$",
            line,
        )
        if m:
            found[m.group(1)] = m.group(2)
    for key, reason in suppressed.items():
        want = "prickad för att skydda en annan uppgift" if reason == "secondary" else "prickad"
        assert found[labels[key]["sv"]] == want, key
    for key, value in shown.items():
        assert found[labels[key]["sv"]] == f"{value:.0f}", key
    n_all = public_observations(Observation.objects.filter(area=area, year__lte=2015)).filter(
        suppressed=True
    )
    n_secondary = n_all.filter(suppression="secondary").count()
    note = norm(text)
    assert f"{n_all.count()} celler för området är prickade" in note
    if n_secondary:
        assert f"{n_secondary} av dem är inte små själva utan prickade för att skydda" in note


# ------------------------------------------------------------------------------------------
# bad input


@pytest.fixture
def run(monkeypatch):
    from click.testing import CliRunner

    from skillnader.reports import cli

    # The test database is already migrated; the command's own setup would migrate the default.
    monkeypatch.setattr(cli, "_django", lambda: None)

    def invoke(*args):
        return CliRunner().invoke(cli.report, list(args))

    return invoke


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["area", "0180-sdo-nowhere", "--level", "sdo", "--year", "2023"],
            "no area with this code",
        ),
        (
            ["area", "0180-sdo-jarva", "--level", "sdo", "--year", "1990"],
            "no published observations",
        ),
        (
            ["area", "x", "--level", "valdistrikt", "--vintage", "2018", "--year", "2018"],
            "have no boundaries",
        ),
        (["city", "--year", "1990"], "no published observations for 1990"),
    ],
)
def test_bad_input_exit_code_and_no_file(bundle_db, run, tmp_path, args, message):
    out = tmp_path / "report.pdf"
    result = run(*args, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_unknown_format(bundle_db, run, tmp_path):
    result = run("city", "--year", "2023", "--out", str(tmp_path / "report.docx"))
    assert result.exit_code == 2
    assert "unknown report format" in result.output
    assert list(tmp_path.iterdir()) == []


def test_all_needs_out_dir(bundle_db, run, tmp_path):
    result = run("area", "--level", "sdo", "--year", "2023", "--all")
    assert result.exit_code == 2
    assert "--all needs --out-dir" in result.output


# ------------------------------------------------------------------------------------------
# download view


def test_area_report_view(reports, settings, tmp_path):
    from django.test import RequestFactory

    from skillnader.web.public.reports_views import area_report

    settings.DATA_DIR = tmp_path
    rf = RequestFactory()
    response = area_report(rf.get("/", {"year": "2023"}), "sdo", "2023", "0180-sdo-farsta")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    cached = list((tmp_path / "cache" / "reports").glob("*.pdf"))
    assert len(cached) == 1
    assert "Områdesprofil: Farsta" in norm(pdftext(cached[0]))
    missing = area_report(rf.get("/"), "sdo", "2023", "0180-sdo-nowhere")
    assert missing.status_code == 404
    bad = area_report(rf.get("/", {"year": "x"}), "sdo", "2023", "0180-sdo-farsta")
    assert bad.status_code == 400


def test_profile_in_english_with_configured_city_and_logo(reports, settings, tmp_path):
    """``--lang en`` words and number format; SKILLNADER_CITY_NAME and SKILLNADER_LOGO."""
    import base64

    from skillnader.reports.area import area_profile
    from skillnader.web.data.models import Observation

    logo = tmp_path / "logo.png"
    # A 1×1 PNG: the report embeds the file's bytes as they are.
    logo.write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
        )
    )
    settings.SKILLNADER_CITY_NAME = "Testby"
    settings.SKILLNADER_LOGO = str(logo)
    out = area_profile(
        "0180-sdo-jarva",
        tmp_path / "jarva.html",
        level="sdo",
        vintage="2023",
        year=YEAR,
        lang="en",
    )
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "Area profile: Järva" in html
    assert "compared with Testby" in html
    assert (
        'class="logo" src="data:image/png;base64,' + base64.b64encode(logo.read_bytes()).decode()
        in html
    )
    pop = Observation.objects.get(
        indicator_id="population", area__code="0180-sdo-jarva", year=YEAR, group__key=""
    )
    assert f"{pop.value:,.0f}" in html  # English thousands separator
    settings.SKILLNADER_LOGO = str(tmp_path / "missing.png")
    from skillnader.errors import InputError

    with pytest.raises(InputError, match="logo file not found"):
        area_profile("0180-sdo-jarva", tmp_path / "x.html", level="sdo", year=YEAR)
    assert not (tmp_path / "x.html").exists()
