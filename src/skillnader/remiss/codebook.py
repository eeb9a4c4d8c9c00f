"""The codebook: domains and challenge codes with Swedish/English labels, terms and patterns,
and the pure review operations the consultation workflow uses to grow it.

A codebook is immutable: :func:`accept`, :func:`merge` and :func:`create_code` return a new
codebook with a bumped minor version together with a :class:`Decision` record (who, when, what),
which the web application persists. Nothing here touches a database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from skillnader.remiss.errors import CodebookError
from skillnader.remiss.stems import tokens

DEFAULT_CODEBOOK = Path(__file__).with_name("codebook.yaml")
DOMAIN_IDS = ("health", "education", "work", "housing", "democracy")


@dataclass(frozen=True)
class Domain:
    """One of the five statistical domains (docs/DOMAIN.md §2)."""

    id: str
    label_sv: str
    label_en: str


@dataclass(frozen=True)
class Code:
    """A challenge code. ``terms`` are Swedish words/phrases, ``patterns`` regular expressions over
    stems; ``merged_from`` lists codes merged into this one (kept so old tags can be read)."""

    id: str
    domain: str
    label_sv: str
    label_en: str
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    merged_from: tuple[str, ...] = ()

    def regexes(self) -> list[tuple[str, re.Pattern]]:
        """``(source, compiled)`` pairs: every term as a stem-prefix pattern, then the patterns."""
        out = []
        for term in self.terms:
            stems = [t.stem for t in tokens(term)]
            if not stems:
                continue
            parts = [re.escape(s) if len(s) <= 3 else re.escape(s) + r"\w*" for s in stems]
            out.append((f"term:{term}", re.compile(r"\b" + " ".join(parts) + r"\b")))
        for pattern in self.patterns:
            # A leading \w* only widens the match to the start of the word, which the tagger
            # does anyway (evidence is whole words); without it the search is linear again.
            fast = pattern[3:] if pattern.startswith(r"\w*") else pattern
            out.append((f"pattern:{pattern}", re.compile(fast)))
        return out


@dataclass(frozen=True)
class Codebook:
    """A versioned set of domains and codes."""

    version: str
    name: str
    domains: tuple[Domain, ...]
    codes: tuple[Code, ...]
    source: str | None = None

    def code(self, code_id: str) -> Code:
        """The code ``code_id``, or the code it was merged into."""
        for c in self.codes:
            if c.id == code_id:
                return c
        for c in self.codes:
            if code_id in c.merged_from:
                return c
        raise CodebookError("okänd kod", value=code_id, expected="en kod i kodboken")

    def domain(self, domain_id: str) -> Domain:
        """The domain ``domain_id``."""
        for d in self.domains:
            if d.id == domain_id:
                return d
        raise CodebookError("okänt område", value=domain_id, expected=", ".join(DOMAIN_IDS))

    def to_dict(self) -> dict:
        """A mapping in the YAML file's layout."""
        return {
            "version": self.version,
            "name": self.name,
            "domains": [
                {"id": d.id, "label": {"sv": d.label_sv, "en": d.label_en}} for d in self.domains
            ],
            "codes": [
                {
                    "id": c.id,
                    "domain": c.domain,
                    "label": {"sv": c.label_sv, "en": c.label_en},
                    "terms": list(c.terms),
                    "patterns": list(c.patterns),
                    **({"merged_from": list(c.merged_from)} if c.merged_from else {}),
                }
                for c in self.codes
            ],
        }

    def to_yaml(self) -> str:
        """The codebook as YAML, loadable with :func:`load_codebook`."""
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read a codebook YAML file (the bundled ``codebook.yaml`` by default)."""
    path = Path(path) if path is not None else DEFAULT_CODEBOOK
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CodebookError("ogiltig YAML", path=str(path), value=str(exc)) from exc
    return codebook_from_dict(data, source=str(path))


def codebook_from_dict(data: dict, source: str | None = None) -> Codebook:
    """Build and validate a :class:`Codebook` from a mapping."""
    if not isinstance(data, dict) or "codes" not in data or "domains" not in data:
        raise CodebookError("kodboken behöver 'domains' och 'codes'", path=source)
    domains = tuple(
        Domain(str(d["id"]), d["label"]["sv"], d["label"]["en"]) for d in data["domains"]
    )
    dom_ids = {d.id for d in domains}
    codes = []
    seen = set()
    for i, c in enumerate(data["codes"]):
        loc = f"codes[{i}]"
        if c.get("domain") not in dom_ids:
            raise CodebookError(
                "koden hör inte till något känt område",
                path=source,
                location=loc,
                value=c.get("domain"),
                expected=", ".join(sorted(dom_ids)),
            )
        if c["id"] in seen:
            raise CodebookError("koden finns två gånger", path=source, location=loc, value=c["id"])
        seen.add(c["id"])
        for pattern in c.get("patterns") or []:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CodebookError(
                    "ogiltigt reguljärt uttryck", path=source, location=loc, value=pattern
                ) from exc
        codes.append(
            Code(
                str(c["id"]),
                str(c["domain"]),
                c["label"]["sv"],
                c["label"]["en"],
                tuple(c.get("terms") or ()),
                tuple(c.get("patterns") or ()),
                tuple(c.get("merged_from") or ()),
            )
        )
    return Codebook(
        str(data.get("version", "1.0")), str(data.get("name", "")), domains, tuple(codes), source
    )


# --- review operations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A review decision to be stored by the caller: what was done, by whom, when, and the
    codebook versions before and after."""

    action: str  # "accept" | "merge" | "create_code"
    by: str
    at: dt.datetime
    code: str
    version_before: str
    version_after: str
    candidate: str | None = None
    details: dict = field(default_factory=dict)


def bump_version(version: str) -> str:
    """``"1.4"`` → ``"1.5"``; a version without a minor part gets ``.1``."""
    m = re.match(r"^(.*?)(\d+)$", version)
    if m and "." in version:
        return f"{m.group(1)}{int(m.group(2)) + 1}"
    return f"{version}.1"


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or dt.datetime.now(dt.UTC)


def _require_actor(by: str) -> None:
    if not by or not by.strip():
        raise CodebookError("ett beslut måste ha en beslutsfattare", expected="användarnamn")


def accept(
    codebook: Codebook,
    candidate,
    code_id: str,
    *,
    by: str,
    at: dt.datetime | None = None,
    add_term: str | None = None,
) -> tuple[Codebook, Decision]:
    """Accept a candidate additional challenge as an instance of an existing code.

    ``candidate`` is a :class:`~skillnader.remiss.tagging.CandidateChallenge` (or anything with
    ``id`` and ``text``). With ``add_term`` the code learns a new term, so that later answers
    with the same wording are tagged directly; ``add_term`` must occur in the candidate's text.
    """
    _require_actor(by)
    code = codebook.code(code_id)
    new_book = codebook
    if add_term:
        if add_term.lower() not in candidate.text.lower():
            raise CodebookError(
                "termen förekommer inte i kandidatens text", value=add_term, expected="ett citat"
            )
        if add_term not in code.terms:
            new_code = replace(code, terms=(*code.terms, add_term))
            new_book = _replace_code(codebook, code.id, new_code)
    decision = Decision(
        "accept",
        by,
        _now(at),
        code.id,
        codebook.version,
        new_book.version,
        candidate=getattr(candidate, "id", None),
        details={"added_term": add_term} if add_term else {},
    )
    return new_book, decision


def merge(
    codebook: Codebook, source_id: str, target_id: str, *, by: str, at: dt.datetime | None = None
) -> tuple[Codebook, Decision]:
    """Merge code ``source_id`` into ``target_id``: the target takes over the source's terms and
    patterns and remembers its id in ``merged_from``; the source disappears."""
    _require_actor(by)
    if source_id == target_id:
        raise CodebookError("en kod kan inte slås ihop med sig själv", value=source_id)
    source = codebook.code(source_id)
    target = codebook.code(target_id)
    merged = replace(
        target,
        terms=tuple(dict.fromkeys((*target.terms, *source.terms))),
        patterns=tuple(dict.fromkeys((*target.patterns, *source.patterns))),
        merged_from=(*target.merged_from, source.id, *source.merged_from),
    )
    codes = tuple(merged if c.id == target.id else c for c in codebook.codes if c.id != source.id)
    new_book = replace(codebook, codes=codes, version=bump_version(codebook.version))
    decision = Decision(
        "merge",
        by,
        _now(at),
        target.id,
        codebook.version,
        new_book.version,
        details={"merged": source.id, "domain_changed": source.domain != target.domain},
    )
    return new_book, decision


def create_code(
    codebook: Codebook,
    code_id: str,
    *,
    domain: str,
    label_sv: str,
    label_en: str,
    terms: tuple[str, ...] | list[str] = (),
    patterns: tuple[str, ...] | list[str] = (),
    by: str,
    at: dt.datetime | None = None,
    candidate=None,
) -> tuple[Codebook, Decision]:
    """Add a new code (typically from a candidate additional challenge)."""
    _require_actor(by)
    codebook.domain(domain)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", code_id):
        raise CodebookError("ogiltigt kod-id", value=code_id, expected="gemener, siffror och _")
    if any(c.id == code_id or code_id in c.merged_from for c in codebook.codes):
        raise CodebookError("koden finns redan", value=code_id)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CodebookError("ogiltigt reguljärt uttryck", value=pattern) from exc
    code = Code(code_id, domain, label_sv, label_en, tuple(terms), tuple(patterns))
    new_book = replace(
        codebook, codes=(*codebook.codes, code), version=bump_version(codebook.version)
    )
    decision = Decision(
        "create_code",
        by,
        _now(at),
        code_id,
        codebook.version,
        new_book.version,
        candidate=getattr(candidate, "id", None),
        details={"domain": domain, "terms": list(terms), "patterns": list(patterns)},
    )
    return new_book, decision


def _replace_code(codebook: Codebook, code_id: str, new_code: Code) -> Codebook:
    codes = tuple(new_code if c.id == code_id else c for c in codebook.codes)
    return replace(codebook, codes=codes, version=bump_version(codebook.version))
