#!/usr/bin/env bash
# A CycloneDX software bill of materials (SBOM) of the locked dependencies, shipped with each
# release: every package of requirements.lock with its exact version and package URL, and
# Skillnader itself (from pyproject.toml) as the root component.
#
#   bash scripts/sbom.sh                 # writes dist/skillnader-<version>.cdx.json
#   bash scripts/sbom.sh OUT.json
#
# The generator (cyclonedx-bom, pinned) runs in a throwaway virtual environment so it never
# enters the application's own dependencies. Needs PyPI (pip) once.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
version=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
out=${1:-dist/skillnader-$version.cdx.json}
mkdir -p "$(dirname "$out")"
venv=$(mktemp -d /tmp/skillnader-sbom.XXXXXX)
trap 'rm -rf "$venv"' EXIT
"$PY" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check cyclonedx-bom==7.5.0
"$venv/bin/cyclonedx-py" requirements requirements.lock --pyproject pyproject.toml \
  --mc-type application --output-reproducible --of JSON -o "$out" --validate
echo "$out"
