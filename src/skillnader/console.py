"""Listings on the terminal: a table for people, JSON for scripts (every ``skillnader`` listing
takes ``--json``). Shared by the command-line modules of every package."""

from __future__ import annotations

import json

import click

__all__ = ["emit", "print_table"]


def print_table(rows: list[dict], columns: list[str]) -> None:
    """``rows`` as a table with ``columns`` (missing values shown empty)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for r in rows:
        table.add_row(*["" if r.get(c) is None else str(r.get(c)) for c in columns])
    Console().print(table)


def emit(rows: list[dict], columns: list[str], as_json: bool) -> None:
    """Print ``rows`` as JSON (``as_json``) or as a table of ``columns``."""
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    else:
        print_table(rows, columns)
