"""Findings over observation sets: where the differences are, whether they grow, and whether the
city improves while its gaps widen. Pure library: no web or database imports."""

from skillnader.analysis.findings import Finding, IndicatorInfo, analyse
from skillnader.analysis.tables import area_comparisons, area_inequality

__all__ = ["Finding", "IndicatorInfo", "analyse", "area_comparisons", "area_inequality"]
