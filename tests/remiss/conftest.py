"""Shared fixtures for the consultation tests. Expensive inputs (the PDF print) are built once
per session."""

from __future__ import annotations

import pytest

from skillnader.remiss.codebook import load_codebook
from skillnader.remiss.questions import load_consultation

from .builders import CONSULTATION, REAL, docx_bytes, pdf_bytes, real_document


@pytest.fixture(scope="session")
def consultation():
    return load_consultation(CONSULTATION)


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture(scope="session")
def real_doc():
    return real_document()


@pytest.fixture(scope="session")
def real_pdf(real_doc) -> bytes:
    return pdf_bytes(real_doc)


@pytest.fixture(scope="session")
def real_docx(real_doc) -> bytes:
    return docx_bytes(real_doc)


@pytest.fixture(scope="session")
def real_path():
    return REAL
