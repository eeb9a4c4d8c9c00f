"""Records of admin imports and leftover working directories are purged after the retention
period (``skillnader manage data_import_purge``), never a running import's."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from tests.data.test_admin import URL, upload, wait_done
from tests.data.test_importer import PX

from skillnader.web.data import jobs
from skillnader.web.data import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _work_root(settings, tmp_path):
    settings.DATA_IMPORT_DIR = str(tmp_path / "imports")
    settings.DATA_IMPORT_WAIT_SECONDS = 60
    settings.DATA_IMPORT_RETENTION_DAYS = 30
    settings.DATA_IMPORT_STALE_SECONDS = 60
    (tmp_path / "imports").mkdir()
    return tmp_path / "imports"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_superuser("analytiker", "a@example.org", "pw-123456")


def ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def job(user, name: str, status: str, started: float, ended: float | None, work_dir: str = ""):
    return m.ImportJob.objects.create(
        user=user,
        file_name=name,
        status=status,
        created_at=ago(started),
        finished_at=ago(ended) if ended is not None else None,
        work_dir=work_dir,
    )


def workdir(root, name: str, idle_seconds: float):
    d = root / (jobs.WORK_PREFIX + name)
    d.mkdir()
    jobs._write_progress(d, "writing", 0.5)
    t = time.time() - idle_seconds
    for p in (d / jobs.PROGRESS_FILE, d):
        os.utime(p, (t, t))
    return d


def names() -> set[str]:
    return set(m.ImportJob.objects.values_list("file_name", flat=True))


def test_ended_imports_older_than_the_retention_go_and_nothing_else(user, _work_root, capsys):
    job(user, "gammal.px", "done", 40, 40)
    job(user, "trasig.csv", "failed", 35, 31)
    job(user, "ny.px", "done", 40, 29)  # started long ago, ended within the period
    job(user, "igar.px", "done", 1, 1)
    alive = workdir(_work_root, "alive", idle_seconds=5)
    job(user, "pågår.csv", "running", 45, None, str(alive))

    call_command("data_import_purge", "--dry-run")
    assert (
        "would delete 2 import records that ended more than 30 days ago" in capsys.readouterr().out
    )
    assert len(names()) == 5

    call_command("data_import_purge")
    assert "deleted 2 import records" in capsys.readouterr().out
    assert names() == {"ny.px", "igar.px", "pågår.csv"}
    assert alive.exists()
    assert m.ImportJob.objects.get(file_name="pågår.csv").status == "running"


def test_a_dead_import_is_marked_interrupted_first_and_purged_a_period_later(user, _work_root):
    dead = workdir(_work_root, "dead", idle_seconds=600)
    job(user, "död.csv", "running", 45, None, str(dead))
    assert jobs.purge() == jobs.PurgeResult(jobs=0, directories=0)
    record = m.ImportJob.objects.get()
    assert record.status == "failed" and record.error_type == "Interrupted"
    assert not dead.exists()
    assert jobs.purge(now=timezone.now() + dt.timedelta(days=31)).jobs == 1
    assert not m.ImportJob.objects.exists()


def test_leftover_working_directories_go_once_idle_and_unowned(user, _work_root):
    leftover = workdir(_work_root, "killed", idle_seconds=600)
    recent = workdir(_work_root, "starting", idle_seconds=5)  # start() before its record
    owned_idle = workdir(_work_root, "owned", idle_seconds=30)
    job(user, "stor.csv", "running", 0, None, str(owned_idle))
    other = _work_root / "something-else"
    other.mkdir()
    os.utime(other, (time.time() - 600, time.time() - 600))

    assert jobs.purge(dry_run=True) == jobs.PurgeResult(jobs=0, directories=1)
    assert leftover.exists()
    assert jobs.purge() == jobs.PurgeResult(jobs=0, directories=1)
    assert not leftover.exists()
    assert recent.exists() and owned_idle.exists() and other.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_upload_is_kept_for_the_period_then_purged(vocab, client, user, _work_root):
    client.force_login(user)
    upload(client, PX.read_bytes())
    record = m.ImportJob.objects.get()
    assert wait_done(client, f"{URL}{record.pk}/")["status"] == "done"
    released = m.Release.objects.count()
    call_command("data_import_purge")
    assert m.ImportJob.objects.count() == 1
    m.ImportJob.objects.update(finished_at=ago(31), created_at=ago(31))
    call_command("data_import_purge")
    assert not m.ImportJob.objects.exists()
    assert client.get(f"{URL}{record.pk}/").status_code == 404
    # Only the record of the import goes: what it imported stays.
    assert m.Release.objects.count() == released == 1
    assert not any(_work_root.iterdir())
