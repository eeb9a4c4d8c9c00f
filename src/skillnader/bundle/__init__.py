"""The bundled real Stockholm data and its loader.

* :mod:`skillnader.bundle.data` — copies of the real files, each folder with its SOURCES.md;
* :mod:`skillnader.bundle.build` — reads them into areas, links and observations (area-code
  scheme, vintages and conventions are described there);
* :mod:`skillnader.bundle.geometry` — projection, dissolving and web simplification;
* :mod:`skillnader.bundle.load` — ``load_bundle(force=False, progress=False) -> str`` and
  ``bundle_loaded() -> bool``, used by ``skillnader init`` and ``skillnader serve``.
"""
