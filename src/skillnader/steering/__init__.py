"""Goals, targets, measures and their follow-up: the city's steering chain as a plain library.

:mod:`~skillnader.steering.model` holds the chain as data, :mod:`~skillnader.steering.rules` the
follow-up rules (target status with intervals, helt/delvis/ej, probability by the target year)
and :mod:`~skillnader.steering.io` the YAML/XLSX import and export. No web or database imports:
the Django app :mod:`skillnader.web.steering` stores and shows what this library computes.
"""
