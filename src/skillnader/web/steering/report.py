"""The board follow-up report (tertial or annual) as PDF, HTML or DOCX, and the city report's
"Måluppfyllelse" section.

For every nämndmål of the board in force in the year: the council goal it falls under, each
target with its version and decision, the computed status with the interval, the trend
judgement and the probability of meeting the target, the board's written judgement next to the
status computed when it was written, and the trend chart with the target line; then the board's
measures. Examples are marked as examples. Charts are the web pages' specs, rendered by
:mod:`skillnader.reports.render`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from skillnader.errors import InputError

REPORTS = {"t1": (4, 30), "t2": (8, 31), "annual": (12, 31)}
WORDS = {
    "sv": {
        "title": "Uppföljning av nämndmål",
        "t1": "Tertialrapport 1",
        "t2": "Tertialrapport 2",
        "annual": "Verksamhetsberättelse",
        "as_of": "Avser läget per",
        "under": "Under kommunfullmäktiges mål",
        "target": "Målvärde",
        "decision": "Beslut",
        "status": "Beräknad status",
        "value": "Bedömt värde (95 %-intervall)",
        "trend": "Trend",
        "probability": "Sannolikhet att nå målet",
        "written": "Nämndens bedömning",
        "computed_then": "Beräknat när bedömningen skrevs",
        "no_judgement": "Ingen bedömning skriven för rapporten.",
        "measures": "Åtgärder",
        "no_goals": "Nämnden har inga mål detta år.",
        "example": "Exempel",
        "example_note": (
            "Mål, målvärden och åtgärder märkta Exempel är exempel på hur uppföljningen fungerar, "
            "inte stadens beslut."
        ),
        "method": (
            "Status: uppfyllt när hela 95 %-intervallet ligger på målets sida, ej uppfyllt när "
            "hela intervallet ligger på andra sidan, annars kan det inte bedömas. Trend: helt när "
            "den skattade lutningen går åt rätt håll och skiljer sig från noll (95 %), delvis när "
            "den går åt rätt håll utan att göra det, ej när den går åt fel håll. Sannolikheten "
            "förlänger den skattade linjen till målåret och förutsätter att trenden håller i sig."
        ),
        "met": "Uppfyllt",
        "not_met": "Ej uppfyllt",
        "not_assessable": "Kan ej bedömas",
        "helt": "Helt uppfyllt",
        "delvis": "Delvis uppfyllt",
        "ej": "Ej uppfyllt",
        "at_least": "minst",
        "at_most": "högst",
        "increase": "ska öka",
        "decrease": "ska minska",
        "from": "från",
        "gap": "Skillnad",
        "budget": "Budget (kr)",
        "challenges": "Utmaningar från remissen",
        "fulfilment": "Måluppfyllelse",
        "fulfilment_intro": (
            "Kommunfullmäktiges mål och nämndmålen med den status som beräknas ur "
            "observationerna och den bedömning som nämnderna har skrivit."
        ),
        "goal": "Mål",
        "computed": "Beräknad",
    },
    "en": {
        "title": "Follow-up of board goals",
        "t1": "Tertial report 1",
        "t2": "Tertial report 2",
        "annual": "Annual report",
        "as_of": "As of",
        "under": "Under the council's goal",
        "target": "Target",
        "decision": "Decision",
        "status": "Computed status",
        "value": "Judged value (95% interval)",
        "trend": "Trend",
        "probability": "Probability of meeting the target",
        "written": "The board's judgement",
        "computed_then": "Computed when the judgement was written",
        "no_judgement": "No judgement written for this report.",
        "measures": "Measures",
        "no_goals": "The board has no goals in this year.",
        "example": "Example",
        "example_note": (
            "Goals, targets and measures marked Example show how the follow-up works; they are "
            "not decisions of the city."
        ),
        "method": (
            "Status: met when the whole 95% interval is on the target's side, not met when it "
            "is wholly on the other side, otherwise not assessable. Trend: fully when the fitted "
            "slope goes the right way and differs from zero (95%), partly when it goes the right "
            "way without doing so, not when it goes the wrong way. The probability extends the "
            "fitted line to the target year and assumes the trend continues."
        ),
        "met": "Met",
        "not_met": "Not met",
        "not_assessable": "Not assessable",
        "helt": "Fully met",
        "delvis": "Partly met",
        "ej": "Not met",
        "at_least": "at least",
        "at_most": "at most",
        "increase": "shall increase",
        "decrease": "shall decrease",
        "from": "from",
        "gap": "Gap",
        "budget": "Budget (SEK)",
        "challenges": "Challenges from the consultation",
        "fulfilment": "Goal fulfilment",
        "fulfilment_intro": (
            "The council's goals and the boards' goals with the status computed from the "
            "observations and the judgement the boards wrote."
        ),
        "goal": "Goal",
        "computed": "Computed",
    },
}


def _num(x: float | None, lang: str, decimals: int = 1) -> str:
    from skillnader.numbers import format_number

    return "–" if x is None else format_number(x, decimals, lang)


def _pct(p: float | None) -> str:
    if p is None:
        return "–"
    if p > 0.99:
        return "> 99 %"
    if p < 0.01:
        return "< 1 %"
    return f"{round(p * 100)} %"


def target_text(t: dict, w: dict, lang: str) -> str:
    """The target in words: "Skillnad (…): högst 5,0 2017" or "ska minska från 2015 till 2018"."""
    head = ""
    if t["gap"]:
        head = f"{w['gap']} ({t['gap_label'] or t['gap']}): "
    if t["kind"] == "level":
        bound = w["at_least"] if t["direction"] == "increase" else w["at_most"]
        return f"{head}{bound} {_num(t['value'], lang)} ({t['year']})"
    return f"{head}{w[t['direction']]} {w['from']} {t['base_year']} ({t['year']})"


def value_text(t: dict, lang: str) -> str:
    c = t["checked"]
    if c["value"] is None:
        return "–"
    text = _num(c["value"], lang, 2)
    if c["lower"] is not None:
        text += f" ({_num(c['lower'], lang, 2)} – {_num(c['upper'], lang, 2)})"
    return text


def board_report_context(board_id: str, year: int, report: str, lang: str = "sv") -> dict:
    """Everything the board report needs (see the module docstring)."""
    from skillnader.web.consultation.models import Board
    from skillnader.web.steering import services
    from skillnader.web.steering.models import Goal, Measure
    from skillnader.web.steering.views import _chart

    if report not in REPORTS:
        raise InputError("unknown report", value=report, expected="t1, t2 or annual")
    if lang not in WORDS:
        raise InputError("unknown language", value=lang, expected="sv or en")
    board = Board.objects.filter(pk=board_id).first()
    if board is None:
        raise InputError("unknown board", value=board_id, expected="a board id, e.g. skarholmen")
    from skillnader.web.data.models import Indicator

    w = WORDS[lang]
    as_of = dt.date(year, *REPORTS[report])
    names = {
        i.id: (i.name_en if lang == "en" and i.name_en else i.name_sv)
        for i in Indicator.objects.all()
    }
    goals = []
    for g in Goal.objects.filter(owner=board).order_by("number"):
        v = g.version_on(as_of) or g.version_in_year(year)
        if v is None:
            continue
        follow = services.goal_follow_up(g, year, as_of=as_of)
        rows, charts = [], []
        for e in follow:
            ind = names.get(e["indicator"], e["indicator"])
            for t in e["targets"]:
                rows.append({
                    "indicator": ind, "area": e.get("area_name") or e["area"],
                    "example": e["example"],
                    "target": target_text(t, w, lang),
                    "version": f"v{t['target_version']}", "decision": t["decision"],
                    "status": w[t["status"]], "value": value_text(t, lang),
                    "trend": w.get(t["trend"]["judgement"], t["trend"]["judgement"]),
                    "probability": _pct((t["probability"] or {}).get("probability")),
                })  # fmt: skip
                spec = _chart(e, t, f"{ind}: {target_text(t, w, lang)}", "", 1)
                charts.append(spec)
        j = g.judgements.filter(year=year, report=report).first()
        parent = g.parent.version_in_year(year) if g.parent else None
        goals.append({
            "number": g.number, "title": v.title_sv if lang == "sv" else (v.title_en or v.title_sv),
            "example": g.example,
            "parent": f"{g.parent.number} {parent.title_sv}" if parent else "",
            "rows": rows, "charts": charts,
            "judgement": None if j is None else {
                "status": w.get(j.status, j.status), "analysis": j.analysis,
                "computed": [
                    f"{t['target']} v{t['target_version']}: {w[t['status']]}"
                    for e in j.computed.get("targets", []) for t in e["targets"]
                ],
            },
        })  # fmt: skip
    measures = [
        {"title": m.title, "status": m.get_status_display(), "budget": _num(m.budget_sek, lang, 0),
         "challenges": ", ".join(m.challenges), "example": m.example,
         "period": f"{m.start or ''} – {m.end or ''}"}
        for m in Measure.objects.filter(board=board).order_by("title")
        if (m.start is None or m.start <= as_of) and (m.end is None or m.end.year >= year)
    ]  # fmt: skip
    title = f"{w['title']} – {board.name} – {w[report]} {year}"
    return {"lang": lang, "title": title, "subtitle": f"{w['as_of']} {as_of.isoformat()}",
            "board": board, "year": year, "goals": goals, "measures": measures, "w": w}  # fmt: skip


_ENGINE = None


def _engine():
    global _ENGINE
    if _ENGINE is None:
        from django.template import Engine

        here = Path(__file__).parent / "report_templates"
        reports = Path(__file__).resolve().parents[2] / "reports" / "templates"
        _ENGINE = Engine(dirs=[str(here), str(reports)], autoescape=True)
    return _ENGINE


def board_report(board_id: str, year: int, report: str, out: Path | str, lang: str = "sv") -> Path:
    """Write the board report to ``out``: ``.pdf``, ``.html`` or ``.docx``."""
    from django.template import Context

    from skillnader.reports import render

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm", ".docx"):
        raise InputError("unknown report format", path=str(out), value=suffix,
                         expected=".pdf, .html or .docx")  # fmt: skip
    ctx = board_report_context(board_id, year, report, lang)
    if suffix == ".docx":
        render.write_atomic(out, _docx(ctx))
        return out
    for g in ctx["goals"]:
        g["charts"] = [render.chart(s, lang) for s in g["charts"]]
    html = _engine().get_template("board_report.html").render(Context(ctx))
    return render.write_report(html, out, title=ctx["title"], lang=lang)


def _docx(ctx: dict) -> bytes:
    import io

    import docx

    w = ctx["w"]
    d = docx.Document()
    d.core_properties.title = ctx["title"]
    d.core_properties.language = ctx["lang"]
    d.add_heading(ctx["title"], level=0)
    d.add_paragraph(ctx["subtitle"])
    d.add_paragraph(w["example_note"])
    if not ctx["goals"]:
        d.add_paragraph(w["no_goals"])
    for g in ctx["goals"]:
        head = f"{g['number']} {g['title']}" + (f" ({w['example']})" if g["example"] else "")
        d.add_heading(head, level=1)
        if g["parent"]:
            d.add_paragraph(f"{w['under']}: {g['parent']}")
        cols = [w["target"], w["decision"], w["status"], w["value"], w["trend"], w["probability"]]
        table = d.add_table(rows=1, cols=len(cols))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, cols, strict=True):
            cell.text = text
        for r in g["rows"]:
            cells = table.add_row().cells
            values = [f"{r['indicator']} ({r['area']}): {r['target']}",
                      f"{r['version']} {r['decision']}", r["status"], r["value"], r["trend"],
                      r["probability"]]  # fmt: skip
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
        d.add_heading(w["written"], level=2)
        if g["judgement"]:
            d.add_paragraph(g["judgement"]["status"])
            d.add_paragraph(g["judgement"]["analysis"])
            d.add_paragraph(f"{w['computed_then']}: " + "; ".join(g["judgement"]["computed"]))
        else:
            d.add_paragraph(w["no_judgement"])
    d.add_heading(w["measures"], level=1)
    for m in ctx["measures"]:
        extra = f" ({w['example']})" if m["example"] else ""
        d.add_paragraph(
            f"{m['title']}{extra} – {m['status']}, {m['period']}, {w['budget']} {m['budget']}; "
            f"{w['challenges']}: {m['challenges'] or '–'}",
            style="List Bullet",
        )
    d.add_paragraph(w["method"])
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def fulfilment_section(year: int, lang: str = "sv") -> dict[str, Any] | None:
    """The city report's "Måluppfyllelse": the goals in force in ``year`` with the computed
    status and the latest written judgement of the year; None when no goals cover the year."""
    from skillnader.web.steering import services
    from skillnader.web.steering.models import Period

    period = Period.objects.filter(start__year__lte=year, end__year__gte=year).first()
    if period is None:
        return None
    w = WORDS[lang]
    rows = []
    for goal, depth in services.tree(period, year):
        v = goal.version_in_year(year)
        follow = services.goal_follow_up(goal, year)
        computed = services.computed_goal_status(follow) if follow else None
        j = goal.judgements.filter(year=year).order_by("-as_of").first()
        rows.append({
            "depth": depth, "number": goal.number,
            "title": v.title_sv if lang == "sv" or not v.title_en else v.title_en,
            "board": goal.owner.name if goal.owner else "", "example": goal.example,
            "targets": [
                {"text": f"{e['indicator']}: {target_text(t, w, lang)}"
                 + (f" ({w['example']})" if e["example"] else ""), "status": w[t["status"]],
                 "value": value_text(t, lang), "probability": _pct((t["probability"] or {}).get("probability"))}
                for e in follow for t in e["targets"]
            ],
            "computed": w.get(computed, "–") if computed else "–",
            "judgement": w.get(j.status, j.status) if j else "–",
        })  # fmt: skip
    return {"title": w["fulfilment"], "intro": w["fulfilment_intro"], "period": period.name,
            "rows": rows, "w": w}  # fmt: skip
