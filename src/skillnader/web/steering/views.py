"""Goal pages: the tree of a period, a goal, a board's goals, the measures registry, a
consultation challenge's chain; forms for the roles that may change them; a small JSON API.

Every page answers ``?format=json`` (its data) and ``?format=csv`` (its main table).
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skillnader.web.steering import access, services
from skillnader.web.steering.forms import (
    GoalVersionForm,
    JudgementForm,
    MeasureForm,
    ReviewForm,
    TargetVersionForm,
)
from skillnader.web.steering.models import (
    Goal,
    GoalVersion,
    Judgement,
    Measure,
    Period,
    Target,
)


def _labels() -> dict[str, str]:
    from django.utils.translation import gettext

    return {
        "met": gettext("Met"),
        "not_met": gettext("Not met"),
        "not_assessable": gettext("Not assessable"),
        "helt": gettext("Fully met (helt)"),
        "delvis": gettext("Partly met (delvis)"),
        "ej": gettext("Not met (ej)"),
        "no_observation": gettext("no observation for the year"),
        "interval_includes_target": gettext("the interval contains the target"),
        "interval_includes_no_change": gettext("the interval of the change contains zero"),
        "no_base_year": gettext("no observation for the base year"),
        "no_later_observation": gettext("no observation after the base year"),
        "target_year_not_published": gettext("the target year's value is not yet published"),
        "no_interval": gettext("judged on the value alone: no interval"),
        "too_few_points": gettext("fewer than two years"),
        "no_interval_and_too_few_points": gettext("no intervals and fewer than three years"),
        "increase": gettext("shall increase"),
        "decrease": gettext("shall decrease"),
        "at_least": gettext("at least"),
        "at_most": gettext("at most"),
        "range": gettext("highest minus lowest area"),
        "groups": gettext("between groups"),
        "areas": gettext("between areas"),
    }


# ---------------------------------------------------------------------------------------------
# shared helpers (also used by the command line and the reports)


def resolve_period(period_id: str | None) -> Period:
    qs = Period.objects.all()
    p = qs.filter(pk=period_id).first() if period_id else qs.order_by("-start").first()
    if p is None:
        raise Http404("no such period")
    return p


def default_year(period: Period) -> int:
    """The last year of the period (and not after this one) in which goals below the direction
    goals are in force; the period's last year when there are none."""
    year = min(period.end.year, dt.date.today().year)
    versions = GoalVersion.objects.filter(goal__period=period).exclude(
        goal__level=Goal.Level.DIRECTION
    )
    years = [
        min(v.valid_to.year if v.valid_to else year, year)
        for v in versions.only("valid_from", "valid_to")
        if v.valid_from.year <= year
    ]
    return max(years) if years else year


def goal_by_ref(ref: str) -> Goal | None:
    parts = ref.split("/")
    if len(parts) != 3:
        return None
    period, owner, number = parts
    qs = Goal.objects.filter(period_id=period, number=number)
    qs = qs.filter(owner__isnull=True) if owner == "kf" else qs.filter(owner_id=owner)
    return qs.first()


def cached_follow_up(goal: Goal, year: int) -> list[dict]:
    return services.goal_follow_up(goal, year)


def _goal_url(goal: Goal, year: int | None = None) -> str:
    url = reverse("steering:goal", args=[goal.period_id, goal.owner_id or "kf", goal.number])
    return f"{url}?year={year}" if year else url


def _goal_brief(goal: Goal, year: int) -> dict:
    v = goal.version_in_year(year) or goal.current_version()
    return {
        "id": goal.pk,
        "ref": goal.ref,
        "level": goal.level,
        "number": goal.number,
        "board": goal.owner_id,
        "title": v.title if v else "",
        "example": goal.example,
        "url": _goal_url(goal, year),
    }


def measure_data(m: Measure) -> dict:
    return {
        "id": m.pk,
        "key": m.key,
        "title": m.title,
        "board": m.board_id,
        "owner": m.owner,
        "description": m.description,
        "start": m.start.isoformat() if m.start else None,
        "end": m.end.isoformat() if m.end else None,
        "budget_sek": m.budget_sek,
        "status": m.status,
        "target_group": m.target_group,
        "areas": list(m.areas),
        "goals": sorted(g.ref for g in m.goals.all()),
        "indicators": list(m.indicators),
        "challenges": list(m.challenges),
        "evaluation": m.evaluation,
        "example": m.example,
    }


def filter_measures(board=None, goal=None, challenge=None, indicator=None, status=None,
                    example=None):  # fmt: skip
    qs = Measure.objects.select_related("board").prefetch_related("goals")
    if board:
        qs = qs.filter(board_id=board)
    if status:
        qs = qs.filter(status=status)
    if goal:
        g = goal_by_ref(goal) if isinstance(goal, str) else goal
        qs = qs.filter(goals=g) if g else qs.none()
    items = list(qs)
    # JSON lists are filtered in Python: the same on SQLite and PostgreSQL.
    if challenge:
        items = [m for m in items if challenge in m.challenges]
    if indicator:
        items = [m for m in items if indicator in m.indicators]
    if example is not None:
        items = [m for m in items if m.example == example]
    return items


def _codebook_labels() -> dict[str, str]:
    from skillnader.remiss.codebook import load_codebook

    lang = "en" if (get_language() or "sv").startswith("en") else "sv"
    return {
        c.id: (c.label_en if lang == "en" and c.label_en else c.label_sv) or c.id
        for c in load_codebook().codes
    }


def _indicator_names(ids) -> dict[str, str]:
    from skillnader.web.data.models import Indicator

    return {i.id: i.name for i in Indicator.objects.filter(pk__in=list(ids))}


def _respond(request, template, context, data, rows=None, columns=None, filename="data"):
    fmt = request.GET.get("format") or "html"
    if fmt == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    if fmt == "csv":
        from skillnader.web.public.twins import csv_text

        body = "\ufeff" + csv_text(rows or [], columns)
        resp = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return resp
    if fmt != "html":
        raise Http404("unknown format")
    context.setdefault("labels", _labels())
    return render(request, template, context)


def _year(request, period: Period) -> int:
    raw = request.GET.get("year")
    if raw:
        try:
            y = int(raw)
        except ValueError:
            raise Http404("bad year") from None
        if not period.start.year <= y <= period.end.year:
            raise Http404("year outside the period")
        return y
    return default_year(period)


# ---------------------------------------------------------------------------------------------
# pages


def index(request):
    periods = list(Period.objects.order_by("-start"))
    if request.GET.get("format") == "json":
        return JsonResponse({"periods": [{"id": p.id, "name": p.name} for p in periods]})
    if len(periods) == 1:
        return redirect("steering:period", period=periods[0].id)
    return render(request, "steering/index.html", {"periods": periods})


def period_tree(request, period):
    p = resolve_period(period)
    year = _year(request, p)
    board = request.GET.get("board") or None
    rows = []
    for goal, depth in services.tree(p, year, board):
        follow = services.goal_follow_up(goal, year)
        brief = _goal_brief(goal, year)
        brief.update(
            depth=depth,
            indicators=len(follow),
            targets=sum(len(e["targets"]) for e in follow),
            computed=services.computed_goal_status(follow) if follow else None,
            judgement=(
                goal.judgements.filter(year=year).order_by("-as_of").values_list("status", flat=True).first()
            ),
        )  # fmt: skip
        rows.append(brief)
    data = {"period": {"id": p.id, "name": p.name}, "year": year, "goals": rows}
    ctx = {"period": p, "year": year, "years": p.years(), "rows": rows, "board": board,
           "can_import": access.is_city_office(request.user)}  # fmt: skip
    cols = ["ref", "level", "number", "board", "title", "example", "indicators", "targets",
            "computed", "judgement"]  # fmt: skip
    return _respond(request, "steering/tree.html", ctx, data, rows, cols, f"mal-{p.id}-{year}")


def _chart(entry: dict, t: dict | None, title: str, unit: str, decimals: int) -> dict:
    """Trend chart with the target line, from the project's chart module."""
    from skillnader.charts.vegalite import trend
    from skillnader.web.public.charts import labels

    series = t["series"] if t else entry["series"]
    name = (t["gap_label"] or _("Gap")) if t and t["gap"] else title
    rows = [dict(r, series=name) for r in series if r and r["value"] is not None]
    spec = trend(rows, title=title, description=title, unit=unit, decimals=decimals,
                 labels=labels(), series_order=[name])  # fmt: skip
    if t:
        level = t["value"] if t["kind"] == "level" else (t["base"] or {}).get("value")
        if level is not None:
            caption = _("Target") if t["kind"] == "level" else _("Base year")
            spec["layer"].append({
                "data": {"values": [{"target": level, "label": f"{caption}: {level:g}"}]},
                "mark": {"type": "rule", "color": "#8a5a00", "strokeDash": [6, 4],
                         "strokeWidth": 2},
                "encoding": {"y": {"field": "target", "type": "quantitative"},
                             "tooltip": [{"field": "label", "type": "nominal"}]},
            })  # fmt: skip
    return spec


def goal_page(request, period, owner, number):
    p = resolve_period(period)
    qs = Goal.objects.filter(period=p, number=number)
    qs = qs.filter(owner__isnull=True) if owner == "kf" else qs.filter(owner_id=owner)
    goal = qs.select_related("owner", "parent").first()
    if goal is None:
        raise Http404("no such goal")
    year = _year(request, p)
    follow = services.goal_follow_up(goal, year)
    names = _indicator_names({e["indicator"] for e in follow})
    from skillnader.web.data.models import Indicator

    charts = []
    for i, e in enumerate(follow):
        ind = Indicator.objects.filter(pk=e["indicator"]).first()
        e["name"] = names.get(e["indicator"], e["indicator"])
        unit = ind.unit if ind else ""
        dec = ind.decimals if ind else 1
        e["charts"] = []
        if not e["targets"] and e["series"]:
            e["charts"].append({"id": f"c{i}", "spec": _chart(e, None, e["name"], unit, dec)})
        for k, t in enumerate(e["targets"]):
            title = e["name"] if not t["gap"] else f"{e['name']}: {t['gap_label'] or t['gap']}"
            e["charts"].append({"id": f"c{i}-{k}", "spec": _chart(e, t, title, unit, dec),
                                "title": title})  # fmt: skip
            charts.append(t)
    versions = list(goal.versions.select_related("responsible").order_by("valid_from", "number"))
    judgements = list(
        goal.judgements.select_related("goal_version", "board", "written_by", "reviewed_by")
        .prefetch_related("target_versions__target")
        .order_by("year", "as_of")
    )
    measures = list(goal.measures.select_related("board"))
    codes = _codebook_labels()
    targets = Target.objects.filter(goal_indicator__goal=goal).prefetch_related("versions")
    data = {
        "goal": _goal_brief(goal, year),
        "period": p.id,
        "year": year,
        "parent": _goal_brief(goal.parent, year) if goal.parent else None,
        "children": [_goal_brief(c, year) for c in goal.children.all() if c.active_in(year)],
        "versions": [
            {"number": v.number, "valid_from": v.valid_from.isoformat(),
             "valid_to": v.valid_to.isoformat() if v.valid_to else None, "title": v.title_sv,
             "title_en": v.title_en, "responsible": v.responsible_id, "decision": v.decision}
            for v in versions
        ],
        "indicators": [{k: v for k, v in e.items() if k != "charts"} for e in follow],
        "target_versions": [
            {"target": t.key, "number": v.number, "valid_from": v.valid_from.isoformat(),
             "value": v.value, "year": v.year, "direction": v.direction,
             "base_year": v.base_year, "decision": v.decision}
            for t in targets for v in t.versions.all()
        ],
        "judgements": [_judgement_data(j) for j in judgements],
        "measures": [measure_data(m) for m in measures],
        "sources": goal.sources,
    }  # fmt: skip
    rows = [
        {"indicator": e["indicator"], "area": e["area"], "group": e["group"], "target": t["target"],
         "target_version": t["target_version"], "kind": t["kind"], "gap": t["gap"],
         "direction": t["direction"], "target_value": t["value"], "target_year": t["year"],
         "base_year": t["base_year"], "status": t["status"], "reason": t["reason"],
         "checked_value": t["checked"]["value"], "checked_lower": t["checked"]["lower"],
         "checked_upper": t["checked"]["upper"], "trend": t["trend"]["judgement"],
         "probability": (t["probability"] or {}).get("probability")}
        for e in follow for t in e["targets"]
    ]  # fmt: skip
    ctx = {
        "goal": goal,
        "period": p,
        "year": year,
        "years": p.years(),
        "version": goal.version_in_year(year) or goal.current_version(),
        "versions": versions,
        "follow": follow,
        "judgements": judgements,
        "measures": measures,
        "codes": codes,
        "can_edit": access.can_edit_goal(request.user, goal),
        "can_judge": access.can_judge(request.user, goal),
        "is_city_office": access.is_city_office(request.user),
        "children": [
            (c, c.version_in_year(year)) for c in goal.children.all() if c.active_in(year)
        ],
        "targets": targets,
    }
    return _respond(request, "steering/goal.html", ctx, data, rows, None,
                    f"mal-{goal.ref.replace('/', '-')}-{year}")  # fmt: skip


def _judgement_data(j: Judgement) -> dict:
    return {
        "id": j.pk,
        "year": j.year,
        "report": j.report,
        "as_of": j.as_of.isoformat(),
        "status": j.status,
        "analysis": j.analysis,
        "board": j.board_id,
        "goal_version": j.goal_version.number,
        "target_versions": sorted(
            [{"target": v.target.key, "number": v.number, "value": v.value, "year": v.year}
             for v in j.target_versions.all()], key=lambda d: d["target"]),
        "computed": j.computed,
        "reviewed": j.reviewed_at is not None,
        "review_note": j.review_note,
    }  # fmt: skip


def board_page(request, period, board, year):
    from skillnader.web.consultation.models import Board

    p = resolve_period(period)
    b = get_object_or_404(Board, pk=board)
    if not p.start.year <= year <= p.end.year:
        raise Http404("year outside the period")
    goals = [g for g in Goal.objects.filter(period=p, owner=b) if g.active_in(year)]
    rows = []
    for g in sorted(goals, key=lambda g: g.number):
        follow = services.goal_follow_up(g, year)
        brief = _goal_brief(g, year)
        brief["computed"] = services.computed_goal_status(follow) if follow else None
        brief["targets"] = [
            {"indicator": e["indicator"], "target": t["target"], "status": t["status"],
             "trend": t["trend"]["judgement"],
             "probability": (t["probability"] or {}).get("probability"), "gap": t["gap"]}
            for e in follow for t in e["targets"]
        ]  # fmt: skip
        j = g.judgements.filter(year=year).order_by("-as_of").first()
        brief["judgement"] = j.status if j else None
        brief["parent"] = _goal_brief(g.parent, year) if g.parent else None
        rows.append(brief)
    measures = [
        m for m in Measure.objects.filter(board=b).prefetch_related("goals")
        if (m.start is None or m.start.year <= year) and (m.end is None or m.end.year >= year)
    ]  # fmt: skip
    data = {"board": {"id": b.id, "name": b.name}, "period": p.id, "year": year, "goals": rows,
            "measures": [measure_data(m) for m in measures]}  # fmt: skip
    flat = [{k: r[k] for k in ("ref", "number", "title", "example", "computed", "judgement")}
            for r in rows]  # fmt: skip
    ctx = {"board": b, "period": p, "year": year, "rows": rows, "measures": measures,
           "reports": Judgement.Report.choices,
           "years": p.years(), "can_edit": access.can_edit_board(request.user, b.id)}  # fmt: skip
    return _respond(request, "steering/board.html", ctx, data, flat, None,
                    f"namndmal-{b.id}-{year}")  # fmt: skip


def board_report_download(request, period, board, year, kind, ext):
    """The board's follow-up report as PDF or DOCX."""
    import tempfile
    from pathlib import Path

    from skillnader.web.consultation.models import Board
    from skillnader.web.steering.report import REPORTS, board_report

    p = resolve_period(period)
    get_object_or_404(Board, pk=board)
    if kind not in REPORTS or ext not in ("pdf", "docx") or not p.start.year <= year <= p.end.year:
        raise Http404("no such report")
    lang = "en" if (get_language() or "sv").startswith("en") else "sv"
    with tempfile.TemporaryDirectory() as tmp:
        out = board_report(board, year, kind, Path(tmp) / f"report.{ext}", lang)
        body = out.read_bytes()
    types = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    name = f"uppfoljning-{board}-{kind}-{year}.{ext}"
    resp = HttpResponse(body, content_type=types[ext])
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def period_export(request, period, ext):
    """The period's goals, targets and measures as YAML or XLSX (readable by the import)."""
    import io

    from skillnader.steering.io import write_xlsx, write_yaml
    from skillnader.web.steering.importer import export_plan

    p = resolve_period(period)
    plan = export_plan(p.id)
    if ext == "yaml":
        body = write_yaml(plan).encode("utf-8")
        ctype = "application/yaml; charset=utf-8"
    elif ext == "xlsx":
        buf = io.BytesIO()
        write_xlsx(plan, buf)
        body = buf.getvalue()
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("unknown format")
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="mal-{p.id}.{ext}"'
    return resp


@require_http_methods(["GET", "POST"])
def import_upload(request):
    """The city office imports a YAML or XLSX file of goals, targets and measures; a bad file
    changes nothing and its error names the place."""
    import tempfile
    from pathlib import Path

    from skillnader.errors import InputError
    from skillnader.web.steering.forms import ImportForm
    from skillnader.web.steering.importer import import_file

    if (r := _login_required(request)) is not None:
        return r
    access.require(access.is_city_office(request.user))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(upload.read())
            try:
                result = import_file(path, user=request.user)
            except InputError as exc:
                error = str(exc).replace(str(path), upload.name)
    return render(request, "steering/import.html", {
        "form": form, "result": result, "error": error, "labels": _labels(),
        "title": _("Import goals, targets and measures"),
    }, status=400 if error else 200)  # fmt: skip


def measures_page(request):
    from skillnader.web.consultation.models import Board

    f = {k: request.GET.get(k) or None for k in ("board", "goal", "challenge", "indicator",
                                                    "status")}  # fmt: skip
    ex = request.GET.get("example")
    example = {"1": True, "0": False}.get(ex)
    items = filter_measures(**f, example=example)
    codes = _codebook_labels()
    rows = [measure_data(m) for m in items]
    data = {"filters": {**f, "example": example}, "measures": rows}
    csv_rows = [dict(r, areas=";".join(r["areas"]), goals=";".join(r["goals"]),
                     indicators=";".join(r["indicators"]),
                     challenges=";".join(r["challenges"])) for r in rows]  # fmt: skip
    boards = Board.objects.filter(measures__isnull=False).distinct()
    ctx = {
        "measures": items,
        "filters": f,
        "example": ex or "",
        "boards": boards,
        "codes": sorted(codes.items(), key=lambda kv: kv[1]),
        "code_labels": codes,
        "statuses": Measure.Status.choices,
        "indicators": sorted(_indicator_names({i for m in items for i in m.indicators}).items()),
        "can_create": access.editable_boards(request.user).exists(),
    }
    return _respond(request, "steering/measures.html", ctx, data, csv_rows, None, "atgarder")


def measure_page(request, key):
    m = get_object_or_404(Measure.objects.select_related("board"), key=key)
    codes = _codebook_labels()
    goals = list(m.goals.select_related("period"))
    chain = []
    for g in goals:
        year = (m.end or m.start or g.period.end).year
        year = max(g.period.start.year, min(year, g.period.end.year))
        follow = services.goal_follow_up(g, year)
        chain.append({
            "goal": _goal_brief(g, year),
            "indicators": [
                {"indicator": e["indicator"], "area": e["area"],
                 "change": _observed_change(e["series"], m)}
                for e in follow if not m.indicators or e["indicator"] in m.indicators
            ],
        })  # fmt: skip
    data = {"measure": measure_data(m), "chain": chain,
            "challenges": [{"code": c, "label": codes.get(c, c)} for c in m.challenges]}  # fmt: skip
    ctx = {"m": m, "chain": chain, "codes": codes,
           "indicator_names": _indicator_names(m.indicators),
           "can_edit": access.can_edit_measure(request.user, m)}  # fmt: skip
    return _respond(request, "steering/measure.html", ctx, data, [measure_data(m)], None,
                    f"atgard-{m.key}")  # fmt: skip


def _observed_change(series: list[dict], m: Measure) -> dict | None:
    """Change of an indicator from the year before a measure began to its latest year."""
    from skillnader.steering.rules import Estimate, change

    pts = [Estimate(s["year"], s["value"], s["lower"], s["upper"]) for s in series if s]
    if len(pts) < 2:
        return None
    start = (m.start.year - 1) if m.start else pts[0].year
    before = [e for e in pts if e.year <= start] or pts[:1]
    base, last = before[-1], pts[-1]
    if last.year <= base.year:
        return None
    d = change(base, last)
    return {"from": base.year, "to": last.year, "value": d.value, "lower": d.lower,
            "upper": d.upper}  # fmt: skip


def challenge_page(request, code):
    """A consultation challenge: the measures that answer it, their goals and indicators."""
    codes = _codebook_labels()
    if code not in codes:
        raise Http404("no such challenge")
    items = filter_measures(challenge=code)
    goals = {}
    for m in items:
        for g in m.goals.all():
            goals[g.pk] = g
    data = {"challenge": {"code": code, "label": codes[code]},
            "measures": [measure_data(m) for m in items],
            "goals": [_goal_brief(g, g.period.end.year) for g in goals.values()]}  # fmt: skip
    ctx = {"code": code, "label": codes[code], "measures": items,
           "goals": [(g, g.current_version()) for g in goals.values()]}  # fmt: skip
    return _respond(request, "steering/challenge.html", ctx, data, data["measures"], None,
                    f"utmaning-{code}")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# changes (forms)


def _login_required(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return None


@require_http_methods(["GET", "POST"])
def goal_edit(request, pk):
    if (r := _login_required(request)) is not None:
        return r
    goal = get_object_or_404(Goal, pk=pk)
    access.require(access.can_edit_goal(request.user, goal))
    current = goal.current_version()
    form = GoalVersionForm(request.POST or None, goal=goal, user=request.user, current=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save(goal, request.user)
        return redirect(_goal_url(goal))
    return render(request, "steering/form.html", {
        "form": form, "goal": goal, "title": _("New version of goal %(n)s") % {"n": goal.number},
        "back": _goal_url(goal), "labels": _labels(),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def target_edit(request, pk):
    if (r := _login_required(request)) is not None:
        return r
    target = get_object_or_404(Target.objects.select_related("goal_indicator__goal"), pk=pk)
    goal = target.goal_indicator.goal
    access.require(access.can_edit_goal(request.user, goal))
    form = TargetVersionForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save(target, request.user)
        return redirect(_goal_url(goal))
    return render(request, "steering/form.html", {
        "form": form, "goal": goal, "back": _goal_url(goal), "labels": _labels(),
        "title": _("Change target %(k)s of goal %(n)s") % {"k": target.key, "n": goal.number},
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def board_goal_new(request, period, board):
    from skillnader.web.consultation.models import Board
    from skillnader.web.steering.forms import BoardGoalForm

    if (r := _login_required(request)) is not None:
        return r
    p = resolve_period(period)
    b = get_object_or_404(Board, pk=board)
    access.require(access.can_edit_board(request.user, b.id))
    form = BoardGoalForm(request.POST or None, period=p, board=b)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            goal = form.save(request.user)
        return redirect(_goal_url(goal))
    return render(request, "steering/form.html", {
        "form": form, "back": reverse("steering:period", args=[p.id]), "labels": _labels(),
        "title": _("New goal of %(board)s") % {"board": b.name},
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def target_new(request, pk):
    from django.core.exceptions import ValidationError

    from skillnader.web.steering.forms import NewTargetForm

    if (r := _login_required(request)) is not None:
        return r
    goal = get_object_or_404(Goal, pk=pk)
    access.require(access.can_edit_goal(request.user, goal))
    form = NewTargetForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save(request.user)
            return redirect(_goal_url(goal))
        except ValidationError as exc:
            form.add_error("key", exc)
    return render(request, "steering/form.html", {
        "form": form, "goal": goal, "back": _goal_url(goal), "labels": _labels(),
        "title": _("New target of goal %(n)s") % {"n": goal.number},
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def judgement_edit(request, pk):
    if (r := _login_required(request)) is not None:
        return r
    goal = get_object_or_404(Goal, pk=pk)
    access.require(access.can_judge(request.user, goal))
    form = JudgementForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            j = save_judgement(goal, form.cleaned_data, request.user)
        return redirect(_goal_url(goal, j.year) + "#bedomningar")
    return render(request, "steering/form.html", {
        "form": form, "goal": goal, "back": _goal_url(goal), "labels": _labels(),
        "title": _("Judgement of goal %(n)s") % {"n": goal.number},
    })  # fmt: skip


def save_judgement(goal: Goal, data: dict, user) -> Judgement:
    """Create or update the judgement of ``goal`` for a report. A new judgement records the
    goal version and target versions in force on its date and the computed follow-up as it is
    now; an existing one keeps the versions it was made against (its text and status change)."""
    as_of = data["as_of"]
    version = goal.version_on(as_of) or goal.version_in_year(data["year"])
    if version is None:
        from django.core.exceptions import ValidationError

        raise ValidationError(_("The goal has no version in force on that date."))
    j = Judgement.objects.filter(goal=goal, year=data["year"], report=data["report"]).first()
    if j is None:
        j = Judgement.objects.create(
            goal=goal, board=goal.owner, year=data["year"], report=data["report"], as_of=as_of,
            status=data["status"], analysis=data["analysis"], goal_version=version,
            computed={"targets": services.goal_follow_up(goal, data["year"], as_of=as_of),
                      "computed_at": dt.datetime.now(dt.UTC).isoformat()},
            written_by=user,
        )  # fmt: skip
        versions = []
        for t in Target.objects.filter(goal_indicator__goal=goal):
            v = t.version_on(as_of)
            if v is not None:
                versions.append(v)
        j.target_versions.set(versions)
    else:
        j.status, j.analysis, j.written_by = data["status"], data["analysis"], user
        j.written_at = dt.datetime.now(dt.UTC)
        j.reviewed_at = j.reviewed_by = None  # a changed text needs a new review
        j.save()
    return j


@require_http_methods(["GET", "POST"])
def judgement_review(request, pk):
    if (r := _login_required(request)) is not None:
        return r
    j = get_object_or_404(Judgement.objects.select_related("goal"), pk=pk)
    access.require(access.is_city_office(request.user))
    form = ReviewForm(request.POST or None, initial={"review_note": j.review_note})
    if request.method == "POST" and form.is_valid():
        j.review_note = form.cleaned_data["review_note"]
        j.reviewed_by, j.reviewed_at = request.user, dt.datetime.now(dt.UTC)
        j.save()
        return redirect(_goal_url(j.goal, j.year) + "#bedomningar")
    return render(request, "steering/form.html", {
        "form": form, "goal": j.goal, "back": _goal_url(j.goal), "labels": _labels(),
        "title": _("Review of the judgement %(y)s") % {"y": j.year},
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def measure_edit(request, key=None):
    if (r := _login_required(request)) is not None:
        return r
    m = None
    if key is not None:
        m = get_object_or_404(Measure, key=key)
        access.require(access.can_edit_measure(request.user, m))
    else:
        access.require(access.editable_boards(request.user).exists())
    form = MeasureForm(request.POST or None, instance=m, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            m = form.save()
        return redirect("steering:measure", key=m.key)
    return render(request, "steering/form.html", {
        "form": form, "back": reverse("steering:measures"), "labels": _labels(),
        "title": _("Change measure") if m else _("New measure"),
    })  # fmt: skip


# ---------------------------------------------------------------------------------------------
# JSON API (session authentication; the same permission rules as the forms)


def _json_body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise _BadRequest({"error": "the body is not a JSON object"})
    return body


class _BadRequest(Exception):
    def __init__(self, payload):
        self.payload = payload


def _api(view):
    def wrapper(request, *args, **kwargs):
        from django.core.exceptions import PermissionDenied

        try:
            return view(request, *args, **kwargs)
        except _BadRequest as exc:
            return JsonResponse(exc.payload, status=400)
        except PermissionDenied:
            return JsonResponse({"error": "forbidden"}, status=403)
        except Http404:
            return JsonResponse({"error": "not found"}, status=404)

    wrapper.__name__ = view.__name__
    return wrapper


def _need_user(request):
    from django.core.exceptions import PermissionDenied

    if not request.user.is_authenticated:
        raise PermissionDenied("login required")


@_api
@require_http_methods(["GET"])
def api_goals(request):
    qs = Goal.objects.select_related("period")
    if request.GET.get("period"):
        qs = qs.filter(period_id=request.GET["period"])
    if request.GET.get("board"):
        b = request.GET["board"]
        qs = qs.filter(owner__isnull=True) if b == "kf" else qs.filter(owner_id=b)
    if request.GET.get("indicator"):
        # from an indicator back to the goals it measures
        qs = qs.filter(indicators__indicator=request.GET["indicator"]).distinct()
    out = [_goal_brief(g, g.period.end.year) for g in qs.order_by("period", "number")]
    return JsonResponse({"goals": out}, json_dumps_params={"ensure_ascii": False})


@_api
@require_http_methods(["GET"])
def api_goal(request, pk):
    goal = get_object_or_404(Goal, pk=pk)
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else default_year(goal.period)
    data = _goal_brief(goal, year)
    data["follow_up"] = services.goal_follow_up(goal, year)
    data["judgements"] = [_judgement_data(j) for j in goal.judgements.all()]
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _form_errors(form) -> dict:
    return {"error": "invalid", "fields": {k: [str(e) for e in v] for k, v in form.errors.items()}}


@_api
@require_http_methods(["POST"])
def api_goal_versions(request, pk):
    _need_user(request)
    goal = get_object_or_404(Goal, pk=pk)
    access.require(access.can_edit_goal(request.user, goal))
    form = GoalVersionForm(_json_body(request), goal=goal, user=request.user,
                           current=goal.current_version())  # fmt: skip
    if not form.is_valid():
        return JsonResponse(_form_errors(form), status=400)
    with transaction.atomic():
        v = form.save(goal, request.user)
    return JsonResponse({"goal": goal.pk, "version": v.number}, status=201)


@_api
@require_http_methods(["POST"])
def api_target_versions(request, pk):
    _need_user(request)
    target = get_object_or_404(Target.objects.select_related("goal_indicator__goal"), pk=pk)
    access.require(access.can_edit_goal(request.user, target.goal_indicator.goal))
    form = TargetVersionForm(_json_body(request), target=target)
    if not form.is_valid():
        return JsonResponse(_form_errors(form), status=400)
    with transaction.atomic():
        v = form.save(target, request.user)
    return JsonResponse({"target": target.pk, "version": v.number}, status=201)


@_api
@require_http_methods(["POST"])
def api_judgements(request, pk):
    _need_user(request)
    goal = get_object_or_404(Goal, pk=pk)
    access.require(access.can_judge(request.user, goal))
    form = JudgementForm(_json_body(request), goal=goal)
    if not form.is_valid():
        return JsonResponse(_form_errors(form), status=400)
    with transaction.atomic():
        j = save_judgement(goal, form.cleaned_data, request.user)
    return JsonResponse(_judgement_data(j), status=201, json_dumps_params={"ensure_ascii": False})


@_api
@require_http_methods(["GET", "POST"])
def api_measures(request):
    if request.method == "GET":
        items = filter_measures(**{k: request.GET.get(k) or None for k in
                                   ("board", "goal", "challenge", "indicator", "status")})  # fmt: skip
        return JsonResponse({"measures": [measure_data(m) for m in items]},
                            json_dumps_params={"ensure_ascii": False})  # fmt: skip
    _need_user(request)
    access.require(access.editable_boards(request.user).exists())
    form = MeasureForm(MeasureForm.from_json(_json_body(request)), user=request.user)
    if not form.is_valid():
        return JsonResponse(_form_errors(form), status=400)
    with transaction.atomic():
        m = form.save()
    return JsonResponse(measure_data(m), status=201, json_dumps_params={"ensure_ascii": False})


@_api
@require_http_methods(["GET", "PATCH", "PUT"])
def api_measure(request, pk):
    m = get_object_or_404(Measure, pk=pk)
    if request.method == "GET":
        return JsonResponse(measure_data(m), json_dumps_params={"ensure_ascii": False})
    _need_user(request)
    access.require(access.can_edit_measure(request.user, m))
    body = {**measure_data(m), **_json_body(request)}
    form = MeasureForm(MeasureForm.from_json(body), instance=m, user=request.user)
    if not form.is_valid():
        return JsonResponse(_form_errors(form), status=400)
    with transaction.atomic():
        m = form.save()
    return JsonResponse(measure_data(m), json_dumps_params={"ensure_ascii": False})
