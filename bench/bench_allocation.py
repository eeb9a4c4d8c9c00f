"""Benchmark of the summer-job allocation on SYNTHETIC populations (skillnader.allocation.synthetic).

    python bench/bench_allocation.py                       # 10,000 x 7,000 places in 1,000 workplaces
    python bench/bench_allocation.py --applicants 100000 --places 70000 --workplaces 10000
    python bench/bench_allocation.py --baselines           # also the matching package and OR-Tools

Times, in one process each, with the example policy (tier and mixing reserves, district guarantee):

* stable: prepare (tiers, lottery, expanding choices, eligibility) + deferred acceptance + labelling
  every place + the explanations of every applicant as JSON lines (``explanations_jsonl``);
* report: the report with the status quo (second allocation) and disclosure control;
* optimise: the optimising mode (LP relaxation, branch and bound only if fractional).

With ``--baselines``, on the same instance under a policy WITHOUT reserves, mixing or district
guarantee (what the baselines can express):

* the ``matching`` package's hospital-resident solver (resident-optimal), in a child process with a
  time limit; its matching is compared with our stable mode's (the resident-optimal stable matching
  is unique, so they must be identical);
* a plain OR-Tools min-cost flow (SimpleMinCostFlow) with the same costs as our optimising mode; the
  objective values must be equal.

Benchmark dependencies (ortools, matching) are in the ``test`` extra.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import time
from pathlib import Path

from skillnader.allocation import allocate, load_policy, synthetic
from skillnader.allocation.optimise import LOTTERY_SPAN
from skillnader.allocation.policy import parse_policy
from skillnader.allocation.prepare import prepare
from skillnader.allocation.report import build_report
from skillnader.allocation.run import explanations_jsonl

POLICY = Path(__file__).resolve().parents[1] / "src/skillnader/allocation/data/policy_example.yaml"


def plain_policy():
    """The example policy's tiers without reserves, mixing or district guarantee."""
    text = POLICY.read_text(encoding="utf-8")
    for a, b in (
        ("reserve: 0.2", "reserve: 0"),
        ("reserve: 0.1", "reserve: 0"),
        ("share_of_eligible_applicants: 0.25", "share_of_eligible_applicants: 0"),
        ("outer_share_of_inner_places: 0.3", "outer_share_of_inner_places: 0"),
        ("inner_share_of_outer_places: 0.1", "inner_share_of_outer_places: 0"),
    ):
        assert a in text
        text = text.replace(a, b)
    return parse_policy(text, source="plain")


CPU: dict[str, float] = {}


def timed(fn, *a, **k):
    """Wall time; the process's CPU time is kept in CPU under the function's name (the machine
    may be shared, so both are reported)."""
    t, c = time.perf_counter(), time.process_time()
    out = fn(*a, **k)
    CPU[getattr(fn, "__name__", "fn")] = (
        CPU.get(getattr(fn, "__name__", "fn"), 0) + time.process_time() - c
    )
    return out, time.perf_counter() - t


def _hr_child(args, q):
    import sys

    from matching.games import HospitalResident

    # the package deep-copies its players, which recurses once per linked player
    sys.setrecursionlimit(1_000_000)
    resident_prefs, hospital_prefs, caps = args
    t = time.perf_counter()
    try:
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, caps)
        sol = game.solve(optimal="resident")
    except BaseException as exc:  # report how it fails
        q.put((time.perf_counter() - t, f"{type(exc).__name__}: {str(exc)[:200]}"))
        return
    match = {}
    for h, rs in sol.items():
        for r in rs:
            match[r.name] = h.name
    q.put((time.perf_counter() - t, match))


def matching_hr(pb, timeout: float):
    """The matching package's solver on the problem (prefs and priorities as dictionaries)."""
    resident_prefs = {i: list(p) for i, p in enumerate(pb.prefs) if p}
    listed: dict[int, list[int]] = {j: [] for j in range(len(pb.positions))}
    for i, p in resident_prefs.items():
        for j in p:
            listed[j].append(i)
    hospital_prefs = {j: sorted(v, key=pb.rank.__getitem__) for j, v in listed.items() if v}
    caps = {j: pb.capacity[j] for j in hospital_prefs}
    q = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(
        target=_hr_child, args=((resident_prefs, hospital_prefs, caps), q)
    )
    t = time.perf_counter()
    proc.start()
    try:
        secs, match = q.get(timeout=timeout)
    except Exception:
        proc.kill()
        proc.join()
        status = f"no result within {timeout:.0f} s (killed)"
        if proc.exitcode not in (None, -9):
            status = f"child died with exit code {proc.exitcode} (e.g. stack overflow)"
        return {"status": status, "seconds": time.perf_counter() - t}
    proc.join()
    if isinstance(match, str):
        return {"status": "failed: " + match, "seconds": secs, "exit_code": proc.exitcode}
    if proc.exitcode not in (0, None):
        return {"status": f"child exited with {proc.exitcode}", "seconds": secs}
    return {"status": "ok", "seconds": secs, "match": match}


def ortools_flow(pb):
    """Plain min-cost flow: source -> applicant (1) -> listed position (cost) -> sink (capacity)."""
    from ortools.graph.python import min_cost_flow

    t = time.perf_counter()
    w = {t_.id: t_.weight for t_ in pb.policy.tiers}
    n, m = len(pb.applicants), len(pb.positions)
    src, sink = n + m, n + m + 1
    f = min_cost_flow.SimpleMinCostFlow()
    scale = 10**6  # integer costs: tier weight x 1000 - rank - lottery fraction, in micro-units
    arcs = []
    for i, plist in enumerate(pb.prefs):
        if not plist:
            continue
        f.add_arc_with_capacity_and_unit_cost(src, i, 1, 0)
        base = w[pb.tier[i]] * 1000.0 - pb.lottery[i] / LOTTERY_SPAN
        for r, j in enumerate(plist):
            arcs.append(
                (
                    f.add_arc_with_capacity_and_unit_cost(i, n + j, 1, -round((base - r) * scale)),
                    i,
                    j,
                )
            )
    for j, c in enumerate(pb.capacity):
        f.add_arc_with_capacity_and_unit_cost(n + j, sink, c, 0)
    # let unplaced flow bypass the positions at no gain
    f.add_arc_with_capacity_and_unit_cost(src, sink, n, 0)
    f.set_node_supply(src, n)
    f.set_node_supply(sink, -n)
    status = f.solve()
    secs = time.perf_counter() - t
    match = [-1] * n
    for a, i, j in arcs:
        if f.flow(a) > 0:
            match[i] = j
    return {"status": "ok" if status == f.OPTIMAL else str(status), "seconds": secs, "match": match}


def need_weighted(pb, match):
    w = {t.id: t.weight for t in pb.policy.tiers}
    return sum(w[pb.tier[i]] for i, j in enumerate(match) if j >= 0)


def run(n, places, workplaces, seed, baselines, hr_timeout, optimise):
    out = {
        "applicants": n,
        "places": places,
        "workplaces": workplaces,
        "python": platform.python_version(),
    }
    (apps, poss), gen = timed(
        lambda: (synthetic.applicants(n, seed), synthetic.positions(places, workplaces, seed))
    )
    out["generate_s"] = gen
    pol = load_policy(POLICY)
    c0 = time.process_time()
    res, t_alloc = timed(allocate, pol, apps, poss, "bench")
    lines, t_expl = timed(lambda: list(explanations_jsonl(res)))
    cpu_stable = time.process_time() - c0
    out["stable"] = {
        "placed": sum(1 for j in res.match if j >= 0),
        **{k: round(v, 3) for k, v in res.timings.items()},
        "allocate_s": t_alloc,
        "explanations_s": t_expl,
        "explanations_mb": sum(map(len, lines)) / 1e6,
        "total_s": t_alloc + t_expl,
        "total_cpu_s": cpu_stable,
        "proposals": sum(len(p) for p in res.proposers),
    }
    del lines
    sq, t_sq = timed(allocate, pol, apps, poss, "bench", status_quo=True)
    _, t_rep = timed(build_report, res, sq)
    out["report_s"] = t_sq + t_rep
    if optimise:
        r_opt, t_opt = timed(allocate, pol, apps, poss, "bench", mode="optimise")
        out["optimise"] = {
            "seconds": t_opt,
            **r_opt.info,
            "placed": sum(1 for j in r_opt.match if j >= 0),
        }
    if baselines:
        plain = plain_policy()
        pb = prepare(plain, apps, poss, "bench")
        ours, t_ours = timed(allocate, plain, apps, poss, "bench")
        hr = matching_hr(pb, hr_timeout)
        ours_by_id = {i: j for i, j in enumerate(ours.match) if j >= 0}
        if hr["status"] == "ok":
            hr["identical_to_ours"] = hr.pop("match") == ours_by_id
        out["plain_stable"] = {"seconds": t_ours, "matching_hr": hr}
        fl = ortools_flow(pb)
        po = {
            "ortools_s": fl["seconds"],
            "ortools_status": fl["status"],
            "ortools_need_weighted": need_weighted(pb, fl["match"]),
        }
        if optimise:
            o, t_o = timed(allocate, plain, apps, poss, "bench", mode="optimise")
            po |= {
                "ours_s": t_o,
                "ours_method": o.info.get("method"),
                "ours_need_weighted": need_weighted(pb, o.match),
                "identical_matching": fl["match"] == o.match,
            }
        out["plain_optimise"] = po
    out["load_average_1min"] = __import__("os").getloadavg()[0]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--applicants", type=int, default=10_000)
    ap.add_argument("--places", type=int, default=7_000)
    ap.add_argument("--workplaces", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baselines", action="store_true")
    ap.add_argument("--no-optimise", action="store_true")
    ap.add_argument("--hr-timeout", type=float, default=600)
    a = ap.parse_args()
    res = run(
        a.applicants, a.places, a.workplaces, a.seed, a.baselines, a.hr_timeout, not a.no_optimise
    )
    print(json.dumps(res, indent=1, default=str))


if __name__ == "__main__":
    main()
