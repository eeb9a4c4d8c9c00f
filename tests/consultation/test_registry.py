"""The bundled board registry and the consultation loader."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.management import call_command
from tests.conftest import shared_file

from skillnader.web.consultation.models import Board, Consultation
from skillnader.web.consultation.registry import import_consultation, load_registry, sync_boards

DISTRICTS_CSV = "data/stockholm_districts/stockholm_stadsdel_to_stadsdelsomrade.csv"


def _district_names(column: str) -> set[str]:
    with open(shared_file(DISTRICTS_CSV), encoding="utf-8") as fh:
        return {row[column] for row in csv.DictReader(fh)}


def test_registry_has_each_vintage_of_district_councils():
    boards = load_registry()
    districts = [b for b in boards if b["kind"] == "district"]

    def on(day):
        return {
            b["area"]
            for b in districts
            if b["valid_from"] <= day and (b["valid_to"] is None or day <= b["valid_to"])
        }

    assert len(on(dt.date(2019, 1, 1))) == 14
    assert len(on(dt.date(2021, 1, 1))) == 13
    assert len(on(dt.date(2024, 1, 1))) == 11
    assert on(dt.date(2020, 6, 30)) != on(dt.date(2020, 7, 1))
    # cross-checked against the city's published district table
    assert on(dt.date(2019, 1, 1)) == _district_names("sdo_2007_2020")
    assert on(dt.date(2021, 1, 1)) == _district_names("sdo_from_2020_07")
    assert on(dt.date(2024, 1, 1)) == _district_names("sdo_from_2023_07")
    by_id = {b["id"]: b for b in boards}
    assert by_id["jarva"]["vintages"] == ["sdo11"]
    assert by_id["hagersten_alvsjo"]["vintages"] == ["sdo13", "sdo11"]
    for needed in (
        "socialnamnden",
        "utbildningsnamnden",
        "arbetsmarknadsnamnden",
        "kulturnamnden",
        "stadsbyggnadsnamnden",
        "aldrenamnden",
        "idrottsnamnden",
        "exploateringsnamnden",
        "trafiknamnden",
        "miljo_och_halsoskyddsnamnden",
        "stadshus",
        "familjebostader",
        "stockholmshem",
        "svenska_bostader",
        "slk",
    ):
        assert needed in by_id, needed
    assert by_id["slk"]["kind"] == "executive"
    assert by_id["stadshus"]["name"] == "Stockholms Stadshus AB"


@pytest.mark.django_db
def test_sync_is_idempotent_and_command_reports(capsys):
    first = sync_boards()
    n = len(load_registry())
    assert len(first.created) == n and Board.objects.count() == n
    again = sync_boards()
    assert again.created == [] and again.updated == [] and again.unchanged == n
    Board.objects.filter(pk="bromma").update(name="Fel namn")
    Board.objects.create(id="gammal", name="Nedlagd nämnd", kind="specialist")
    third = sync_boards()
    assert third.updated == ["bromma"] and third.unlisted == ["gammal"]
    assert Board.objects.get(pk="bromma").name == "Bromma stadsdelsnämnd"
    call_command("sync_boards")
    assert "0 created, 0 updated" in capsys.readouterr().out
    assert Board.objects.get(pk="skarholmen").valid_on(dt.date(2015, 10, 30))
    assert not Board.objects.get(pk="jarva").valid_on(dt.date(2015, 10, 30))


@pytest.mark.django_db
def test_import_bundled_consultation():
    sync_boards()
    c = import_consultation()
    assert c.slug == "skillnadernas-stockholm" and c.status == Consultation.Status.DRAFT
    assert c.deadline == dt.date(2015, 10, 30)
    assert [q.qid for q in c.questions.all()] == ["q1", "q2", "q3"]
    assert c.questions.get(qid="q2").text.startswith("Vilka huvudsakliga utmaningar")
    assert c.recipients.count() == 22
    assert c.recipients.filter(kind="district").count() == 14


@pytest.mark.django_db
def test_import_command(capsys):
    call_command("sync_boards")
    call_command("import_consultation", "--slug", "remiss-2015", "--status", "sent")
    assert "3 questions, 22 recipients" in capsys.readouterr().out
    c = Consultation.objects.get(slug="remiss-2015")
    assert c.status == "sent" and c.questions.get(number=3).role == "additional_challenges"
    from django.core.management.base import CommandError

    Board.objects.filter(pk="slk").delete()
    with pytest.raises(CommandError, match="inte finns i nämndregistret.*slk"):
        call_command("import_consultation")
