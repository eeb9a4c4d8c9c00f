"""``skillnader report``: the city report and area profiles from the command line.

Attach to the main command with ``main.add_command(report)``. Typed errors end the command with
their exit code (2 for bad input) and one line on stderr, also when the group runs on its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from skillnader.errors import SkillnaderError


class ReportGroup(click.Group):
    """Turns typed errors into a one-line message and the error's exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SkillnaderError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


def _django() -> None:
    from skillnader.web.bootstrap import migrate, setup_django

    setup_django()
    migrate()


@click.group(cls=ReportGroup)
def report() -> None:
    """Reports as PDF or HTML: the yearly city report and area profiles."""


@report.command()
@click.option("--year", type=int, required=True, help="Report year.")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="report.pdf or .html")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
def city(year: int, out: str, lang: str) -> None:
    """The yearly report on differences in the city."""
    _django()
    from skillnader.reports.city import city_report

    path = city_report(year, Path(out), lang)
    click.echo(str(path))


@report.command()
@click.argument("code", required=False)
@click.option("--level", required=True, help="Area level, e.g. sdo, regso, stadsdel.")
@click.option("--vintage", help="Boundary version (default: the latest of the level).")
@click.option("--year", type=int, required=True, help="Data up to this year.")
@click.option("--out", type=click.Path(dir_okay=False), help="profile.pdf or .html")
@click.option("--all", "all_", is_flag=True, help="One profile per area of the level.")
@click.option("--out-dir", type=click.Path(file_okay=False), help="Directory for --all.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
def area(code, level, vintage, year, out, all_, out_dir, lang) -> None:
    """The profile of area CODE (or of every area with --all --out-dir DIR)."""
    from skillnader.errors import InputError

    if all_:
        if not out_dir:
            raise InputError("--all needs --out-dir", expected="a directory")
    elif not code or not out:
        raise InputError("give an area CODE and --out (or --all --out-dir DIR)")
    _django()
    from skillnader.reports.area import all_profiles, area_profile

    if all_:
        paths = all_profiles(out_dir, level=level, vintage=vintage, year=year, lang=lang)
        click.echo(f"{len(paths)} profiles in {out_dir}")
    else:
        path = area_profile(code, Path(out), level=level, vintage=vintage, year=year, lang=lang)
        click.echo(str(path))
