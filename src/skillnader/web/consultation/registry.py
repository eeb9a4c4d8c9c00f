"""The bundled registry of the city's boards and the loader of consultation configurations.

``data/boards.yaml`` lists every board that can receive a consultation; :func:`sync_boards`
brings the database in line with it. :func:`import_consultation` creates a consultation from a
``skillnader.remiss`` configuration (the same YAML the CLI's ``remiss compile`` reads).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from skillnader.errors import MappingError
from skillnader.remiss.questions import load_consultation

BOARDS_YAML = Path(__file__).resolve().parent / "data" / "boards.yaml"
BUNDLED_CONSULTATION = (
    Path(__file__).resolve().parents[2] / "remiss" / "data" / "skillnadernas_stockholm.yaml"
)
KINDS = ("district", "specialist", "company", "executive")


class RegistryError(MappingError):
    """The board registry is inconsistent."""


def _date(value, path: str, location: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise RegistryError(
            "ogiltigt datum", path=path, location=location, value=value, expected="ÅÅÅÅ-MM-DD"
        ) from exc


def load_registry(path: str | Path | None = None) -> list[dict]:
    """The boards of the registry as dicts (``id``, ``name``, ``kind``, ``area``,
    ``vintages``, ``valid_from``, ``valid_to``, ``aliases``), checked for duplicate ids,
    unknown kinds and unknown vintages."""
    path = Path(path or BOARDS_YAML)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    vintages = data.get("vintages") or {}
    seen: set[str] = set()
    out = []
    for i, b in enumerate(data.get("boards") or []):
        where = f"boards[{i}]"
        for key in ("id", "name", "kind"):
            if not b.get(key):
                raise RegistryError(f"fältet '{key}' saknas", path=str(path), location=where)
        if b["id"] in seen:
            raise RegistryError("id förekommer två gånger", path=str(path), value=b["id"])
        seen.add(b["id"])
        if b["kind"] not in KINDS:
            raise RegistryError(
                "okänd typ", path=str(path), location=where, value=b["kind"], expected=str(KINDS)
            )
        unknown = [v for v in b.get("vintages") or [] if v not in vintages]
        if unknown:
            raise RegistryError(
                "okänd indelning",
                path=str(path),
                location=where,
                value=unknown,
                expected=", ".join(vintages),
            )
        out.append(
            {
                "id": str(b["id"]),
                "name": str(b["name"]),
                "kind": b["kind"],
                "area": str(b.get("area") or ""),
                "vintages": list(b.get("vintages") or []),
                "valid_from": _date(b.get("valid_from"), str(path), where),
                "valid_to": _date(b.get("valid_to"), str(path), where),
                "aliases": [str(a) for a in b.get("aliases") or []],
            }
        )
    return out


@dataclass
class SyncResult:
    """What :func:`sync_boards` did; ``unlisted`` are boards in the database that the registry
    no longer lists (kept, since responses may refer to them)."""

    created: list[str]
    updated: list[str]
    unchanged: int
    unlisted: list[str]


@transaction.atomic
def sync_boards(path: str | Path | None = None) -> SyncResult:
    """Create or update the :class:`~.models.Board` rows from the registry."""
    from skillnader.web.consultation.models import Board

    created, updated, unchanged = [], [], 0
    entries = load_registry(path)
    for e in entries:
        fields = {k: v for k, v in e.items() if k != "id"}
        board = Board.objects.filter(pk=e["id"]).first()
        if board is None:
            Board.objects.create(id=e["id"], **fields)
            created.append(e["id"])
        elif any(getattr(board, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(board, k, v)
            board.save()
            updated.append(e["id"])
        else:
            unchanged += 1
    ids = {e["id"] for e in entries}
    unlisted = sorted(Board.objects.exclude(pk__in=ids).values_list("pk", flat=True))
    return SyncResult(created, updated, unchanged, unlisted)


@transaction.atomic
def import_consultation(path: str | Path | None = None, *, slug: str | None = None, status="draft"):
    """Create a consultation from a ``skillnader.remiss`` configuration file (default: the
    bundled "Skillnadernas Stockholm" consultation). Recipients must be boards of the registry
    (run :func:`sync_boards` first)."""
    from skillnader.web.consultation.models import Board, Consultation, Question

    path = Path(path or BUNDLED_CONSULTATION)
    lib = load_consultation(path)
    ensure_boards()
    if lib.deadline is None:
        raise MappingError("remissen saknar sista svarsdag", path=str(path), expected="deadline")
    boards = {b.pk: b for b in Board.objects.filter(pk__in=[r.id for r in lib.recipients])}
    missing = [r.id for r in lib.recipients if r.id not in boards]
    if missing:
        raise RegistryError(
            "remissinstanser som inte finns i nämndregistret",
            path=str(path),
            value=missing,
            expected="id:n ur boards.yaml",
        )
    c = Consultation.objects.create(
        slug=(slug or lib.id).replace("_", "-"),
        title=lib.title,
        sender=lib.sender or "",
        deadline=lib.deadline,
        status=status,
    )
    for q in lib.questions:
        Question.objects.create(
            consultation=c,
            qid=q.id,
            number=q.number,
            text=q.text,
            short_sv=q.short_sv or "",
            short_en=q.short_en or "",
            role=q.role or "",
        )
    c.recipients.set([boards[r.id] for r in lib.recipients])
    return c


def ensure_boards() -> None:
    """Register the city's boards from the registry the first time the consultation pages are
    used (a first-time city has none), so that a consultation can be created and sent at once."""
    from skillnader.web.consultation.models import Board

    if not Board.objects.exists():
        sync_boards()
