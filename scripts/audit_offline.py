"""Check a lock against a local copy of the PyPA advisory database (OSV records in YAML).

For a machine that reaches the package registry but not a vulnerability service (pip-audit's two
services both fail there): every ``name==version`` of the lock is compared with the ``affected``
versions and ECOSYSTEM ranges of each advisory for that package. Only as current as the copy.

    python scripts/audit_offline.py ADVISORY_DB [requirements.lock]

ADVISORY_DB is a git clone of the database (its ``vulns/<package>/*.yaml`` are read from the
checked-out commit, ``HEAD``). Exit 1 when an advisory affects a pinned version, else 0.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def affects(advisory: dict, version: str) -> bool:
    """Whether an OSV record names ``version`` or puts it in one of its ECOSYSTEM ranges."""
    v = Version(version)
    for aff in advisory.get("affected", []):
        if version in (aff.get("versions") or []):
            return True
        for rng in aff.get("ranges", []):
            if rng.get("type") != "ECOSYSTEM":
                continue
            lo = None
            for ev in rng.get("events", []):
                try:
                    if "introduced" in ev:
                        lo = Version(str(ev["introduced"]))
                    elif "fixed" in ev and lo is not None:
                        if lo <= v < Version(str(ev["fixed"])):
                            return True
                        lo = None
                    elif "last_affected" in ev and lo is not None:
                        if lo <= v <= Version(str(ev["last_affected"])):
                            return True
                        lo = None
                except InvalidVersion:
                    lo = None
            if lo is not None and v >= lo:
                return True
    return False


def main(argv: list[str]) -> int:
    db = Path(argv[0])
    lock = (
        Path(argv[1])
        if len(argv) > 1
        else Path(__file__).resolve().parents[1] / "requirements.lock"
    )
    pins = {_name(m.group(1)): m.group(2) for m in _PIN.finditer(lock.read_text(encoding="utf-8"))}

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(db), *args], capture_output=True, text=True, check=True
        ).stdout

    commit = git("log", "-1", "--format=%h %cs").strip()
    by_package: dict[str, list[str]] = {}
    for f in git("ls-tree", "-r", "--name-only", "HEAD", "vulns").split():
        by_package.setdefault(_name(f.split("/")[1]), []).append(f)
    checked = 0
    hits = []
    for name, version in sorted(pins.items()):
        for f in by_package.get(name, []):
            checked += 1
            advisory = yaml.safe_load(git("show", f"HEAD:{f}"))
            if affects(advisory, version):
                hits.append(
                    f"{name}=={version}: {advisory.get('id')} {advisory.get('aliases', [])}"
                )
    for h in hits:
        print(h)
    print(
        f"{lock.name}: {len(pins)} packages, {checked} advisories of the database at {commit} "
        f"checked, {len(hits)} affecting a pinned version"
    )
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
