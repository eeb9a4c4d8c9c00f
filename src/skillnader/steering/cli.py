"""``skillnader goals`` and ``skillnader measures``: the steering chain on the command line."""

from __future__ import annotations

import json

import click


def _django():
    from skillnader.web.bootstrap import migrate, setup_django

    setup_django()
    migrate()


def _period(period_id):
    """The mandate period ``period_id`` (the latest without one), or a typed error naming what
    the database holds."""
    from skillnader.errors import InputError
    from skillnader.web.steering.models import Period

    known = list(Period.objects.order_by("start").values_list("pk", flat=True))
    if not known:
        raise InputError(
            "the database holds no mandate period with goals",
            expected="goals loaded by 'skillnader init' or 'skillnader goals import FILE'",
        )
    if period_id is None:
        return Period.objects.order_by("-start").first()
    if period_id not in known:
        raise InputError("no such mandate period", value=period_id, expected=", ".join(known))
    return Period.objects.get(pk=period_id)


def _pct(p):
    if p is None:
        return ""
    if p > 0.99:
        return ">99 %"
    if p < 0.01:
        return "<1 %"
    return f"{round(p * 100)} %"


def _num(x, d=1):
    return "" if x is None else f"{x:.{d}f}"


@click.group(invoke_without_command=True)
@click.option("--period", help="Mandate period id, e.g. 2015-2018 (default: the latest).")
@click.option("--year", type=int, help="Follow-up year (default: the period's last with data).")
@click.option("--board", help="Only this board's nämndmål (board id, e.g. skarholmen).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def goals(ctx, period, year, board, as_json):
    """List the goals of a period with their computed status (or: status, import, export)."""
    if ctx.invoked_subcommand:
        ctx.ensure_object(dict).update(period=period, year=year)
        return
    _django()
    from skillnader.console import emit as _emit
    from skillnader.web.steering import services, views

    p = _period(period)
    y = year or views.default_year(p)
    rows = []
    for goal, depth in services.tree(p, y, board=board):
        v = goal.version_in_year(y)
        follow = views.cached_follow_up(goal, y)
        from skillnader.web.steering.services import computed_goal_status

        rows.append({
            "ref": goal.ref,
            "level": goal.level,
            "number": goal.number,
            "board": goal.owner_id or "kf",
            "title": ("  " * depth) + (v.title_sv if v else ""),
            "example": goal.example,
            "targets": sum(len(e["targets"]) for e in follow),
            "computed": computed_goal_status(follow) if follow else "",
        })  # fmt: skip
    _emit(rows, ["ref", "title", "example", "targets", "computed"], as_json)


@goals.command("status")
@click.argument("ref")
@click.option("--year", type=int)
@click.option("--json", "as_json", is_flag=True)
def goals_status(ref, year, as_json):
    """Every target of one goal (REF = period/owner/number, e.g. 2015-2018/kf/1.2)."""
    _django()
    from skillnader.console import emit as _emit
    from skillnader.errors import InputError
    from skillnader.web.steering import views

    goal = views.goal_by_ref(ref)
    if goal is None:
        raise InputError("no such goal", value=ref, expected="period/owner/number")
    y = year or views.default_year(goal.period)
    follow = views.cached_follow_up(goal, y)
    if as_json:
        click.echo(json.dumps(follow, ensure_ascii=False, indent=1, default=str))
        return
    rows = []
    for e in follow:
        for t in e["targets"]:
            c = t["checked"]
            p = t["probability"] or {}
            rows.append({
                "indicator": e["indicator"] + (f" [{e['group']}]" if e["group"] else ""),
                "area": e["area"],
                "target": f"{t['target']} v{t['target_version']}",
                "kind": t["kind"] + (f" on gap ({t['gap']})" if t["gap"] else ""),
                "goal": f"{t['direction']} {_num(t['value'])} by {t['year']}".replace("None", ""),
                "status": t["status"] + (f" ({t['reason']})" if t["reason"] else ""),
                "value (95% interval)": (
                    f"{_num(c['value'], 2)} ({_num(c['lower'], 2)}–{_num(c['upper'], 2)})"
                    if c["value"] is not None else ""
                ),
                "trend": t["trend"]["judgement"],
                "P(met)": _pct(p.get("probability")),
            })  # fmt: skip
    _emit(rows, list(rows[0]) if rows else ["indicator"], False)


@goals.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def goals_import(path):
    """Import goals, targets and measures from YAML or XLSX (all or nothing)."""
    _django()
    from skillnader.web.steering.importer import import_file

    click.echo(str(import_file(path)))


@goals.command("export")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help=".yaml or .xlsx")
@click.option("--period")
def goals_export(out, period):
    """Export goals, targets and measures as YAML or XLSX (readable by `goals import`)."""
    _django()
    from skillnader.errors import InputError
    from skillnader.steering.io import write_xlsx, write_yaml
    from skillnader.web.steering.importer import export_plan

    plan = export_plan(period)
    if out.lower().endswith(".xlsx"):
        write_xlsx(plan, out)
    elif out.lower().endswith((".yaml", ".yml")):
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(write_yaml(plan))
    else:
        raise InputError("unknown file type", path=out, expected=".yaml or .xlsx")
    click.echo(f"{out}: {len(plan.goals)} goals, {len(plan.measures)} measures")


@click.command()
@click.option("--board", help="Board id.")
@click.option("--goal", "goal_ref", help="Goal reference period/owner/number.")
@click.option("--challenge", help="Consultation challenge code, e.g. summer_jobs.")
@click.option("--indicator", help="Indicator id.")
@click.option("--status", help="planned, ongoing, completed or stopped.")
@click.option("--json", "as_json", is_flag=True)
def measures(board, goal_ref, challenge, indicator, status, as_json):
    """The measures registry (åtgärder/insatser), with filters."""
    _django()
    from skillnader.console import emit as _emit
    from skillnader.web.steering import views

    rows = [
        views.measure_data(m)
        for m in views.filter_measures(
            board=board, goal=goal_ref, challenge=challenge, indicator=indicator, status=status
        )
    ]
    if not as_json:
        for r in rows:
            r["goals"] = ", ".join(r["goals"])
            r["challenges"] = ", ".join(r["challenges"])
    _emit(rows, ["key", "board", "title", "status", "budget_sek", "goals", "challenges",
                 "example"], as_json)  # fmt: skip


@goals.command("report")
@click.option("--board", required=True, help="Board id, e.g. skarholmen.")
@click.option("--year", type=int, required=True)
@click.option("--report", "kind", type=click.Choice(["t1", "t2", "annual"]), default="annual")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help=".pdf, .html, .docx")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv")
def goals_report(board, year, kind, out, lang):
    """The board's follow-up report (tertial or annual) as PDF, HTML or DOCX."""
    _django()
    from skillnader.web.steering.report import board_report

    click.echo(str(board_report(board, year, kind, out, lang)))
