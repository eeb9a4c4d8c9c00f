import json

from click.testing import CliRunner

from skillnader.allocation.cli import allocate_command, synthetic_command

from .test_policy import EXAMPLE


def _files(d):
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def test_allocate_writes_allocation_explanations_report_and_is_reproducible(tmp_path):
    runner = CliRunner()
    res = runner.invoke(
        synthetic_command,
        [
            "--applicants",
            "600",
            "--places",
            "420",
            "--workplaces",
            "60",
            "--out",
            str(tmp_path / "in"),
        ],
    )
    assert res.exit_code == 0, res.output
    args = ["--policy", str(EXAMPLE), "--applicants", str(tmp_path / "in/applicants.csv"),
            "--positions", str(tmp_path / "in/positions.csv"), "--seed", "publicerat-2027-04-01"]  # fmt: skip
    r1 = runner.invoke(allocate_command, [*args, "--out", str(tmp_path / "r1")])
    r2 = runner.invoke(allocate_command, [*args, "--out", str(tmp_path / "r2")])
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output
    f1, f2 = _files(tmp_path / "r1"), _files(tmp_path / "r2")
    assert set(f1) == {
        "allocation.csv",
        "explanations.jsonl",
        "positions.jsonl",
        "report.json",
        "report.md",
        "report.html",
        "run.json",
        "SYNTHETIC.txt",
    }
    assert f1 == f2
    run = json.loads(f1["run.json"])
    assert run["seed"] == "publicerat-2027-04-01" and run["policy"]["version"] == "2027.1"
    assert len(f1["explanations.jsonl"].splitlines()) == 600
    rep = json.loads(f1["report.json"])
    assert rep["applicants"] == 600 and rep["blocking_pairs"] == 0 and "status_quo" in rep
    runner.invoke(allocate_command, [*args[:-1], "another seed", "--out", str(tmp_path / "r3")])
    assert _files(tmp_path / "r3")["allocation.csv"] != f1["allocation.csv"]


def test_bad_file_exits_2_naming_row_and_column(tmp_path):
    (tmp_path / "a.csv").write_text(
        "id,birth_date,sex,home_area,choices\nA1,2010-01-01,K,0180R999,park\n", encoding="utf-8"
    )
    (tmp_path / "p.csv").write_text(
        "id,employer,employer_type,district,category,period,capacity\nP1,E,board,Järva,park,juni,1\n",
        encoding="utf-8",
    )
    from skillnader.cli import Cli

    cmd = Cli(commands={"allocate": allocate_command})
    res = CliRunner().invoke(
        cmd,
        [
            "allocate",
            "--policy",
            str(EXAMPLE),
            "--applicants",
            str(tmp_path / "a.csv"),
            "--positions",
            str(tmp_path / "p.csv"),
            "--seed",
            "1",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 2
    assert "row 2, column home_area" in res.output and "0180R999" in res.output
    assert not (tmp_path / "o").exists()


def test_pdf_report(tmp_path):
    from pypdf import PdfReader

    runner = CliRunner()
    runner.invoke(
        synthetic_command,
        [
            "--applicants",
            "300",
            "--places",
            "200",
            "--workplaces",
            "30",
            "--out",
            str(tmp_path / "in"),
        ],
    )
    args = ["--policy", str(EXAMPLE), "--applicants", str(tmp_path / "in/applicants.csv"),
            "--positions", str(tmp_path / "in/positions.csv"), "--seed", "7", "--pdf"]  # fmt: skip
    res = runner.invoke(allocate_command, [*args, "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "r/report.pdf").pages)
    assert "SYNTETISKA DATA" in text and "Distrikt för distrikt" in text
    rep = json.loads((tmp_path / "r/report.json").read_text(encoding="utf-8"))
    placed = rep["overall"]["placed"]
    assert f"{placed} av 300" in text
