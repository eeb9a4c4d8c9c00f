"""``skillnader compute``: person-level records → an observation set, on DuckDB or Spark.

The command line's face of :mod:`skillnader.engine`. The output is a Parquet file of
observations (the columns of :data:`skillnader.engine.OBSERVATION_SCHEMA`) that has been
through the disclosure gate; with ``--publish`` it is also written to the product's database as
one release, through the importer's checks and joint protection
(:mod:`skillnader.web.data.engine_release`), and the site shows it.
"""

from __future__ import annotations

import hashlib
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


def _synthetic(sources: list[str]) -> bool:
    """Whether local Parquet/CSV records carry a true ``synthetic`` column."""
    path = Path(sources[0])
    if len(sources) != 1 or not path.is_file():
        return False
    frame = pl.scan_parquet(path) if path.suffix == ".parquet" else pl.scan_csv(path)
    if "synthetic" not in frame.collect_schema().names():
        return False
    return bool(frame.select(pl.col("synthetic").cast(pl.Boolean).any()).collect().item())


@click.command("compute")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("records", nargs=-1, required=True)
@click.option(
    "--out",
    "out",
    default=None,
    type=click.Path(dir_okay=False),
    help="Parquet file of observations to write (required unless --publish).",
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
    help="'areas' (the product database's RegSO -> stadsdelsområde of every vintage -> "
    "kommun; needed for --publish), 'stockholm' (the synthetic population's own lookup) or a "
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
@click.option(
    "--publish",
    is_flag=True,
    help="Also write the observations to the database as one release (the site shows them).",
)
@click.option("--source", "source_id", default="engine", show_default=True, help="Source id.")
@click.option("--version", "version", default="", help="Version label of the release.")
@click.option(
    "--allow-synthetic",
    is_flag=True,
    help="Publish even though the records are marked synthetic (demos and tests only).",
)
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
    publish,
    source_id,
    version,
    allow_synthetic,
    as_json,
):
    """Compute every indicator of SPEC from person-level RECORDS (Parquet) at every area level,
    vintage, breakdown and period, with intervals and disclosure control.

    \b
    skillnader compute indicators.yaml persons.parquet --age age \\
        --group-set sex --group-set age_band --out observations.parquet
    skillnader compute indicators.yaml s3a://bucket/persons/ --engine spark \\
        --master spark://head:7077 --out observations.parquet
    skillnader compute indicators.yaml persons.parquet --hierarchy areas --publish
    """
    from skillnader.engine import RecordLayout, load_specs

    if out is None and not publish:
        raise InputError("nowhere to write the observations", expected="--out FILE or --publish")
    if publish and hierarchy_source != "areas":
        raise InputError(
            "publishing needs the areas the site knows",
            value=f"--hierarchy {hierarchy_source}",
            expected="--hierarchy areas",
        )
    specs = load_specs(spec)
    sets = [tuple(s.strip() for s in g.split(",") if s.strip()) for g in group_sets]
    groups = tuple(dict.fromkeys(name for combo in sets for name in combo))
    layout = RecordLayout(area=area, period=period, groups=groups, age=age)
    sources = [str(r) for r in records]
    synthetic = _synthetic(sources)
    if publish and synthetic and not allow_synthetic:
        raise InputError(
            "the records are synthetic (column 'synthetic' is true): their results must not be "
            "published as real statistics",
            path=sources[0],
            expected="register records, or --allow-synthetic for a demo database",
        )
    if hierarchy_source == "areas":
        from skillnader.web.bootstrap import setup_django
        from skillnader.web.data.engine_release import hierarchy_from_areas

        setup_django()
        hierarchy = hierarchy_from_areas((area, "sdo", "kommun"), vintages)
    else:
        hierarchy = _hierarchy(hierarchy_source, vintages)
    # Published cells go through the database's gate (the catalogue's rule over everything
    # published for the indicators and periods); a file gets the engine's own protection.
    gate = "none" if publish else "protected"
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
            disclosure_control=gate,
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
            disclosure_control=gate,
        )
    seconds = time.perf_counter() - started
    summary = {
        "engine": engine,
        "indicators": len(specs),
        "observations": observations.height,
        "suppressed": int(observations.get_column("suppressed").sum()),
        "seconds": round(seconds, 2),
        "out": None if out is None else str(out),
    }
    if publish:
        from skillnader.web.data.engine_release import (
            publish_observations,
            release_observations,
        )

        spec_bytes = Path(spec).read_bytes()
        provenance = {
            "spec": str(spec),
            "spec_sha256": hashlib.sha256(spec_bytes).hexdigest(),
            "records": sources,
            "engine": engine,
            "hierarchy": hierarchy_source,
            "vintages": hierarchy.vintages,
            "group_sets": [list(g) for g in sets],
            "confidence": confidence,
            "synthetic": synthetic,
        }
        result = publish_observations(
            observations, provenance=provenance, source_id=source_id, version=version
        )
        summary["release"] = result.release_id
        summary["already_published"] = result.already_imported
        summary["published"] = result.created + result.updated + result.unchanged
        # what was published, as the database holds it after the gate
        observations = release_observations(result.release_id)
        summary["observations"] = observations.height
        summary["suppressed"] = int(observations.get_column("suppressed").sum())
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        observations.write_parquet(out)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        where = out if out is not None else "the database"
        click.echo(
            f"{summary['observations']} observations of {summary['indicators']} indicators "
            f"({summary['suppressed']} suppressed) in {summary['seconds']} s on {engine} "
            f"-> {where}"
        )
        if publish:
            click.echo(str(result))
