"""The ``skillnader`` command line.

Exit codes: 0 success, 1 general error, 2 bad input (file, mapping, argument), 3 network error,
4 a statistical method could not be applied.
"""

from __future__ import annotations

import json
import os
import sys

import click

from skillnader.errors import SkillnaderError


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillnader.web.settings")
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=verbosity, interactive=False)


class Cli(click.Group):
    """Turns typed errors into a one-line message and the error's exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SkillnaderError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=Cli)
@click.version_option(package_name="skillnader")
def main() -> None:
    """Skillnader: differences in living conditions between areas and groups."""


def _print_table(rows: list[dict], columns: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for r in rows:
        table.add_row(*["" if r.get(c) is None else str(r.get(c)) for c in columns])
    Console().print(table)


def _emit(rows: list[dict], columns: list[str], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    else:
        _print_table(rows, columns)


@main.command()
@click.option("--force", is_flag=True, help="Rebuild the bundled data even if already loaded.")
def init(force: bool) -> None:
    """Create the database and load the bundled real Stockholm data."""
    setup_django()
    migrate()
    from skillnader.bundle.load import load_bundle

    summary = load_bundle(force=force, progress=True)
    click.echo(summary)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--no-init", is_flag=True, help="Do not load the bundled data if the database is empty."
)
def serve(host: str, port: int, no_init: bool) -> None:
    """Start the web application (loads the bundled data on first start)."""
    setup_django()
    migrate()
    if not no_init:
        from skillnader.bundle.load import bundle_loaded, load_bundle

        if not bundle_loaded():
            click.echo("Loading the bundled Stockholm data (first start)…")
            click.echo(load_bundle(progress=True))
    from django.core.management import call_command

    click.echo(f"Skillnader on http://{host}:{port}/")
    call_command("runserver", f"{host}:{port}", use_reloader=False)


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (migrate, createsuperuser, check --deploy, …)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["skillnader manage", *args])


@main.command()
@click.option("--level", help="Only this area level (kommun, sdo, stadsdel, regso, …).")
@click.option("--vintage", help="Only this vintage code.")
@click.option("--json", "as_json", is_flag=True)
def areas(level: str | None, vintage: str | None, as_json: bool) -> None:
    """List areas (or, without --level, the levels and vintages with their area counts)."""
    setup_django()
    from django.db.models import Count

    from skillnader.web.data.models import Area, Vintage

    if not level:
        rows = [
            {
                "level": v.level_id,
                "vintage": v.code,
                "name": v.name_sv,
                "valid_from": v.valid_from,
                "valid_to": v.valid_to,
                "areas": v.n,
            }
            for v in Vintage.objects.annotate(n=Count("areas")).select_related("level")
        ]
        _emit(rows, ["level", "vintage", "name", "valid_from", "valid_to", "areas"], as_json)
        return
    qs = Area.objects.filter(level_id=level).select_related("vintage", "parent")
    if vintage:
        qs = qs.filter(vintage__code=vintage)
    rows = [
        {
            "code": a.code,
            "name": a.name,
            "level": a.level_id,
            "vintage": a.vintage.code,
            "parent": a.parent.code if a.parent else None,
            "has_geometry": a.geometry is not None,
        }
        for a in qs
    ]
    _emit(rows, ["code", "name", "level", "vintage", "parent", "has_geometry"], as_json)


@main.command()
@click.option("--domain", help="Only this domain (health, education, work, housing, democracy).")
@click.option("--json", "as_json", is_flag=True)
def indicators(domain: str | None, as_json: bool) -> None:
    """List the indicator catalogue with how many observations each has."""
    setup_django()
    from django.db.models import Count

    from skillnader.web.data.models import Indicator

    qs = Indicator.objects.annotate(n=Count("observations")).select_related("domain")
    if domain:
        qs = qs.filter(domain_id=domain)
    rows = [
        {
            "id": i.id,
            "domain": i.domain_id,
            "name": i.name_sv,
            "unit": i.unit,
            "measure": i.measure,
            "polarity": i.polarity,
            "observations": i.n,
        }
        for i in qs
    ]
    _emit(rows, ["id", "domain", "name", "unit", "measure", "polarity", "observations"], as_json)


if __name__ == "__main__":  # pragma: no cover
    main()
