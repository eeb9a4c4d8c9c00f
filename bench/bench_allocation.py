"""Benchmark of the summer-job allocation on SYNTHETIC populations (skillnader.allocation.synthetic).

    python bench/bench_allocation.py                       # 10,000 x 7,000 places in 1,000 workplaces
    python bench/bench_allocation.py --applicants 100000 --places 70000 --workplaces 10000
    python bench/bench_allocation.py --baselines           # also the matching package and OR-Tools
    python bench/bench_allocation.py --growth --cli        # 1k, 10k, 100k (places 0.7 x, workplaces
                                                           # 0.1 x) in fresh processes, growth ratios

Times, in one process each, with the example policy (tier and mixing reserves, district guarantee):

* stable: prepare (tiers, lottery, expanding choices, eligibility) + deferred acceptance + labelling
  every place + the explanations of every applicant as JSON lines (``explanations_jsonl``);
* report: the report with the status quo (second allocation) and disclosure control;
* optimise: the optimising mode (min-cost flow with reserve and district nodes);
* cli (``--cli``): ``skillnader allocate`` end to end in a child process (reading the CSV files,
  both allocations, report, explanations of every applicant and position, writing the files),
  wall and CPU time.

With ``--baselines``, on the same instance under a policy WITHOUT reserves, mixing or district
guarantee (what the baselines can express):

* the ``matching`` package's hospital-resident solver (resident-optimal), in a child process with a
  time limit; its matching is compared with our stable mode's (the resident-optimal stable matching
  is unique, so they must be identical);
* a serial dictatorship in priority order (a Python loop over applicants: each takes their first
  listed position with a free place), what one would write with a sorted table; with one priority
  order for every position it is the same matching as the stable mode's, which is checked;
* a plain OR-Tools min-cost flow (SimpleMinCostFlow) with the same costs as our optimising mode; the
  objective values must be equal;
* with ``--milp``, the earlier optimising mode (HiGHS integer program, ``optimise.solve_milp``).

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


def serial_dictatorship(pb):
    """Applicants in priority order each take their first listed position with a free place."""
    t = time.perf_counter()
    free = list(pb.capacity)
    match = [-1] * len(pb.applicants)
    for i in sorted(range(len(pb.applicants)), key=pb.rank.__getitem__):
        for j in pb.prefs[i]:
            if free[j]:
                free[j] -= 1
                match[i] = j
                break
    return {"seconds": time.perf_counter() - t, "match": match}


def cli_run(n, places, workplaces, seed):
    """``skillnader allocate`` end to end in a child process: wall and CPU time."""
    import subprocess
    import sys
    import tempfile

    from skillnader.allocation import inputs

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        inputs.write_applicants(synthetic.applicants(n, seed), d / "a.csv")
        inputs.write_positions(synthetic.positions(places, workplaces, seed), d / "p.csv")
        cmd = [
            sys.executable, "-c", "from skillnader.cli import main; main()", "allocate",
            "--policy", str(POLICY), "--applicants", str(d / "a.csv"),
            "--positions", str(d / "p.csv"), "--seed", "bench", "--out", str(d / "out"),
        ]  # fmt: skip
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - t
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        # start-up: the interpreter and every module 'skillnader allocate' imports before it runs
        t = time.perf_counter()
        subprocess.run([*cmd[:4], "--help"], check=True, capture_output=True)
        startup = time.perf_counter() - t
        return {
            "startup_wall_s": startup,
            "command": "skillnader allocate --policy policy_example.yaml --applicants A.csv "
            "--positions P.csv --seed bench --out DIR",
            "wall_s": wall,
            "cpu_s": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
        }


def need_weighted(pb, match):
    w = {t.id: t.weight for t in pb.policy.tiers}
    return sum(w[pb.tier[i]] for i, j in enumerate(match) if j >= 0)


def run(n, places, workplaces, seed, baselines, hr_timeout, optimise, cli=False, milp=False):
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
        # the synthetic choices are wildcards ("butik/juli/*"): their number per applicant stays
        # the same with size, the positions they name (up to the policy's max_positions) grow
        "choices_per_applicant": sum(len(a.choices) for a in apps) / n,
        "listed_per_applicant": sum(len(p) for p in res.problem.prefs) / n,
    }
    out["stable"]["proposals_per_applicant"] = out["stable"]["proposals"] / n
    out["stable"]["cpu_us_per_proposal"] = (
        1e6 * out["stable"]["total_cpu_s"] / out["stable"]["proposals"]
    )
    del lines
    sq, t_sq = timed(allocate, pol, apps, poss, "bench", status_quo=True)
    _, t_rep = timed(build_report, res, sq)
    out["report_s"] = t_sq + t_rep
    out["report_cpu_s"] = CPU.get("build_report", 0)
    if optimise:
        c0 = time.process_time()
        r_opt, t_opt = timed(allocate, pol, apps, poss, "bench", mode="optimise")
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        out["optimise"] = {
            "seconds": t_opt,
            "cpu_s_incl_solver_child": time.process_time() - c0 + ch.ru_utime + ch.ru_stime,
            **r_opt.info,
            "placed": sum(1 for j in r_opt.match if j >= 0),
        }
    if baselines:
        plain = plain_policy()
        pb = prepare(plain, apps, poss, "bench")
        ours, t_ours = timed(allocate, plain, apps, poss, "bench")
        sd = serial_dictatorship(pb)
        out["serial_dictatorship"] = {
            "seconds": sd["seconds"],
            "identical_to_ours": sd["match"] == ours.match,
        }
        hr = matching_hr(pb, hr_timeout) if hr_timeout > 0 else {"status": "not run"}
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
        if milp:
            from skillnader.allocation.optimise import solve_milp

            (m_match, m_info), t_m = timed(solve_milp, pb, 3600)
            po |= {
                "milp_s": t_m,
                "milp_need_weighted": need_weighted(pb, m_match),
                "milp_method": m_info["method"],
            }
        out["plain_optimise"] = po
    if cli:
        out["cli"] = cli_run(n, places, workplaces, seed)
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
    ap.add_argument("--cli", action="store_true", help="also time skillnader allocate end to end")
    ap.add_argument("--milp", action="store_true", help="also the earlier integer program")
    ap.add_argument("--growth", action="store_true", help="1k, 10k and 100k with growth ratios")
    a = ap.parse_args()
    if a.growth:
        return growth(a)
    res = run(
        a.applicants, a.places, a.workplaces, a.seed, a.baselines, a.hr_timeout,
        not a.no_optimise, a.cli, a.milp,
    )  # fmt: skip
    print(json.dumps(res, indent=1, default=str))


def growth(a):
    """Each size in a fresh process; times and their ratios to the 10,000 run."""
    import subprocess
    import sys

    rows = []
    for n in (1_000, 10_000, 100_000):
        cmd = [sys.executable, __file__, "--applicants", str(n), "--places", str(n * 7 // 10)]
        cmd += ["--workplaces", str(n // 10), "--seed", str(a.seed)]
        cmd += ["--cli"] if a.cli else []
        cmd += ["--no-optimise"] if a.no_optimise else []
        res = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        print(json.dumps(res, default=str), file=sys.stderr)
        st = res["stable"]
        row = {
            "applicants": n,
            "choices_per_applicant": round(st["choices_per_applicant"], 2),
            "listed_per_applicant": round(st["listed_per_applicant"], 1),
            "proposals": st["proposals"],
            "proposals_per_applicant": round(st["proposals_per_applicant"], 1),
            "stable_cpu_us_per_proposal": round(st["cpu_us_per_proposal"], 2),
            "stable_with_explanations_s": st["total_s"],
            "stable_with_explanations_cpu_s": st["total_cpu_s"],
            "report_s": res["report_s"],
            "optimise_s": res.get("optimise", {}).get("seconds"),
            "cli_startup_wall_s": res.get("cli", {}).get("startup_wall_s"),
            "cli_wall_s": res.get("cli", {}).get("wall_s"),
            "cli_cpu_s": res.get("cli", {}).get("cpu_s"),
            "load_average_1min": res["load_average_1min"],
        }
        rows.append(row)
    base = next(r for r in rows if r["applicants"] == 10_000)
    for r in rows:
        r["ratio_to_10k"] = {
            k: round(r[k] / base[k], 2)
            for k in r
            if k
            not in (
                "applicants",
                "load_average_1min",
                "ratio_to_10k",
                "choices_per_applicant",
                "listed_per_applicant",
            )
            and r[k] is not None
            and base[k]
        }
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
