"""Public URLs. Every page also answers at ``<page>.json`` and ``<page>.csv`` (datasette style),
or with ``?format=json|csv``; the JSON twin is the page's data, the CSV twin its main table.

=============================================  ==============================================
``/``                                          the five domains, latest city values, gaps in data
``/domain/<id>/``                              a domain's indicators with overview maps and gaps
``/indicator/<id>/?level=&vintage=&year=``     map, ranking, trend, groups; also ``group=``,
                                               ``colour=value|compare``, ``trend=<code>`` (repeat)
``/indicator/<id>/chart/<kind>.svg?...``       a chart as static SVG (map, bars, trend, groups)
``/area/<level>/<vintage>/<code>/``            area profile: spine chart, ranks, trends, neighbours
``/compare/?a=<level>/<vintage>/<code>``       areas side by side (repeat ``a``)
``/overview/?benchmark=&domain=&level=``       areas x indicators against city/region/country
``/search/?q=``                                areas and indicators, case/diacritic-insensitive
``/report/city/?year=&lang=&format=pdf|html``  the city report (generated once per data version)
``/report/area/<level>/<vintage>/<code>/``     the area's printable profile (same options)
=============================================  ==============================================
"""

from django.urls import path, register_converter

from skillnader.web.public import overview, reports_views, views


class FormatConverter:
    regex = r"json|csv|sv\.csv"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class CodeConverter:
    """Ids and area codes: anything but a slash or a dot (the dot starts a format suffix)."""

    regex = r"[^/.]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")
register_converter(CodeConverter, "code")

app_name = "public"
urlpatterns = [
    path("", views.start, name="start"),
    path("index.<fmt:fmt>", views.start, name="start"),
    path("domain/<code:domain_id>/", views.domain, name="domain"),
    path("domain/<code:domain_id>.<fmt:fmt>", views.domain, name="domain"),
    path("indicator/<code:indicator_id>/", views.indicator, name="indicator"),
    path("indicator/<code:indicator_id>.<fmt:fmt>", views.indicator, name="indicator"),
    path(
        "indicator/<code:indicator_id>/chart/<code:kind>.svg",
        views.indicator_chart,
        name="indicator-chart",
    ),
    path("area/<code:level>/<code:vintage>/<code:code>/", views.area, name="area"),
    path("area/<code:level>/<code:vintage>/<code:code>.<fmt:fmt>", views.area, name="area"),
    path("compare/", views.compare, name="compare"),
    path("compare.<fmt:fmt>", views.compare, name="compare"),
    path("overview/", overview.overview, name="overview"),
    path("overview.<fmt:fmt>", overview.overview, name="overview"),
    path("search/", views.search, name="search"),
    path("search.<fmt:fmt>", views.search, name="search"),
    path("report/city/", reports_views.city_report, name="report-city"),
    path(
        "report/area/<code:level>/<code:vintage>/<code:code>/",
        reports_views.area_report,
        name="report-area",
    ),
]
