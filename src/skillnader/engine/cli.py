"""``skillnader compute``: person-level records → an observation set, on DuckDB or Spark.

The command line's face of :mod:`skillnader.engine`. The output is a Parquet file of
observations (the columns of :data:`skillnader.engine.OBSERVATION_SCHEMA`) that has been
through the disclosure gate; ``skillnader import`` publishes it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
import polars as pl

from skillnader.errors import InputError

__all__ = ["compute_command"]


def _hierarchy(source: str, vintages: tuple[str, ...]):
    from skillnader.engine import AreaHierarchy, synthetic

    if source == "stockholm":
        return synthetic.stockholm_hierarchy(vintages or synthetic.SDO_VINTAGES)
    path = Path(source)
    if not path.exists():
        raise InputError(
            "hierarchy file not found",
            path=source,
            expected="'stockholm' or a CSV/Parquet lookup: vintage, source_code, weight, levels",
        )
    lookup = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(path)
    fixed = ["vintage", "source_code", "weight"]
    if lookup.columns[:3] != fixed:
        raise InputError(
            "the hierarchy lookup must start with the columns vintage, source_code, weight",
            path=source,
            value=lookup.columns[:3],
            expected=", ".join(fixed) + ", then one column per level, finest first",
        )
    lookup = lookup.with_columns(pl.exclude("weight").cast(pl.Utf8))
    hierarchy = AreaHierarchy(levels=tuple(lookup.columns[3:]), lookup=lookup)
    return hierarchy.select(vintages) if vintages else hierarchy


@click.command("compute")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("records", nargs=-1, required=True)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Parquet file of observations to write.",
)
@click.option("--area", default="regso", show_default=True, help="Column of the finest area code.")
@click.option("--period", default="year", show_default=True, help="Column of the period.")
@click.option("--age", default=None, help="Column of age (for min_age/max_age in the specs).")
@click.option(
    "--group-set",
    "group_sets",
    multiple=True,
    help="A breakdown, e.g. 'sex' or 'sex,age_band'; repeat for more. The total is "
    "always included.",
)
@click.option(
    "--hierarchy",
    "hierarchy_source",
    default="stockholm",
    show_default=True,
    help="'stockholm' (RegSO -> stadsdelsområde -> kommun, every vintage) or a "
    "CSV/Parquet lookup (vintage, source_code, weight, levels finest first).",
)
@click.option("--vintage", "vintages", multiple=True, help="Only these vintages (repeat).")
@click.option(
    "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True
)
@click.option(
    "--master", default=None, help="Spark master URL (spark://host:7077, local[*], k8s://…, yarn)."
)
@click.option(
    "--spark-conf",
    "spark_conf",
    multiple=True,
    help="A Spark setting KEY=VALUE, e.g. spark.executor.memory=4g (repeat).",
)
@click.option("--confidence", type=float, default=0.95, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def compute_command(
    spec,
    records,
    out,
    area,
    period,
    age,
    group_sets,
    hierarchy_source,
    vintages,
    engine,
    master,
    spark_conf,
    confidence,
    as_json,
):
    """Compute every indicator of SPEC from person-level RECORDS (Parquet) at every area level,
    vintage, breakdown and period, with intervals and disclosure control.

    \b
    skillnader compute indicators.yaml persons.parquet --age age \\
        --group-set sex --group-set age_band --out observations.parquet
    skillnader compute indicators.yaml s3a://bucket/persons/ --engine spark \\
        --master spark://head:7077 --out observations.parquet
    """
    from skillnader.engine import RecordLayout, load_specs

    specs = load_specs(spec)
    sets = [tuple(s.strip() for s in g.split(",") if s.strip()) for g in group_sets]
    groups = tuple(dict.fromkeys(name for combo in sets for name in combo))
    layout = RecordLayout(area=area, period=period, groups=groups, age=age)
    hierarchy = _hierarchy(hierarchy_source, vintages)
    sources = [str(r) for r in records]
    started = time.perf_counter()
    if engine == "duckdb":
        from skillnader.engine import compute

        if len(sources) != 1:
            raise InputError("the DuckDB engine reads one Parquet or CSV file", value=sources)
        observations = compute(
            sources[0],
            specs,
            hierarchy,
            layout=layout,
            group_sets=sets or ((),),
            confidence=confidence,
        )
    else:
        from skillnader.engine.spark import compute_spark, spark_session

        config = {}
        for item in spark_conf:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise InputError("a Spark setting is KEY=VALUE", value=item)
            config[key.strip()] = value.strip()
        session = spark_session(master, config=config)
        session.sparkContext.setLogLevel("ERROR")

        observations = compute_spark(
            sources if len(sources) > 1 else sources[0],
            specs,
            hierarchy,
            layout=layout,
            group_sets=sets or ((),),
            confidence=confidence,
            session=session,
        )
    seconds = time.perf_counter() - started
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    observations.write_parquet(out)
    summary = {
        "engine": engine,
        "indicators": len(specs),
        "observations": observations.height,
        "suppressed": int(observations.get_column("suppressed").sum()),
        "seconds": round(seconds, 2),
        "out": str(out),
    }
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"{summary['observations']} observations of {summary['indicators']} indicators "
            f"({summary['suppressed']} suppressed) in {summary['seconds']} s on {engine} -> {out}"
        )
