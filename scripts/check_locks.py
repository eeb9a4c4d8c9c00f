"""Check that the hashed production lock and requirements.lock name the same versions.

Every package of requirements.hashes.txt must be pinned with ``==`` to the version
requirements.lock has for it, with at least one ``--hash=sha256:``; requirements.lock may have
more (the test and benchmark extras). Exit 1 with one line per difference, else 0.

    python scripts/check_locks.py [requirements.hashes.txt [requirements.lock]]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()  # PEP 503 normalised name


def pins(text: str) -> dict[str, tuple[str, int]]:
    """``{normalised name: (version, number of hashes)}`` of a requirements file."""
    out: dict[str, tuple[str, int]] = {}
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _PIN.match(stripped)
        if m:
            current = _name(m.group(1))
            out[current] = (m.group(2), 0)
        elif current is not None and not line[:1].isspace():
            current = None
        for _ in re.finditer(r"--hash=sha256:[0-9a-f]{64}", stripped):
            if current is not None:
                version, n = out[current]
                out[current] = (version, n + 1)
    return out


def differences(hashed: str, lock: str) -> list[str]:
    """One message per package whose version or hashes are not in step."""
    h, lk = pins(hashed), pins(lock)
    problems = []
    if not h:
        problems.append("the hashed lock pins no package")
    for name, (version, n_hashes) in sorted(h.items()):
        if name not in lk:
            problems.append(f"{name}=={version} is in the hashed lock but not in requirements.lock")
        elif lk[name][0] != version:
            problems.append(
                f"{name}: {version} in the hashed lock, {lk[name][0]} in requirements.lock"
            )
        if n_hashes == 0:
            problems.append(f"{name}=={version} has no --hash")
    return problems


def main(argv: list[str]) -> int:
    hashed = Path(argv[0]) if argv else ROOT / "requirements.hashes.txt"
    lock = Path(argv[1]) if len(argv) > 1 else ROOT / "requirements.lock"
    problems = differences(hashed.read_text(encoding="utf-8"), lock.read_text(encoding="utf-8"))
    for p in problems:
        print(f"{hashed.name}: {p}", file=sys.stderr)
    if problems:
        print("regenerate it with: bash scripts/lock_hashes.sh", file=sys.stderr)
        return 1
    print(
        f"{hashed.name}: {len(pins(hashed.read_text(encoding='utf-8')))} packages, "
        f"all at the versions of {lock.name}, all with hashes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
