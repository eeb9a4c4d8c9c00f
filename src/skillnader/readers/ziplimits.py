"""Limits for ZIP-based files (XLSX here; DOCX/ODT use the same idea): refuse a decompression
bomb from the archive's directory, before anything is unpacked.

Python's ``zipfile`` never inflates a member past the size its directory entry declares (a
member that holds more fails its CRC check), so the declared sizes bound what reading can cost:
checking them first refuses a 2 GB sheet packed into 18 MB in milliseconds instead of after
minutes of parsing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from skillnader.errors import FormatError

MIB = 1 << 20
#: The most a workbook may unpack to, all members together.
MAX_UNPACKED = 1024 * MIB
#: The most one member (a sheet) may unpack to.
MAX_MEMBER = 512 * MIB
#: Highest compression ratio accepted for a member larger than ``RATIO_FROM``; real sheets
#: compress 5-30 times, bombs a thousand.
MAX_RATIO = 100
RATIO_FROM = 8 * MIB
#: Members an archive may hold.
MAX_MEMBERS = 10_000


def check_archive(path: str | Path, *, what: str = "workbook") -> None:
    """Raise :class:`FormatError` (file, member, sizes) if the archive at ``path`` would unpack
    beyond the limits above. A file that is not a ZIP archive is left to its reader."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError):
        return
    if len(infos) > MAX_MEMBERS:
        raise FormatError(
            f"the {what} holds {len(infos)} parts",
            path=str(path),
            value=len(infos),
            expected=f"at most {MAX_MEMBERS}",
        )
    total = 0
    for info in infos:
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        ratio = size / packed
        if size > MAX_MEMBER or (size > RATIO_FROM and ratio > MAX_RATIO):
            raise FormatError(
                f"the {what} part unpacks to {size / MIB:.0f} MB from {packed / MIB:.1f} MB "
                f"(ratio {ratio:.0f}:1): a decompression bomb or a sheet too large to import",
                path=str(path),
                location=info.filename,
                value=size,
                expected=f"a part of at most {MAX_MEMBER // MIB} MB and a ratio of at most "
                f"{MAX_RATIO}:1 (save a large table as CSV)",
            )
        if total > MAX_UNPACKED:
            raise FormatError(
                f"the {what} unpacks to more than {MAX_UNPACKED // MIB} MB",
                path=str(path),
                location=info.filename,
                value=total,
                expected=f"at most {MAX_UNPACKED // MIB} MB unpacked (save a large table as CSV)",
            )
