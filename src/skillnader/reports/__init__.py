"""Printed reports: the yearly city report on differences and one-page area profiles.

* :func:`skillnader.reports.city.city_report` ``(year, out, lang="sv")`` — the city report;
* :func:`skillnader.reports.area.area_profile` ``(code, out, *, level, vintage=None, year,
  lang="sv")`` and :func:`skillnader.reports.area.all_profiles` — area profiles;
* :data:`skillnader.reports.cli.report` — the ``skillnader report`` click group.

Data come only through ``public_observations`` (:mod:`skillnader.reports.data`), charts are the
web's Vega-Lite specs rendered to SVG (:mod:`skillnader.reports.render`), and pages are HTML
templates printed to PDF by WeasyPrint. The output is ``.pdf`` or ``.html`` by file suffix.
"""
