"""The indicator catalogue written into the database (the catalogue itself is Django-free)."""

from __future__ import annotations

from skillnader.catalog import IndicatorSpec, load_catalog
from skillnader.domains import DOMAINS
from skillnader.web.data.models import Domain, Indicator


def sync_catalog(specs: list[IndicatorSpec] | None = None) -> dict[str, int]:
    """Upsert the catalogue into the ``Indicator`` table (and the five domains).

    Indicators not in the catalogue are left alone (they may come from a user's import).
    Returns ``{"created": n, "updated": m}``. Requires a configured Django.
    """
    specs = load_catalog() if specs is None else specs
    for d in DOMAINS:
        Domain.objects.update_or_create(
            id=d.id, defaults={"name_sv": d.name_sv, "name_en": d.name_en, "order": d.order}
        )
    existing = {i.id: i for i in Indicator.objects.filter(id__in=[s.id for s in specs])}
    fields = [
        "name_sv",
        "name_en",
        "domain_id",
        "measure",
        "polarity",
        "unit",
        "multiplier",
        "decimals",
        "definition_sv",
        "definition_en",
        "numerator",
        "denominator",
        "source",
        "source_url",
        "external_ids",
        "publication_threshold",
        "suppress_zeros",
        "rounding_base",
        "interval_note_sv",
        "interval_note_en",
        "catalogue_version",
        "published",
        "order",
    ]
    create, update = [], []
    for s in specs:
        values = {
            "name_sv": s.name_sv,
            "name_en": s.name_en,
            "domain_id": s.domain,
            "measure": s.measure,
            "polarity": s.polarity,
            "unit": s.unit,
            "multiplier": s.multiplier,
            "decimals": s.decimals,
            "definition_sv": s.definition_sv,
            "definition_en": s.definition_en,
            "numerator": s.numerator,
            "denominator": s.denominator,
            "source": s.source,
            "source_url": s.source_url,
            "external_ids": s.external_ids,
            "publication_threshold": s.publication_threshold,
            "suppress_zeros": s.suppress_zeros,
            "rounding_base": s.rounding_base,
            "interval_note_sv": s.interval_note_sv,
            "interval_note_en": s.interval_note,
            "catalogue_version": s.catalogue_version,
            "published": s.published,
            "order": s.order,
        }
        obj = existing.get(s.id)
        if obj is None:
            create.append(Indicator(id=s.id, **values))
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            update.append(obj)
    Indicator.objects.bulk_create(create)
    if update:
        Indicator.objects.bulk_update(update, fields)
    return {"created": len(create), "updated": len(update)}
