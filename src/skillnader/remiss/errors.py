"""Typed errors for consultation documents.

Each one says what is wrong with the file and what the user can do about it, in Swedish (the
users are officials in the city's administrations); ``expected`` names what would have worked.
"""

from __future__ import annotations

from skillnader.errors import FormatError, InputError, MappingError


class DocumentError(InputError):
    """A consultation answer cannot be read."""


class ScannedPdfError(DocumentError):
    """The PDF has pages but no text layer (a scan or a photo of paper)."""

    def __init__(self, path: str, pages: int) -> None:
        super().__init__(
            f"PDF-filen saknar textlager ({pages} sidor med bara bilder); den verkar vara "
            "inskannad. Be om ett textbaserat original eller kör OCR först.",
            path=path,
            expected="en PDF med sökbar text",
        )


class EncryptedPdfError(DocumentError):
    """The PDF is encrypted with a password that is not empty."""

    def __init__(self, path: str) -> None:
        super().__init__(
            "PDF-filen är lösenordsskyddad och kan inte läsas. Be avsändaren om en version "
            "utan lösenord.",
            path=path,
            expected="en PDF utan lösenord",
        )


class WrongFileTypeError(DocumentError, FormatError):
    """The file's content does not match its name (e.g. a PNG renamed ``.pdf``)."""

    def __init__(self, path: str, found: str, expected: str) -> None:
        super().__init__(
            f"filens innehåll är {found}, inte det som filnamnet anger",
            path=path,
            value=found,
            expected=expected,
        )


class EmptyDocumentError(DocumentError):
    """The file holds no text at all."""

    def __init__(self, path: str | None, detail: str = "") -> None:
        msg = "dokumentet innehåller ingen text"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg, path=path, expected="ett remissvar med text")


class ConsultationConfigError(MappingError):
    """A consultation configuration file is missing a field or has a wrong value."""


class CodebookError(MappingError):
    """A codebook file or a codebook operation is inconsistent."""


class UnsafeDocumentError(DocumentError):
    """The file exceeds a limit (size, unpacked size, compression ratio, pages, nesting, time or
    memory) or has a construction a consultation answer never needs (an XML document type
    declaration, i.e. entities): it is refused before it can exhaust the server."""

    def __init__(self, path: str | None, problem: str, *, value=None, expected: str) -> None:
        super().__init__(problem, path=path, value=value, expected=expected)
