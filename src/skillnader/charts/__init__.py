"""Chart specifications (Vega-Lite) shared by the web pages and the PDF reports.

See :mod:`skillnader.charts.vegalite`: choropleth maps, ranked bars with intervals, trends with
interval bands, group breakdowns and spine charts, as plain self-contained dicts.
"""
