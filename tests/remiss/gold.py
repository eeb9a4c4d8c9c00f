"""Scoring parsed answers against hand-made gold readings (``*.gold.yaml`` next to a fixture).

A gold file names the answer's sections (heading titles), headings that must *not* be sections
(letterhead, metadata, signatures), metadata facts, the passages answering each question (by
their first words), the codes a reader would give, and the additional challenges. Counts are
summed over answers (micro-averages), so one long answer does not dominate by its share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from skillnader.remiss.compile import compile_answers
from skillnader.remiss.pipeline import ParsedAnswer


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Score:
    sections: Counts = field(default_factory=Counts)
    mapping: Counts = field(default_factory=Counts)
    codes: Counts = field(default_factory=Counts)
    challenges: Counts = field(default_factory=Counts)
    errors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k in ("sections", "mapping", "codes", "challenges"):
            getattr(self, k).add(getattr(other, k))
        self.errors += other.errors

    def table(self) -> str:
        rows = [f"{'':12} {'P':>6} {'R':>6}"]
        for k in ("sections", "mapping", "codes", "challenges"):
            c = getattr(self, k)
            rows.append(
                f"{k:12} {c.precision:6.2f} {c.recall:6.2f}  (tp {c.tp} fp {c.fp} fn {c.fn})"
            )
        return "\n".join(rows)


def load_gold(fixture: Path) -> dict:
    return yaml.safe_load(fixture.with_suffix(".gold.yaml").read_text(encoding="utf-8"))


def _sets(pred: set, gold: set) -> Counts:
    return Counts(len(pred & gold), len(pred - gold), len(gold - pred))


def score(answer: ParsedAnswer, gold: dict, consultation, name: str = "") -> Score:
    s = Score()
    doc = answer.document
    titles = [sec.title for sec in doc.sections]
    s.sections = _sets(set(titles), set(gold.get("sections") or []))
    for bad in gold.get("not_sections") or []:
        if bad in titles:
            s.errors.append(f"{name}: {bad!r} is a section")
    header = doc.header.as_dict()
    for key, value in (gold.get("metadata") or {}).items():
        if str(header.get(key)) != str(value):
            s.errors.append(f"{name}: metadata {key} = {header.get(key)!r}, gold {value!r}")
    if gold.get("board") and answer.board != gold["board"]:
        s.errors.append(f"{name}: board {answer.board!r}, gold {gold['board']!r}")
    for qid, wanted in (gold.get("mapping") or {}).items():
        m = answer.mapping(qid)
        texts = [answer.passage(a.passage).text for a in m.answers if a.confidence >= 0.5]
        hit = [any(w in t for t in texts) for w in wanted]
        good = [any(w in t for w in wanted) for t in texts]
        s.mapping.add(Counts(sum(good), len(good) - sum(good), len(hit) - sum(hit)))
    codes = {t.code for t in answer.tags if t.polarity != "report"}
    s.codes = _sets(codes, set(gold.get("codes") or []))
    comp = compile_answers(consultation, [answer])
    extra = [a["quote"].text for a in comp.additional]
    wanted = gold.get("challenges") or []
    hit = [any(w in t for t in extra) for w in wanted]
    good = [any(w in t for w in wanted) for t in extra]
    s.challenges = Counts(sum(good), len(good) - sum(good), len(hit) - sum(hit))
    for bad in gold.get("not_challenges") or []:
        if any(bad in t for t in extra):
            s.errors.append(f"{name}: {bad!r} listed as an additional challenge")
    if comp.refused:
        s.errors.append(f"{name}: refused as not an answer: {comp.refused[0]['reasons']}")
    return s


def score_folder(paths, consultation, codebook) -> tuple[Score, dict[str, Score]]:
    """Every answer in ``paths`` parsed and scored against its gold: the summed score and each
    file's."""
    from skillnader.remiss.pipeline import parse_file

    total = Score()
    per: dict[str, Score] = {}
    for path in paths:
        a = parse_file(path, consultation=consultation, codebook=codebook)
        per[path.name] = s = score(a, load_gold(path), consultation, path.name)
        total.add(s)
    return total, per


def print_scores(total: Score, per: dict[str, Score]) -> None:
    """The scores as a table (shown with ``pytest -s`` or on a failure)."""
    print("\n" + total.table())
    for name, s in per.items():
        print(name, s.table().replace("\n", " | "), s.errors)
