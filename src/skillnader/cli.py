"""The ``skillnader`` command line.

Exit codes: 0 success, 1 general error, 2 bad input (file, mapping, argument), 3 network error,
4 a statistical method could not be applied.
"""

from __future__ import annotations

import json
import os
import sys

import click

from skillnader.console import emit as _emit
from skillnader.console import print_table as _print_table
from skillnader.errors import SkillnaderError
from skillnader.web.bootstrap import migrate, setup_django  # imports Django only when called


class _ReaderChoice(click.Choice):
    """The names of the registered readers of ``kinds``, looked up when the option is used or
    shown, so that the other commands (``skillnader allocate``) do not import the readers."""

    def __init__(self, *kinds: str) -> None:
        self._kinds = kinds
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self):
        from skillnader.readers import registry

        return tuple(registry.names(*self._kinds))

    @choices.setter
    def choices(self, value) -> None:  # set by click.Choice.__init__; the names are looked up
        pass


class Cli(click.Group):
    """Turns typed errors into a one-line message and the error's exit code; the other
    packages' commands (``LAZY_COMMANDS``) are imported when first used."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx, name):
        if name not in self.commands and name in LAZY_COMMANDS:
            import importlib

            module, attr = LAZY_COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

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


@main.command()
@click.option("--force", is_flag=True, help="Rebuild the bundled data even if already loaded.")
def init(force: bool) -> None:
    """Create the database and load the bundled real Stockholm data."""
    setup_django()
    migrate()
    from skillnader.bundle.load import load_bundle

    summary = load_bundle(force=force, progress=True)
    click.echo(summary)
    from skillnader.web.steering.importer import load_bundled_steering

    click.echo(load_bundled_steering())


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
        from skillnader.web.steering.importer import load_bundled_steering

        click.echo(load_bundled_steering())
    from django.core.management import call_command

    from skillnader.web.public.warm import start_watcher

    start_watcher()
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


@main.command("import")
@click.argument("target")
@click.option(
    "--kind",
    type=_ReaderChoice("cube", "table"),
    help="The file's format (detected from its content when left out).",
)
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="Mapping YAML.")
@click.option("--indicator", help="Indicator id for every cell (when the file holds one measure).")
@click.option("--area-level", "level", help="Area level of the file's area codes.")
@click.option("--vintage", help="Boundary vintage of the file's area codes.")
@click.option("--source", "source_id", help="Source id (default: from the mapping or file name).")
@click.option("--version", default="", help="Release label, e.g. the publication date.")
@click.option("--json", "as_json", is_flag=True)
def import_(target, kind, mapping, indicator, level, vintage, source_id, version, as_json):
    """Import FILE (or URL) in one transaction: all of it, or nothing and a clear error."""
    setup_django()
    migrate()
    path = target
    if target.startswith(("http://", "https://")):
        path = _download(target)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=Console(stderr=True),
        disable=as_json or not sys.stderr.isatty(),
    )
    task = bar.add_task(f"Importing {os.path.basename(str(path))}", total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        result = _do_import(
            path, kind, mapping, indicator, level, vintage, source_id, version, progress
        )
    if as_json:
        click.echo(json.dumps(result.__dict__, ensure_ascii=False))
    else:
        click.echo(str(result))


def _download(url: str) -> str:
    """Fetch a URL through the cached, retrying client into a local file named after it."""
    import tempfile
    from pathlib import Path
    from urllib.parse import urlparse

    from skillnader.readers.clients import HttpFetcher

    fetcher = HttpFetcher()
    try:
        body = fetcher.fetch("GET", url)
    finally:
        fetcher.close()
    name = Path(urlparse(url).path).name or "download"
    target = Path(tempfile.mkdtemp(prefix="skillnader-")) / name
    target.write_bytes(body)
    return str(target)


def _do_import(path, kind, mapping, indicator, level, vintage, source_id, version, progress):
    from skillnader.web.data.importer import SourceInfo, import_file

    return import_file(
        path,
        kind=kind,
        mapping=mapping,
        indicator=indicator,
        level=level,
        vintage=vintage,
        source=SourceInfo(id=source_id) if source_id else None,
        version=version,
        user=os.environ.get("USER", ""),
        progress=progress,
    )


@main.command()
@click.option("--indicator", required=True)
@click.option("--area-level", "level")
@click.option("--vintage")
@click.option("--area", help="One area code.")
@click.option("--group", help="Group key, e.g. 'sex=women' ('' for everyone).")
@click.option("--period")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def observations(indicator, level, vintage, area, group, period, fmt):
    """Published observations of one indicator (suppressed cells carry no numbers)."""
    setup_django()
    from skillnader.web.data.models import Indicator

    if not Indicator.objects.filter(id=indicator).exists():
        from skillnader.errors import UnknownIndicatorError

        raise UnknownIndicatorError(
            "indicator not in the catalogue",
            value=indicator,
            expected="an id listed by 'skillnader indicators'",
        )
    from skillnader.web.data.export import COLUMNS, observation_rows

    rows = list(
        observation_rows(
            indicator, level=level, vintage=vintage, area=area, group=group, period=period
        )
    )
    if fmt == "csv":
        from skillnader.safecsv import safe_dict_writer

        w = safe_dict_writer(sys.stdout, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    elif fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        decimals = Indicator.objects.get(id=indicator).decimals

        from skillnader.numbers import format_number

        def num(x):
            return format_number(x, decimals, "en")

        shown = [
            {
                "area": r["area_code"],
                "name": r["area_name"],
                "group": r["group"] or "total",
                "period": r["period"],
                "value": "suppressed" if r["suppressed"] else (num(r["value"]) or r["status"]),
                "95% interval": f"{num(r['lower'])}–{num(r['upper'])}"
                if r["lower"] is not None
                else "",
            }
            for r in rows
        ]
        _print_table(shown, ["area", "name", "group", "period", "value", "95% interval"])


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet", "json", "jsonstat"]),
    default="csv",
    show_default=True,
)
@click.option("--out", type=click.Path(dir_okay=False), required=True)
@click.option("--indicator", help="Only this indicator (required for JSON-stat).")
def export(fmt, out, indicator):
    """Export published observations as CSV, Parquet, JSON or JSON-stat 2.0."""
    setup_django()
    from skillnader.web.data.export import export_observations

    n = export_observations(out, fmt=fmt, indicator=indicator)
    click.echo(f"{n} observations written to {out}")


@main.command("import-areas")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--level", required=True, help="Area level, e.g. regso, deso, stadsdel.")
@click.option("--vintage", required=True, help="Vintage code of these boundaries, e.g. 2025.")
@click.option("--code-field", required=True)
@click.option("--name-field", required=True)
@click.option("--parent-field")
@click.option("--parent-level")
@click.option("--parent-vintage")
@click.option("--crs", help="Override the file's CRS, e.g. EPSG:3011.")
@click.option("--valid-from", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--valid-to", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--simplify", type=float, help="Simplification tolerance in metres.")
def import_areas_cmd(
    path,
    level,
    vintage,
    code_field,
    name_field,
    parent_field,
    parent_level,
    parent_vintage,
    crs,
    valid_from,
    valid_to,
    simplify,
):
    """Import area boundaries (GeoJSON or GeoPackage) as one vintage of a level."""
    setup_django()
    migrate()
    from skillnader.web.data.areas import import_areas

    result = import_areas(
        path,
        level=level,
        vintage=vintage,
        code_field=code_field,
        name_field=name_field,
        parent_field=parent_field,
        parent_level=parent_level,
        parent_vintage=parent_vintage,
        crs=crs,
        valid_from=valid_from.date() if valid_from else None,
        valid_to=valid_to.date() if valid_to else None,
        simplify=simplify,
    )
    click.echo(str(result))


#: Command groups of the other packages, imported only when used (``skillnader allocate`` does
#: not load the engine's DuckDB and statistics modules), or all for ``--help``.
LAZY_COMMANDS = {
    "compute": ("skillnader.engine.cli", "compute_command"),
    "remiss": ("skillnader.remiss.cli", "remiss"),
    "report": ("skillnader.reports.cli", "report"),
    "goals": ("skillnader.steering.cli", "goals"),
    "measures": ("skillnader.steering.cli", "measures"),
    "allocate": ("skillnader.allocation.cli", "allocate_command"),
    "allocation-synthetic": ("skillnader.allocation.cli", "synthetic_command"),
}


if __name__ == "__main__":  # pragma: no cover
    main()
