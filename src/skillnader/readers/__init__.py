"""Readers for the field's formats. Each turns a file (or API response) into a :class:`Cube`.

Readers are pure: no database, no web. The importer (``skillnader.web.data.importer``) maps a cube
onto indicators, areas, groups and periods and writes it in one transaction.
"""

from skillnader.readers.base import Cube, Dimension

__all__ = ["Cube", "Dimension"]
