"""The OpenAPI 3.1 description of the read-only API, written as a plain dict.

Kept next to the views and tested against them (schema validity and a property-based run that
calls every operation), so it cannot drift silently.
"""

from __future__ import annotations

from typing import Any

from skillnader.analysis.tables import INEQUALITY_MEASURES

NUM = {"type": ["number", "null"]}
STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
BOOL = {"type": "boolean"}
STATUS = {
    "type": "string",
    "enum": ["ok", "suppressed", "missing"],
    "description": "`suppressed`: hidden to protect privacy, no numbers are given.",
}
COMPARISON = {
    "type": "string",
    "enum": [
        "better",
        "similar",
        "worse",
        "higher",
        "lower",
        "not_compared",
        "suppressed",
        "missing",
    ],
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
    }


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, description: str, schema: dict | None = None, **extra) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": extra.pop("required", False),
        "description": description,
        "schema": schema or STR,
        **extra,
    }


def _path(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": "^[^/.]+$"},
    }


ERRORS = {
    "400": _json(_ref("Error"), "Invalid parameter"),
    "404": _json(_ref("Error"), "Not found"),
}


def schema() -> dict[str, Any]:
    """The OpenAPI document (a new dict on every call)."""
    indicator = _obj(
        {
            "id": STR,
            "domain": STR,
            "name_sv": STR,
            "name_en": STR,
            "measure": STR,
            "polarity": {
                "type": "string",
                "enum": ["higher_is_better", "lower_is_better", "no_judgement"],
            },
            "unit": STR,
            "multiplier": {"type": "number"},
            "decimals": INT,
            "definition_sv": STR,
            "definition_en": STR,
            "numerator": STR,
            "denominator": STR,
            "source": STR,
            "source_url": STR,
            "external_ids": {"type": "object"},
            "catalogue_version": STR,
            "publication_threshold": {
                "type": "integer",
                "description": "Counts (and denominators) from 1 to this minus 1 are suppressed; "
                "0: no suppression.",
            },
            "suppress_zeros": {
                "type": "boolean",
                "description": "True zeros are suppressed too.",
            },
            "rounding_base": {
                "type": "integer",
                "minimum": 1,
                "description": "The counts of the observations (the numerator and the "
                "denominator, and the value of a count) are published rounded to the nearest "
                "multiple of this, halves away from zero; 1: exact. Rates, proportions and means "
                "are computed from the exact counts.",
            },
        }
    )
    area_props = {
        "level": STR,
        "vintage": STR,
        "code": STR,
        "name_sv": STR,
        "name_en": STR,
        "parent": NSTR,
    }
    observation = _obj(
        {
            "id": INT,
            "indicator": STR,
            "area": STR,
            "area_name": STR,
            "level": STR,
            "vintage": STR,
            "group": {"type": "string", "description": "e.g. `sex=women;age=18-29`; empty: all"},
            "period": STR,
            "year": INT,
            "value": {
                **NUM,
                "description": "For a count, rounded by the indicator's `rounding_base`.",
            },
            "lower": NUM,
            "upper": NUM,
            "numerator": {**NUM, "description": "Rounded by the indicator's `rounding_base`."},
            "denominator": {**NUM, "description": "Rounded by the indicator's `rounding_base`."},
            "status": STATUS,
            "suppression": {
                "type": ["string", "null"],
                "enum": ["primary", "secondary", None],
                "description": "Why a suppressed cell is hidden: `primary` (a small number) or "
                "`secondary` (hidden to protect another cell); null when published.",
            },
            "source_status": STR,
            "provisional": BOOL,
            "break_in_series": BOOL,
            "release": INT,
        }
    )
    feature = _obj(
        {
            "type": {"const": "Feature"},
            "geometry": {"type": ["object", "null"]},
            "properties": {"type": "object"},
        }
    )
    obs_params = [
        _query("indicator", "Indicator id (repeatable)."),
        _query("area", "Area code (repeatable)."),
        _query("level", "Area level id, e.g. `sdo` (repeatable)."),
        _query("vintage", "Boundary vintage code, e.g. `2023` (repeatable)."),
        _query("group", "Group key; empty for everyone (repeatable)."),
        _query("period", "Period, e.g. `2022` (repeatable)."),
        _query("year", "Year.", {"type": "integer", "minimum": 0, "maximum": 9999}),
        _query(
            "limit",
            "Rows per page.",
            {"type": "integer", "minimum": 1, "maximum": 5000, "default": 1000},
        ),
        _query(
            "after",
            "Return rows with an id greater than this (from the `next` link).",
            {"type": "integer", "minimum": 0},
        ),
        _query("format", "Output format.", {"type": "string", "enum": ["json", "csv"]}),
    ]
    doc = {
        "openapi": "3.1.0",
        "info": {
            "title": "Skillnader API",
            "version": "1",
            "description": (
                "Read-only open data on living conditions in Stockholm's areas and population "
                "groups. Unpublished data never appear; suppressed cells appear with status "
                "`suppressed` and no numbers. Responses carry ETag and Last-Modified headers."
            ),
            "license": {"name": "EUPL-1.2"},
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/": {
                "get": {
                    "operationId": "index",
                    "summary": "Links to the collections",
                    "responses": {"200": _json({"type": "object"})},
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": _json({"type": "object"})},
                }
            },
            "/api/v1/domains": {
                "get": {
                    "operationId": "listDomains",
                    "summary": "The five domains",
                    "responses": {
                        "200": _json(_obj({"results": {"type": "array", "items": _ref("Domain")}}))
                    },
                }
            },
            "/api/v1/domains/{domain_id}": {
                "get": {
                    "operationId": "getDomain",
                    "summary": "One domain with its indicators",
                    "parameters": [_path("domain_id", "Domain id, e.g. `work`.")],
                    "responses": {
                        "200": _json(
                            _obj(
                                {
                                    "id": STR,
                                    "name_sv": STR,
                                    "name_en": STR,
                                    "order": INT,
                                    "indicators": {
                                        "type": "array",
                                        "items": _ref("Indicator"),
                                    },
                                }
                            )
                        ),
                        "404": ERRORS["404"],
                    },
                }
            },
            "/api/v1/indicators": {
                "get": {
                    "operationId": "listIndicators",
                    "summary": "Published indicators",
                    "parameters": [_query("domain", "Only this domain.")],
                    "responses": {
                        "200": _json(
                            _obj({"results": {"type": "array", "items": _ref("Indicator")}})
                        )
                    },
                }
            },
            "/api/v1/indicators/{indicator_id}": {
                "get": {
                    "operationId": "getIndicator",
                    "summary": "One indicator with its coverage",
                    "parameters": [_path("indicator_id", "Indicator id.")],
                    "responses": {
                        "200": _json(
                            {
                                "allOf": [
                                    _ref("Indicator"),
                                    _obj(
                                        {
                                            "coverage": {"type": "array"},
                                            "groups": {"type": "array", "items": STR},
                                        }
                                    ),
                                ]
                            }
                        ),
                        "404": ERRORS["404"],
                    },
                }
            },
            "/api/v1/levels": {
                "get": {
                    "operationId": "listLevels",
                    "summary": "Area levels and their boundary vintages",
                    "responses": {
                        "200": _json(_obj({"results": {"type": "array", "items": _ref("Level")}}))
                    },
                }
            },
            "/api/v1/areas": {
                "get": {
                    "operationId": "listAreas",
                    "summary": "Areas (without geometry)",
                    "parameters": [
                        _query("level", "Area level id."),
                        _query("vintage", "Boundary vintage code."),
                    ],
                    "responses": {
                        "200": _json(_obj({"results": {"type": "array", "items": _ref("Area")}}))
                    },
                }
            },
            "/api/v1/areas/{level}/{vintage}/{code}": {
                "get": {
                    "operationId": "getArea",
                    "summary": "One area as a GeoJSON Feature (WGS84)",
                    "parameters": [
                        _path("level", "Area level id."),
                        _path("vintage", "Boundary vintage code."),
                        _path("code", "Area code."),
                    ],
                    "responses": {"200": _json(_ref("Feature")), "404": ERRORS["404"]},
                }
            },
            "/api/v1/geojson/{level}/{vintage}": {
                "get": {
                    "operationId": "getGeoJSON",
                    "summary": "All areas of a level and vintage as a FeatureCollection (WGS84)",
                    "parameters": [
                        _path("level", "Area level id."),
                        _path("vintage", "Boundary vintage code."),
                    ],
                    "responses": {
                        "200": _json(
                            _obj(
                                {
                                    "type": {"const": "FeatureCollection"},
                                    "features": {"type": "array", "items": _ref("Feature")},
                                }
                            )
                        ),
                        "404": ERRORS["404"],
                    },
                }
            },
            "/api/v1/observations": {
                "get": {
                    "operationId": "listObservations",
                    "summary": "Published observations, paged by id",
                    "parameters": obs_params,
                    "responses": {
                        "200": {
                            "description": "A page of observations; follow `next` for more.",
                            "content": {
                                "application/json": {
                                    "schema": _obj(
                                        {
                                            "results": {
                                                "type": "array",
                                                "items": _ref("Observation"),
                                            },
                                            "next": NSTR,
                                        }
                                    )
                                },
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                        "400": ERRORS["400"],
                    },
                }
            },
            "/api/v1/comparisons": {
                "get": {
                    "operationId": "listComparisons",
                    "summary": "Areas compared with a benchmark (overlapping 95% intervals)",
                    "parameters": [
                        _query("indicator", "Indicator id.", required=True),
                        _query(
                            "level",
                            "Area level id (default: district areas; for an indicator "
                            "published per kommun only, lanskommun: the kommuner of "
                            "Stockholms län).",
                        ),
                        _query(
                            "benchmark",
                            "city, region or country (default: the city for its parts, the "
                            "country for kommuner).",
                            {"type": "string", "enum": ["city", "region", "country"]},
                        ),
                        _query("vintage", "Boundary vintage code (default: latest)."),
                        _query(
                            "year",
                            "Year (default: latest).",
                            {"type": "integer", "minimum": 0, "maximum": 9999},
                        ),
                        _query("group", "Group key (default: everyone)."),
                    ],
                    "responses": {
                        "200": _json(
                            _obj(
                                {
                                    "indicator": STR,
                                    "polarity": STR,
                                    "method": STR,
                                    "selection": {"type": ["object", "null"]},
                                    "benchmark": {"type": ["object", "null"]},
                                    "city": {"type": ["object", "null"]},
                                    "results": {
                                        "type": "array",
                                        "items": _ref("Comparison"),
                                    },
                                },
                                ["indicator", "selection", "city", "results"],
                            )
                        ),
                        "400": ERRORS["400"],
                        "404": ERRORS["404"],
                    },
                }
            },
            "/api/v1/inequality": {
                "get": {
                    "operationId": "listInequality",
                    "summary": "Inequality between areas year by year, with simulated 95% intervals",
                    "parameters": [
                        _query("indicator", "Indicator id.", required=True),
                        _query("level", "Area level id (default: district areas)."),
                        _query("vintage", "Boundary vintage code (default: latest)."),
                        _query("group", "Group key (default: everyone)."),
                        _query(
                            "format",
                            "Response format.",
                            {"type": "string", "enum": ["json", "csv"]},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "One row per year; null where a measure does not apply.",
                            "content": {
                                "application/json": {
                                    "schema": _obj(
                                        {
                                            "indicator": STR,
                                            "method": STR,
                                            "selection": {"type": ["object", "null"]},
                                            "results": {
                                                "type": "array",
                                                "items": _ref("Inequality"),
                                            },
                                        },
                                        ["indicator", "selection", "results"],
                                    )
                                },
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                        "400": ERRORS["400"],
                        "404": ERRORS["404"],
                    },
                }
            },
            "/api/v1/findings": {
                "get": {
                    "operationId": "listFindings",
                    "summary": "Does the city improve while the gaps widen? One finding per indicator",
                    "parameters": [_query("indicator", "Only this indicator.")],
                    "responses": {
                        "200": _json(
                            _obj({"results": {"type": "array", "items": _ref("Finding")}})
                        ),
                        "404": ERRORS["404"],
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": _obj({"error": STR}),
                "Domain": _obj(
                    {
                        "id": STR,
                        "name_sv": STR,
                        "name_en": STR,
                        "order": INT,
                        "indicators": {"type": "array", "items": STR},
                    }
                ),
                "Indicator": indicator,
                "Level": _obj(
                    {
                        "id": STR,
                        "name_sv": STR,
                        "name_en": STR,
                        "order": INT,
                        "vintages": {"type": "array", "items": {"type": "object"}},
                    }
                ),
                "Area": _obj(area_props),
                "Feature": feature,
                "Observation": observation,
                "Finding": _obj(
                    {
                        "indicator": STR,
                        "headline": STR,
                        "improves_while_gap_widens": BOOL,
                        "level": {"type": "object"},
                        "gaps": {"type": "array", "items": {"type": "object"}},
                        "sentence_sv": STR,
                        "sentence_en": STR,
                    }
                ),
                "Inequality": _obj(
                    {
                        "indicator": STR,
                        "level": STR,
                        "vintage": STR,
                        "group": STR,
                        "period": STR,
                        "n_areas": INT,
                        **{
                            f"{m}{suffix}": NUM
                            for m in INEQUALITY_MEASURES
                            for suffix in ("", "_lower", "_upper")
                        },
                        "not_computed": NSTR,
                    }
                ),
                "Comparison": _obj(
                    {
                        "area": STR,
                        "area_name": STR,
                        "period": STR,
                        "value": NUM,
                        "lower": NUM,
                        "upper": NUM,
                        "status": STATUS,
                        "comparison": COMPARISON,
                        "rank": NINT,
                        "highlight": {"type": "boolean"},
                    }
                ),
            }
        },
    }
    # Any operation answers 400 to malformed input (e.g. a NUL character in a parameter), and
    # 429 with Retry-After to a client over its rate limit (skillnader.web.ratelimit).
    too_many = _json(
        _obj({"error": STR, "status": INT, "retry_after": INT}, required=["error"]),
        "Too many requests from this client; Retry-After says when to try again",
    )
    too_many["headers"] = {"Retry-After": {"schema": INT, "description": "seconds"}}
    for item in doc["paths"].values():
        for op in item.values():
            op["responses"].setdefault("400", ERRORS["400"])
            op["responses"].setdefault("429", too_many)
    return doc
