"""``skillnader allocate`` and ``skillnader allocation-synthetic``: the allocation from files."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import click

from skillnader.allocation import inputs, synthetic
from skillnader.allocation.policy import load_policy
from skillnader.allocation.report import build_report, render_html, render_markdown
from skillnader.allocation.run import allocate, explanations_jsonl, positions_jsonl, slot_label
from skillnader.safecsv import safe_writer


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_result(
    result, report: dict, out: Path, *, synthetic_data: bool, sources: dict, pdf: bool = False
) -> None:
    """Write the allocation, the explanations and the report to ``out`` (byte-identical for
    the same inputs, policy and seed: no times or host names in the files)."""
    out.mkdir(parents=True, exist_ok=True)
    pb = result.problem
    grounds: dict = {}
    with open(out / "allocation.csv", "w", encoding="utf-8", newline="") as fh:
        w = safe_writer(fh)
        w.writerow(
            [
                "applicant",
                "position",
                "employer",
                "choice_rank",
                "tier",
                "district_guarantee",
                "ground",
            ]
        )
        for i, a in enumerate(pb.applicants):
            j = result.match[i]
            if j >= 0:
                place = result.place_of(i)
                ground = grounds.get(place)
                if ground is None:
                    s, g = place
                    ground = grounds[place] = slot_label(s, pb) + (
                        "" if g else " (not taken by its group)"
                    )
                w.writerow(
                    [
                        a.id,
                        pb.positions[j].id,
                        pb.positions[j].employer,
                        result.choice_rank(i),
                        pb.tier[i],
                        pb.guaranteed[i],
                        ground,
                    ]
                )
            else:
                w.writerow([a.id, "", "", "", pb.tier[i], pb.guaranteed[i], ""])
    with open(out / "explanations.jsonl", "w", encoding="utf-8") as fh:
        for line in explanations_jsonl(result):
            fh.write(line + "\n")
    with open(out / "positions.jsonl", "w", encoding="utf-8") as fh:
        for line in positions_jsonl(result):
            fh.write(line + "\n")
    (out / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out / "report.md").write_text(
        render_markdown(report, synthetic=synthetic_data), encoding="utf-8"
    )
    html = render_html(report, synthetic=synthetic_data)
    (out / "report.html").write_text(html, encoding="utf-8")
    if pdf:
        from skillnader.reports.render import pdf_bytes

        (out / "report.pdf").write_bytes(pdf_bytes(html, title="Feriejobb: fördelning", lang="sv"))
    run = {
        "policy": pb.policy.public_dict(),
        "seed": pb.seed,
        "mode": result.mode,
        "inputs": sources,
        "synthetic": synthetic_data,
        "applicants": len(pb.applicants),
        "placed": sum(1 for j in result.match if j >= 0),
        "rerun": "skillnader allocate --policy POLICY --applicants A --positions P "
        f"--seed {pb.seed} --mode {result.mode} --out DIR",
    }
    (out / "run.json").write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    if synthetic_data:
        (out / "SYNTHETIC.txt").write_text(synthetic.LABEL + "\n", encoding="utf-8")


@click.command("allocate")
@click.option(
    "--policy",
    "policy_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--applicants",
    "applicants_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--positions",
    "positions_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--seed", required=True, help="The lottery seed, published before the draw.")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Result directory.",
)
@click.option(
    "--mode", type=click.Choice(["stable", "optimise"]), default="stable", show_default=True
)
@click.option("--no-status-quo", is_flag=True, help="Skip the district-by-district comparison.")
@click.option("--pdf", is_flag=True, help="Also print the report to report.pdf.")
def allocate_command(
    policy_path, applicants_path, positions_path, seed, out, mode, no_status_quo, pdf
):
    """Allocate summer jobs city-wide: allocation, explanations and report in OUT."""
    t0 = time.perf_counter()
    policy = load_policy(policy_path)
    applicants = inputs.read_applicants(applicants_path)
    positions = inputs.read_positions(positions_path)
    result = allocate(policy, applicants, positions, seed, mode=mode)
    sq = (
        None
        if no_status_quo
        else allocate(policy, applicants, positions, seed, mode="stable", status_quo=True)
    )
    report = build_report(result, sq)
    synthetic_data = all(a.id.startswith("SYN-") for a in applicants)
    sources = {
        "policy": {"file": policy_path.name, "sha256": _sha256(policy_path)},
        "applicants": {"file": applicants_path.name, "sha256": _sha256(applicants_path)},
        "positions": {"file": positions_path.name, "sha256": _sha256(positions_path)},
    }
    write_result(result, report, out, synthetic_data=synthetic_data, sources=sources, pdf=pdf)
    o = report["overall"]
    click.echo(
        f"{o['placed']} of {o['applicants']} placed ({100 * o['rate']:.1f} %, "
        f"{100 * o['lower']:.1f}-{100 * o['upper']:.1f}); mode {mode}, seed {seed}; "
        f"blocking pairs {report['blocking_pairs']}; {time.perf_counter() - t0:.1f} s -> {out}"
    )


@click.command("allocation-synthetic")
@click.option("--applicants", "n_applicants", default=10000, show_default=True)
@click.option("--places", default=7000, show_default=True)
@click.option("--workplaces", default=1000, show_default=True)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
def synthetic_command(n_applicants, places, workplaces, seed, out):
    """Write a SYNTHETIC applicants.csv and positions.csv drawn from the bundled real aggregates."""
    out.mkdir(parents=True, exist_ok=True)
    inputs.write_applicants(synthetic.applicants(n_applicants, seed), out / "applicants.csv")
    inputs.write_positions(synthetic.positions(places, workplaces, seed), out / "positions.csv")
    (out / "SYNTHETIC.txt").write_text(synthetic.LABEL + "\n", encoding="utf-8")
    click.echo(
        f"{synthetic.LABEL}: {n_applicants} applicants, {places} places in {workplaces} workplaces -> {out}"
    )
