"""Files uploaded in the admin are imported in the background, so that a large file does not
run into the web server's request timeout (gunicorn kills a worker whose request takes longer
than ``--timeout``, 60 s in the README's production setup).

The upload is copied into a private working directory (``mkdtemp``: readable by the site's user
only) under :func:`work_root`, an :class:`~skillnader.web.data.models.ImportJob` records it, and
the import runs on :mod:`skillnader.web.background`'s threads with
:func:`skillnader.web.data.importer.import_file` — one transaction, so a failed or interrupted
import writes nothing. The request waits :func:`inline_seconds` for it (a small file is done by
then) and then shows the job's status page.

Progress goes to ``progress.json`` in the working directory, not to the database: on SQLite the
import's transaction holds the write lock until it ends, and a progress row written inside that
transaction would only become visible (or be rolled back) with it. Every worker process of the
host reads the file. The result — release and counts, or the typed error — is stored on the job
when the import has ended, and the working directory is removed.

Messages never show a path on the server: the uploaded file and the mapping are named by the
names they were uploaded with (:func:`public_message`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from skillnader.errors import InputError, SkillnaderError
from skillnader.web import background
from skillnader.web.data.models import ImportJob

log = logging.getLogger(__name__)

#: Share of the work done when a stage is reached (``writing`` runs from 5 % to 90 %).
STAGES = {"queued": 0.0, "reading": 0.02, "writing": 0.05, "checking": 0.9, "saving": 0.97}

PROGRESS_FILE = "progress.json"


def may_import(user) -> bool:
    """Whether ``user`` may import data (and so see import jobs at all)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("data.add_observation")
    )


def work_root() -> Path:
    """Where uploads wait for their import (setting ``DATA_IMPORT_DIR``, default the system's
    temporary directory). Each upload gets a private directory of its own below it."""
    root = getattr(settings, "DATA_IMPORT_DIR", None)
    return Path(root) if root else Path(tempfile.gettempdir())


def inline_seconds() -> float:
    """How long the upload request waits for the import before it shows the status page
    (setting ``DATA_IMPORT_WAIT_SECONDS``, default 2)."""
    return float(getattr(settings, "DATA_IMPORT_WAIT_SECONDS", 2.0))


def stale_seconds() -> float:
    """After how long without a sign of life a running import counts as interrupted (its
    process ended; its transaction was rolled back). Setting ``DATA_IMPORT_STALE_SECONDS``,
    default 300. A running import touches its progress file every :data:`HEARTBEAT_SECONDS`
    also in stages that report nothing (the disclosure check after the last cell)."""
    return float(getattr(settings, "DATA_IMPORT_STALE_SECONDS", 300.0))


#: How often a running import shows it is alive (see :func:`stale_seconds`).
HEARTBEAT_SECONDS = 15.0


def _keep_alive(job: background.Job, work: Path) -> None:
    while not job.wait(HEARTBEAT_SECONDS):
        try:
            os.utime(work / PROGRESS_FILE)
        except OSError:
            return


def _upload_name(name: str, fallback: str) -> str:
    """The uploaded file's own name without any directory, safe as a file name."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    base = re.sub(r"[\x00-\x1f/]", "", base)
    return base[:200] if base not in ("", ".", "..") else fallback


def _save(uploaded, directory: Path, name: str) -> Path:
    directory.mkdir(mode=0o700)
    target = directory / name
    with open(target, "wb") as fh:
        for chunk in uploaded.chunks():
            fh.write(chunk)
    return target


def _write_progress(work: Path, stage: str, share: float) -> None:
    tmp = work / (PROGRESS_FILE + ".tmp")
    tmp.write_text(json.dumps({"stage": stage, "share": round(share, 4)}))
    os.replace(tmp, work / PROGRESS_FILE)


def read_progress(job: ImportJob) -> tuple[str, float, float | None]:
    """Stage, share done and age in seconds of the last report of a running job (age None when
    the job has not reported: its directory is gone)."""
    path = Path(job.work_dir) / PROGRESS_FILE if job.work_dir else None
    try:
        assert path is not None
        data = json.loads(path.read_text())
        age = time.time() - path.stat().st_mtime
    except (AssertionError, OSError, ValueError):
        return "queued", 0.0, None
    return str(data.get("stage", "")), float(data.get("share", 0.0)), age


def public_message(exc: BaseException, work: Path, names: dict[Path, str]) -> str:
    """The error's text with every path in the working directory replaced by the name the user
    uploaded (``names``) or, for anything else in it, by its file name."""
    text = str(exc)
    for path, name in names.items():
        for form in {str(path), os.path.realpath(path)}:
            text = text.replace(form, name)
    for root in {
        str(work),
        os.path.realpath(work),
        str(work_root()),
        os.path.realpath(work_root()),
    }:
        text = re.sub(re.escape(root.rstrip("/")) + r"/[^\s:'\")]*", _basename, text)
    return text


def _basename(match: re.Match) -> str:
    return match.group(0).rstrip("/").rsplit("/", 1)[-1]


def _import_job(job: background.Job, path: Path, mapping: Path | None, options: dict, user: str):
    from django.db import connections

    from skillnader.web.data.importer import import_file

    def progress(done: int, total: int) -> None:
        if total and done >= total:
            job.report("checking", STAGES["checking"])
        else:
            share = done / total if total else 0.0
            job.report("writing", STAGES["writing"] + (STAGES["checking"] - 0.05) * share)

    job.report("reading", STAGES["reading"])
    try:
        return import_file(path, mapping=mapping, user=user, progress=progress, **options)
    finally:
        connections.close_all()


def start(uploaded, mapping_upload, options: dict[str, Any], user) -> ImportJob:
    """Save the upload privately, record the job and start the import (see the module
    docstring). Raises :class:`InputError` when another import holds SQLite's write lock so that
    not even the job can be recorded."""
    name = _upload_name(uploaded.name, "data")
    mapping_name = _upload_name(mapping_upload.name, "mapping.yaml") if mapping_upload else ""
    work = Path(tempfile.mkdtemp(prefix="skillnader-import-", dir=work_root()))
    try:
        path = _save(uploaded, work / "data", name)
        mapping = _save(mapping_upload, work / "mapping", mapping_name) if mapping_upload else None
        _write_progress(work, "queued", 0.0)
        try:
            record = ImportJob.objects.create(
                user=user,
                file_name=name,
                mapping_name=mapping_name,
                status=ImportJob.Status.RUNNING,
                work_dir=str(work),
            )
        except OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise InputError(
                "another import is running",
                path=name,
                expected="one import at a time: try again when the other has finished",
            ) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    names = {path: name, **({mapping: mapping_name} if mapping else {})}
    job = background.submit(_import_job, path, mapping, options, user.get_username())
    if not job.wait(inline_seconds()):
        pk = record.pk
        last: list[Any] = [None, -1.0]

        def on_progress(stage: str, share: float) -> None:
            # At most one write per stage and per percent.
            if stage != last[0] or share - last[1] >= 0.01:
                last[:] = [stage, share]
                _write_progress(work, stage, share)

        def on_done(done: background.Job) -> None:
            _write_progress(work, "saving", STAGES["saving"])
            finish(pk, done, work, names)

        if job.detach(on_progress, on_done):
            _write_progress(work, job.stage, job.share)
            threading.Thread(
                target=_keep_alive, args=(job, work), name="skillnader-job-alive", daemon=True
            ).start()
            return record
        # It finished while the hand-over was being prepared: finish here after all.
    finish(record.pk, job, work, names)
    record.refresh_from_db()
    return record


def result_data(result) -> dict[str, Any]:
    """What the status page shows of an :class:`~skillnader.web.data.importer.ImportResult`."""
    return {
        "release": result.release_id,
        "source": result.source_id,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "suppressed": result.suppressed,
        "already_imported": result.already_imported,
        "also": [result_data(r) for r in result.also],
    }


def finish(pk: int, job: background.Job, work: Path, names: dict[Path, str]) -> None:
    """Store a finished import's result or typed error on its record and remove its files."""
    try:
        record = ImportJob.objects.get(pk=pk)
        if record.status != ImportJob.Status.RUNNING and record.error_type != "Interrupted":
            return
        # (A job a reader took for interrupted has not been: what it did is stored after all.)
        try:
            result = job.result()
        except SkillnaderError as exc:
            record.status = ImportJob.Status.FAILED
            record.error = public_message(exc, work, names)
            record.error_type = type(exc).__name__
        except Exception:
            log.exception("import job %s failed", pk)
            record.status = ImportJob.Status.FAILED
            record.error = "importen avbröts av ett fel i tjänsten; inget skrevs"
            record.error_type = "InternalError"
        else:
            record.status = ImportJob.Status.DONE
            record.result = result_data(result)
        record.finished_at = timezone.now()
        record.work_dir = ""
        background.retry_when_busy(record.save)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def expire_stale(record: ImportJob) -> ImportJob:
    """A running job that has not reported for :func:`stale_seconds` (its process ended, and
    with it the transaction) becomes a failed job saying so; its files are removed."""
    if record.status != ImportJob.Status.RUNNING:
        return record
    _stage, _share, age = read_progress(record)
    if age is not None and age <= stale_seconds():
        return record
    if age is None and (timezone.now() - record.created_at).total_seconds() <= stale_seconds():
        return record  # between the record and the first report
    try:
        updated = ImportJob.objects.filter(pk=record.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED,
            error="importen avbröts innan den blev klar; inget skrevs – ladda upp filen igen",
            error_type="Interrupted",
            finished_at=timezone.now(),
            work_dir="",
        )
    except OperationalError:
        return record  # SQLite's write lock is held: an import is still running after all
    if updated and record.work_dir:
        shutil.rmtree(record.work_dir, ignore_errors=True)
    record.refresh_from_db()
    return record


def retention_days() -> int:
    """Days an ended import's record is kept (setting ``DATA_IMPORT_RETENTION_DAYS``, default 90;
    environment ``SKILLNADER_DATA_IMPORT_RETENTION_DAYS``). See :func:`purge`."""
    return int(getattr(settings, "DATA_IMPORT_RETENTION_DAYS", 90))


#: Prefix of every working directory :func:`start` makes under :func:`work_root`.
WORK_PREFIX = "skillnader-import-"


@dataclass
class PurgeResult:
    """What :func:`purge` deleted (or, in a dry run, would delete)."""

    jobs: int
    directories: int


def purge(now: dt.datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete the records of imports that ended more than :func:`retention_days` ago and remove
    working directories that no running import owns.

    A record still marked running that has shown no sign of life for :func:`stale_seconds` is
    first marked interrupted (:func:`expire_stale`; it ended now, so its record goes in a later
    purge). A working directory under :func:`work_root` (``skillnader-import-…``) that no running
    record names and that has not changed for :func:`stale_seconds` was left by a process killed
    before it could clean up (its import was rolled back) and is removed. The records keep only
    names, counts and messages; the uploaded files are removed when each import ends.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    if not dry_run:
        for record in ImportJob.objects.filter(status=ImportJob.Status.RUNNING):
            expire_stale(record)
    ended = ImportJob.objects.exclude(status=ImportJob.Status.RUNNING).filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    doomed = list(ended.values_list("pk", flat=True))
    owned = {
        os.path.realpath(w)
        for w in ImportJob.objects.filter(status=ImportJob.Status.RUNNING).values_list(
            "work_dir", flat=True
        )
        if w
    }
    leftovers = [d for d in _work_dirs() if os.path.realpath(d) not in owned and _idle(d)]
    if not dry_run:
        if doomed:
            background.retry_when_busy(lambda: ImportJob.objects.filter(pk__in=doomed).delete())
        for d in leftovers:
            shutil.rmtree(d, ignore_errors=True)
        log.info("purged %d import records and %d working directories", len(doomed), len(leftovers))
    return PurgeResult(len(doomed), len(leftovers))


def _work_dirs() -> list[Path]:
    try:
        return [p for p in work_root().glob(WORK_PREFIX + "*") if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []


def _idle(directory: Path) -> bool:
    """Whether the directory (and its progress file) has not changed for :func:`stale_seconds`."""
    times = []
    for p in (directory, directory / PROGRESS_FILE):
        try:
            times.append(p.stat().st_mtime)
        except OSError:
            continue
    return bool(times) and time.time() - max(times) > stale_seconds()
