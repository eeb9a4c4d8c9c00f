"""Hostile consultation files are refused with a typed error, in bounded time and memory, before
any parser can be made to expand, recurse or allocate without limit."""

from __future__ import annotations

import resource
import time

import pytest

from skillnader.remiss.errors import DocumentError, UnsafeDocumentError
from skillnader.remiss.extract import Limits, check_size, extract_bytes

from . import hostile
from .builders import docx_bytes, real_document


@pytest.fixture(scope="module")
def base_docx() -> bytes:
    return docx_bytes(real_document())


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def refused(data: bytes, fmt: str, *, seconds: float = 15.0) -> DocumentError:
    before = _peak_mib()
    t0 = time.perf_counter()
    with pytest.raises(DocumentError) as info:
        extract_bytes(data, format=fmt, path=f"fientlig.{fmt}")
    assert time.perf_counter() - t0 < seconds
    assert _peak_mib() - before < 200  # never near the sizes the file claims
    err = info.value
    assert err.path == f"fientlig.{fmt}" and err.message
    return err


@pytest.mark.parametrize("payload", [hostile.XXE, hostile.LAUGHS], ids=["xxe", "billion-laughs"])
def test_entities_in_footnotes_are_refused(base_docx, payload):
    err = refused(hostile.replace_member(base_docx, "word/footnotes.xml", payload), "docx")
    assert isinstance(err, UnsafeDocumentError)
    assert "dokumenttypdeklaration" in err.message and err.value == "word/footnotes.xml"


def test_a_gigabyte_footnotes_member_is_refused_from_a_one_megabyte_docx(base_docx):
    bomb = hostile.replace_member(
        base_docx, "word/footnotes.xml", stream=hostile.spaces(1024 * 1024 * 1024)
    )
    assert len(bomb) < 2 * 1024 * 1024
    err = refused(bomb, "docx")
    assert isinstance(err, UnsafeDocumentError) and "dekomprimeringsbomb" in err.message


def test_an_odt_bomb_is_refused():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        with zf.open("content.xml", "w", force_zip64=True) as fh:
            for chunk in hostile.spaces(512 * 1024 * 1024):
                fh.write(chunk)
    err = refused(buf.getvalue(), "odt")
    assert isinstance(err, UnsafeDocumentError) and err.value == "content.xml"


def test_deep_nesting_is_refused(base_docx):
    err = refused(
        hostile.replace_member(base_docx, "word/document.xml", hostile.deep_xml(5000)), "docx"
    )
    assert isinstance(err, UnsafeDocumentError) and "nästlad" in err.message


def test_a_200000_page_pdf_is_refused_by_its_page_count():
    err = refused(hostile.many_pages_pdf(200_000), "pdf")
    assert isinstance(err, UnsafeDocumentError) and "fler än 300 sidor" in err.message


@pytest.mark.parametrize(
    "make",
    [hostile.cyclic_pdf, hostile.deep_pdf, hostile.flate_bomb_pdf],
    ids=["cyclic", "deep", "flate"],
)
def test_broken_or_bombed_pdfs_end_in_a_typed_error(make):
    # Text extraction runs in a child process with memory and time limits: whatever the file
    # does, the answer is a typed error (no text, unreadable, or stopped at a limit).
    refused(make(), "pdf")


def test_size_limits_per_kind_are_configurable():
    limits = Limits.from_mapping({"max_bytes": {"txt": 10}})
    with pytest.raises(UnsafeDocumentError, match="för stor"):
        check_size(11, "txt", "svar.txt", limits)
    check_size(11, "pdf", "svar.pdf", limits)  # other kinds keep their defaults
    with pytest.raises(UnsafeDocumentError, match="för stor"):
        extract_bytes(b"x" * 11, format="txt", path="svar.txt", limits=limits)
    with pytest.raises(UnsafeDocumentError):
        check_size(Limits().size_limit("pdf") + 1, "pdf", "svar.pdf")


def test_the_command_line_refuses_with_exit_2(base_docx, tmp_path):
    from click.testing import CliRunner

    from skillnader.remiss.cli import remiss

    bad = tmp_path / "xxe.docx"
    bad.write_bytes(hostile.replace_member(base_docx, "word/footnotes.xml", hostile.XXE))
    result = CliRunner().invoke(remiss, ["parse", str(bad)])
    assert result.exit_code == 2
    assert "xxe.docx" in result.output and "dokumenttypdeklaration" in result.output
