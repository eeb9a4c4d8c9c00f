"""Skillnader: measure, explain and follow up differences in living conditions."""

__version__ = "0.1.0"
