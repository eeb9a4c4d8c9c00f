"""Statistical methods for indicators, one module per family of methods.

The library is plain NumPy/SciPy: no web, database or reporting imports, so that a notebook, the
CLI, the reports and the web app can all call it. Functions are vectorised over NumPy arrays and
also accept scalars (scalars in, Python floats out). The confidence level is always a parameter;
0.95 and 0.998 are the levels used in practice (the 99.8 % level is the "three sigma" level of
funnel plots and of the public-health trend marker).

Undefined results and mistakes (one convention for every module)
-----------------------------------------------------------------
* A mistake in the input (a negative count, more events than trials, a confidence level of 95
  instead of 0.95, unknown options) raises :class:`~skillnader.errors.InputError`.
* A result that is *undefined* for the data but not wrong (0 out of 0, the mean of one value):
  functions that compute **one result per cell** (vectorised over arrays: intervals,
  standardised rates, life tables, comparisons) give ``NaN`` in that cell and say why in their
  result object's reason or note, because one empty cell must not stop a whole table; functions
  that summarise **a whole set into one result** (inequality between areas, trends, a gap's
  change) raise :class:`~skillnader.errors.MethodError` with the reason, since there is no other
  cell to return. No function returns a placeholder number.

Modules
-------
``intervals``
    Confidence intervals for proportions (Wilson), counts (Byar, exact Poisson), crude rates,
    means (t distribution) and medians (order statistics); the :class:`Estimate` result.
``standardise``
    The European Standard Population 2013, directly standardised rates with the Dobson interval
    and indirectly standardised ratios with Byar limits.
``lifeexpectancy``
    Abridged life tables (Chiang II) with the Silcocks et al. variance, following the English
    public-health conventions (last band 90+ open-ended, suppression rules).
``survey``
    Weighted proportions and means with design-based intervals (Taylor linearisation with strata
    and clusters, or the Kish effective sample size).
``compare``
    Comparison with a benchmark (overlapping intervals, control limits), polarity-aware labels,
    and quintile ranking.
``trend``
    Inverse-variance weighted slope, the public-health trend marker and the z-test of a change
    between two periods.
``progress``
    Progress toward a target (the Open SDG compound-annual-growth method).
``inequality``
    Inequality across areas and groups (SII/RII, Gini, Theil and mean log deviation with their
    between/within decomposition).
``segregation``
    Residential segregation of a group over the areas (dissimilarity, isolation, entropy).
``disclosure``
    Statistical disclosure control: primary and secondary suppression of small cells.

Import the module you need, e.g. ``from skillnader.stats import intervals``; this package
imports nothing itself so that importing it stays cheap.
"""
