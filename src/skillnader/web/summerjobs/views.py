"""Summer-job pages. Every page has a JSON twin (``?format=json``) and lists a CSV twin
(``?format=csv``) where it shows a table."""

from __future__ import annotations

import io

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skillnader.allocation import geography
from skillnader.allocation.synthetic import CATEGORIES
from skillnader.errors import SkillnaderError
from skillnader.safecsv import safe_dict_writer, safe_writer
from skillnader.web.summerjobs import services
from skillnader.web.summerjobs.access import officer_required
from skillnader.web.summerjobs.forms import ApplicationForm
from skillnader.web.summerjobs.models import (
    Allocation,
    Application,
    AuditEvent,
    Placement,
    Position,
    Round,
    audit,
)


def _round() -> Round:
    r = Round.objects.first()
    if r is None:
        raise Http404("no summer-job round")
    return r


def _twin(request, template, context, data, rows=None, columns=None, filename="data"):
    fmt = request.GET.get("format")
    if fmt == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    if fmt == "csv":
        if rows is None:
            raise Http404("no table on this page")
        buf = io.StringIO()
        w = safe_dict_writer(buf, columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
        resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return resp
    return render(request, template, context)


# ---------------------------------------------------------------------------------------------
# public


def policy_page(request):
    rnd = _round()
    pol = rnd.policy()
    data = {
        "round": rnd.slug,
        "title": rnd.title,
        "policy": pol.public_dict(),
        "seed": rnd.seed or None,
        "seed_published_on": rnd.seed_published_on.isoformat() if rnd.seed_published_on else None,
        "applications_open": rnd.applications_open,
        "policy_yaml": rnd.policy_yaml,
    }
    tiers = [t | {"reserve_pct": round(100 * t["reserve"])} for t in data["policy"]["tiers"]]
    return _twin(
        request,
        "summerjobs/policy.html",
        {"rnd": rnd, "pol": pol, "data": data, "tiers": tiers},
        data,
        rows=tiers,
        columns=["id", "label", "any", "all", "weight", "reserve"],
        filename="feriejobb-policy",
    )


def _categories(rnd: Round) -> list[str]:
    cats = sorted(set(rnd.positions.values_list("category", flat=True)))
    return cats or list(CATEGORIES)


def apply(request):
    rnd = _round()
    if not rnd.applications_open:
        return render(request, "summerjobs/closed.html", {"rnd": rnd}, status=403)
    pol = rnd.policy()
    form = ApplicationForm(
        request.POST or None, categories=_categories(rnd), periods=list(pol.periods)
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        area = geography.resolve_area(cd["home_area"])
        born = {"ja": True, "nej": False}.get(cd["born_in_sweden"])
        langs = [
            x.strip().lower() for x in cd["languages"].replace(";", ",").split(",") if x.strip()
        ]
        app = Application.objects.create(
            round=rnd,
            first_name=cd["first_name"],
            contact=cd["contact"],
            birth_date=cd["birth_date"],
            sex=cd["sex"],
            born_in_sweden=born,
            home_area=area[0],
            home_district=area[1],
            school=cd["school"],
            social_assistance=cd["social_assistance"] == "ja",
            newly_arrived=cd["newly_arrived"] == "ja",
            support_needs=cd["support_needs"] == "ja",
            earlier_summer_job=cd["earlier_summer_job"] == "ja",
            choices=form.choices_text(),
            languages=";".join(["sv", *langs]),
            consent_at=timezone.now(),
            source=Application.Source.FORM,
        )
        audit(None, "create", "application", app.pseudonym, "application form")
        return redirect("summerjobs:status", token=app.status_token)
    return render(
        request,
        "summerjobs/apply.html",
        {"rnd": rnd, "form": form, "pol": pol},
        status=400 if form.errors else 200,
    )


def status(request, token: str):
    """The youth's own application, reached only with the link they were given."""
    app = Application.objects.filter(status_token=token).select_related("round").first()
    if app is None:
        raise Http404("no such application")
    placement = (
        Placement.objects.filter(application=app)
        .select_related("position", "allocation")
        .order_by("-allocation__created_at")
        .first()
    )
    data = {
        "reference": app.pseudonym,
        "received": app.created_at.date().isoformat(),
        "choices": app.choices.split(";"),
        "allocated": placement is not None,
        "position": None,
    }
    if placement and placement.position:
        p = placement.position
        data["position"] = {
            "employer": p.employer,
            "category": p.category,
            "period": p.period,
            "district": p.district,
        }
    return _twin(
        request, "summerjobs/status.html", {"app": app, "placement": placement, "data": data}, data
    )


def _latest_allocation(rnd: Round) -> Allocation:
    alloc = rnd.allocations.first()
    if alloc is None:
        raise Http404("no allocation yet")
    return alloc


def report(request):
    """The public report: protected aggregates only (no pseudonyms, no small counts)."""
    rnd = _round()
    alloc = _latest_allocation(rnd)
    rep = alloc.report
    if request.GET.get("format") == "pdf":
        from skillnader.allocation.report import render_html
        from skillnader.reports.render import pdf_bytes

        html = render_html(rep, synthetic=bool(rep.get("synthetic")))
        resp = HttpResponse(
            pdf_bytes(html, title="Feriejobb: fördelning", lang="sv"),
            content_type="application/pdf",
        )
        resp["Content-Disposition"] = 'attachment; filename="feriejobb-rapport.pdf"'
        return resp
    rows = []
    for key, rs in rep["groups"].items():
        for r in rs:
            rows.append(
                {
                    "table": key,
                    "group": r[key],
                    **{
                        k: r.get(k)
                        for k in ("suppressed", "placed", "applicants", "rate", "lower", "upper")
                    },
                }
            )
    ctx = {
        "rnd": rnd,
        "alloc": alloc,
        "rep": rep,
        "groups": _group_tables(rep),
        "comparison": _comparison(rep),
        "overall": _pct(rep["overall"]),
        "mixing": {k: _mix_pct(v) for k, v in rep["mixing"].items()},
    }
    return _twin(
        request, "summerjobs/report.html", ctx, rep,
        rows=rows, columns=["table", "group", "suppressed", "placed", "applicants", "rate", "lower", "upper"],
        filename="feriejobb-rapport",
    )  # fmt: skip


def _label(key: str, value: str) -> str:
    labels = {
        "female": _("Girls"),
        "male": _("Boys"),
        "other": _("Other"),
        "born_in_sweden": _("Born in Sweden"),
        "born_abroad": _("Born abroad"),
        "unknown": _("Not stated"),
        "Alla": _("All"),
    }
    if key in ("side_tier", "group") and "/" in value:
        side, tier = value.split("/", 1)
        where = _("inner city") if side == "inner" else _("outer city")
        if tier == "Alla":
            return _("%(where)s, all tiers") % {"where": where}
        return _("%(where)s, tier %(tier)s") % {"where": where, "tier": tier}
    return labels.get(value, value)


def _pct(r: dict | None) -> dict | None:
    """A rate row with percentages for display (the JSON twin keeps proportions)."""
    if r is None or r.get("suppressed") or r.get("rate") is None:
        return r
    return r | {"pct": 100 * r["rate"], "lo_pct": 100 * r["lower"], "hi_pct": 100 * r["upper"]}


def _mix_pct(m: dict) -> dict:
    def p(x):
        return None if x is None else 100 * x

    return m | {
        "pct": p(m["share"]),
        "lo_pct": p(m["lower"]),
        "hi_pct": p(m["upper"]),
        "req_pct": p(m["required_share"]),
    }


def _group_tables(rep):
    titles = {
        "district": _("Home district"),
        "tier": _("Need tier"),
        "sex": _("Gender"),
        "birth": _("Born in Sweden or abroad"),
        "side_tier": _("Inner or outer city, and need tier"),
    }
    return [
        (titles[k], [_pct(r) | {"label": _label(k, str(r[k]))} for r in rep["groups"][k]])
        for k in titles
        if k in rep["groups"]
    ]


def _comparison(rep):
    rows = []
    for r in (rep.get("status_quo") or {}).get("by_side_and_tier", []):
        d = r["difference"]
        rows.append(
            {
                "label": _label("group", r["group"]),
                "city_wide": _pct(r["city_wide"]),
                "district_by_district": _pct(r["district_by_district"]),
                "difference": None
                if d is None
                else {"pp": 100 * d["difference"], "lo": 100 * d["lower"], "hi": 100 * d["upper"]},
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# officers


def _placements(alloc: Allocation | None) -> dict[int, dict]:
    """Per application: position code, choice rank and tier, without loading the explanations."""
    if alloc is None:
        return {}
    rows = alloc.placements.values(
        "application_id", "position__code", "choice_rank", "explanation__tier"
    )
    return {r["application_id"]: r for r in rows}


@officer_required
def officer_applicants(request):
    rnd = _round()
    alloc = rnd.allocations.first()
    placed = _placements(alloc)
    q = request.GET.get("q", "").strip()
    apps = rnd.applications.all()
    if q:
        apps = apps.filter(Q(pseudonym__icontains=q) | Q(home_district__icontains=q))
    rows = []
    for a in apps:
        p = placed.get(a.id)
        rows.append(
            {
                "pseudonym": a.pseudonym,
                "home_district": a.home_district,
                "tier": p["explanation__tier"] if p else None,
                "position": p["position__code"] if p else None,
                "choice_rank": p["choice_rank"] if p else None,
                "choices": a.choices,
            }
        )
    audit(request.user, "view", "application list", rnd.slug, f"{len(rows)} rows; q={q}")
    data = {"round": rnd.slug, "allocation": alloc.id if alloc else None, "applications": rows}
    return _twin(
        request, "summerjobs/officer_list.html", {"rnd": rnd, "rows": rows, "q": q, "alloc": alloc}, data,
        rows=rows, columns=["pseudonym", "home_district", "tier", "position", "choice_rank", "choices"],
        filename="feriejobb-sokande",
    )  # fmt: skip


@officer_required
def officer_applicant(request, pseudonym: str):
    rnd = _round()
    app = get_object_or_404(Application, round=rnd, pseudonym=pseudonym)
    alloc = rnd.allocations.first()
    placement = (
        alloc.placements.filter(application=app).select_related("position").first()
        if alloc
        else None
    )
    audit(request.user, "view", "application", app.pseudonym)
    data = {
        "pseudonym": app.pseudonym,
        "first_name": app.first_name,
        "contact": app.contact,
        "birth_date": app.birth_date.isoformat(),
        "home_area": app.home_area,
        "home_district": app.home_district,
        "school": app.school,
        "need": {
            c: getattr(app, c)
            for c in ("social_assistance", "newly_arrived", "support_needs", "earlier_summer_job")
        },
        "choices": app.choices.split(";"),
        "explanation": placement.explanation if placement else None,
    }
    return _twin(
        request,
        "summerjobs/officer_detail.html",
        {"app": app, "placement": placement, "data": data},
        data,
    )


@officer_required
@require_POST
def officer_adjust(request, pseudonym: str):
    """Move one applicant of the latest allocation to another position or to the waiting list,
    with a reason (see :func:`services.adjust_placement`)."""
    rnd = _round()
    app = get_object_or_404(Application, round=rnd, pseudonym=pseudonym)
    alloc = _latest_allocation(rnd)
    try:
        change = services.adjust_placement(
            alloc, app, request.POST.get("position", ""), request.POST.get("reason", ""),
            request.user,
        )  # fmt: skip
    except SkillnaderError as exc:
        if request.GET.get("format") == "json":
            return JsonResponse({"error": str(exc)}, status=400)
        messages.error(request, _("Not changed: %(error)s") % {"error": exc})
        return redirect("summerjobs:officer-applicant", pseudonym=app.pseudonym)
    if request.GET.get("format") == "json":
        return JsonResponse(change)
    messages.success(
        request,
        _("Changed: %(old)s → %(new)s.")
        % {"old": change["from"] or _("waiting list"), "new": change["to"] or _("waiting list")},
    )
    if change["higher_priority_unplaced_passed_over"]:
        messages.warning(
            request,
            _("%(n)s unplaced applicants with higher priority listed this position.")
            % {"n": change["higher_priority_unplaced_passed_over"]},
        )
    return redirect("summerjobs:officer-applicant", pseudonym=app.pseudonym)


@officer_required
def officer_unplaced(request):
    rnd = _round()
    alloc = _latest_allocation(rnd)
    rows = []
    for p in alloc.placements.filter(position__isnull=True).select_related("application"):
        opts = p.explanation.get("second_round") or []
        rows.append(
            {
                "pseudonym": p.application.pseudonym,
                "home_district": p.application.home_district,
                "tier": p.explanation.get("tier"),
                "reason": p.explanation.get("reason"),
                "options": opts,
                "nearest": "; ".join(
                    f"{o['position']} ({o['district']}, {o['category']}, {o['free_places']})"
                    for o in opts
                ),
            }
        )
    rows.sort(key=lambda r: (r["tier"] or 99, r["pseudonym"]))
    audit(request.user, "view", "unplaced list", rnd.slug, f"{len(rows)} rows")
    return _twin(
        request, "summerjobs/officer_unplaced.html", {"rnd": rnd, "rows": rows, "alloc": alloc},
        {"allocation": alloc.id, "unplaced": rows},
        rows=rows, columns=["pseudonym", "home_district", "tier", "reason", "nearest"], filename="feriejobb-oplacerade",
    )  # fmt: skip


@officer_required
def employer_export(request, code: str):
    """What an employer needs about the youths placed with it: reference, age band, period,
    languages — no name, contact, address, school or need criteria."""
    rnd = _round()
    pos = get_object_or_404(Position, round=rnd, code=code)
    alloc = _latest_allocation(rnd)
    ref_day = rnd.policy().reference_date
    buf = io.StringIO()
    w = safe_writer(buf)
    w.writerow(["position", "employer", "period", "reference", "age", "languages"])
    n = 0
    for p in (
        alloc.placements.filter(position=pos)
        .select_related("application")
        .order_by("application__pseudonym")
    ):
        a = p.application
        age = (
            ref_day.year
            - a.birth_date.year
            - ((ref_day.month, ref_day.day) < (a.birth_date.month, a.birth_date.day))
        )
        w.writerow(
            [pos.code, pos.employer, pos.period, a.pseudonym, age, a.languages.replace(";", ", ")]
        )
        n += 1
    audit(request.user, "export", "employer export", pos.code, f"{n} youths")
    resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="feriejobb-{pos.code}.csv"'
    return resp


@officer_required
@require_POST
def officer_allocate(request):
    rnd = _round()
    mode = request.POST.get("mode", "stable")
    if mode not in ("stable", "optimise"):
        mode = "stable"
    try:
        alloc = services.run_allocation(rnd, request.user, mode=mode)
    except SkillnaderError as exc:
        messages.error(request, str(exc))
        return redirect("summerjobs:officer")
    messages.success(
        request,
        _("Allocation %(id)s done with seed %(seed)s.") % {"id": alloc.id, "seed": alloc.seed},
    )
    return redirect(reverse("summerjobs:officer"))


@officer_required
def officer_audit(request):
    events = AuditEvent.objects.all()[:500]
    rows = [
        {
            "at": e.at.isoformat(),
            "user": e.username,
            "action": e.action,
            "what": e.what,
            "object": e.object_id,
            "detail": e.detail,
        }
        for e in events
    ]
    return _twin(
        request, "summerjobs/officer_audit.html", {"rows": rows}, {"events": rows},
        rows=rows, columns=["at", "user", "action", "what", "object", "detail"], filename="feriejobb-logg",
    )  # fmt: skip
