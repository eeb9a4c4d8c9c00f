"""A synthetic person-level population of Stockholm for tests, demos and benchmarks.

.. warning::
   Every record generated here is **synthetic**. The margins it is calibrated to are real (SCB
   RegSO statistics, see ``data/SOURCES.md``), but the persons, their combinations of
   characteristics and every employment, income and social-assistance value are invented by a
   random-number generator. Results computed from it must **never be shown or published as real
   statistics**. Each row carries ``synthetic = True`` so that it cannot be mistaken for
   register data downstream.

What is calibrated, per RegSO and year (2020–2023; other years use the nearest of those):

* the number of persons per RegSO (proportional to SCB's population, scaled to ``n_persons``);
* the share born abroad;
* the mean wage income of persons aged 20+ (matched exactly by rescaling, in SEK thousands).

City-wide sex × age-group shares come from Stockholm's basområde populations of 2016. Everything
else is an assumption chosen to look plausible, not a statistic: the split of the born-abroad
into Nordic / rest of Europe / outside Europe (0.10 / 0.30 / 0.60), the age profile of employment
and its gradient with area income and birth region, social assistance, education and the
survey-style ``weight`` (uniform 0.5–1.5, for exercising weighted indicators).

Each year is an independent cross-section of ``n_persons`` residents (not a panel that ages).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

import numpy as np
import polars as pl

from skillnader.engine.hierarchy import AreaHierarchy
from skillnader.errors import InputError

__all__ = [
    "AGE_BANDS",
    "BIRTH_REGIONS",
    "SDO_VINTAGES",
    "generate",
    "load_margins",
    "stockholm_hierarchy",
]

AGE_BANDS = ("0-5", "6-15", "16-19", "20-44", "45-64", "65-79", "80+")
_AGE_LIMITS = {"0-5": (0, 5), "6-15": (6, 15), "16-19": (16, 19), "20-44": (20, 44)}
_AGE_LIMITS.update({"45-64": (45, 64), "65-79": (65, 79), "80+": (80, 99)})
BIRTH_REGIONS = ("sweden", "nordic", "europe", "outside_europe")
_ABROAD_SPLIT = np.array([0.10, 0.30, 0.60])
SEXES = ("women", "men")  # the group values the product uses (catalogue, bundle)
EDUCATION = ("compulsory", "upper_secondary", "post_secondary")
SDO_VINTAGES = ("sdo_2007_2020", "sdo_from_2020_07", "sdo_from_2023_07")
_WAGE_SIGMA = 0.7


def _read(name: str) -> pl.DataFrame:
    with resources.files("skillnader.engine").joinpath("data", name).open("rb") as handle:
        return pl.read_csv(handle.read())


def load_margins() -> pl.DataFrame:
    """The bundled RegSO margins (127 RegSO × 2020–2023) with their SDO of each vintage."""
    return _read("synthetic_margins.csv")


def stockholm_hierarchy(vintages: Sequence[str] = SDO_VINTAGES) -> AreaHierarchy:
    """RegSO → stadsdelsområde → kommun 0180 for each SDO vintage (SDO names serve as codes).

    Vintages: ``sdo_2007_2020`` (14 SDO), ``sdo_from_2020_07`` (13), ``sdo_from_2023_07`` (11).
    The RegSO → SDO assignment is the derived largest-overlap lookup (see ``data/SOURCES.md``).
    """
    margins = load_margins().unique("regso_code").sort("regso_code")
    parts = []
    for vintage in vintages:
        if vintage not in SDO_VINTAGES:
            raise InputError("unknown SDO vintage", value=vintage, expected=", ".join(SDO_VINTAGES))
        table = margins.select(
            pl.col("regso_code").alias("regso"),
            pl.col(vintage).alias("sdo"),
            pl.lit("0180").alias("kommun"),
        )
        parts.append(AreaHierarchy.from_columns(table, ("regso", "sdo", "kommun"), vintage=vintage))
    return parts[0].combine(*parts[1:])


def _years(years: int | Sequence[int]) -> list[int]:
    if isinstance(years, int):
        if years < 1:
            raise InputError("years must be at least 1", value=years)
        return list(range(2024 - years, 2024))
    result = [int(y) for y in years]
    if not result:
        raise InputError("no years given", value=years)
    return result


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _enum(values: Sequence[str], index: np.ndarray, name: str) -> pl.Series:
    categories = pl.Series(name, list(values), dtype=pl.Enum(list(values)))
    return categories.gather(index.astype(np.uint32))


def generate(
    n_persons: int,
    years: int | Sequence[int] = 10,
    seed: int = 0,
    *,
    areas: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Generate ``n_persons`` synthetic residents per year for ``years``.

    ``years`` is a count (the years up to 2023) or a list of years. ``areas`` restricts the
    RegSO codes (default: all 127 of Stockholm). The result has one row per person and year:
    ``person_id, year, regso, sex, age, age_band, birth_region, born_abroad, education,
    employed, social_assistance, wage_income`` (SEK thousands, persons 20+; null below 20),
    ``weight`` and ``synthetic`` (always True).

    SYNTHETIC DATA: never show results from it as real statistics (see the module docstring).
    """
    if n_persons < 1:
        raise InputError("n_persons must be at least 1", value=n_persons)
    year_list = _years(years)
    rng = np.random.default_rng(seed)
    margins = load_margins()
    codes = sorted(margins.get_column("regso_code").unique().to_list())
    if areas is not None:
        unknown = sorted(set(areas) - set(codes))
        if unknown:
            raise InputError("unknown RegSO code", value=unknown[0], expected="0180R001-0180R127")
        codes = sorted(set(areas))
    sex_age = _read("synthetic_sex_age_2016.csv")
    sex_age_cells = [(s, a) for s in ("women", "men") for a in AGE_BANDS]
    lookup = {(r["sex"], r["age_group"]): r["population"] for r in sex_age.iter_rows(named=True)}
    sex_age_p = np.array([lookup[c] for c in sex_age_cells], dtype=float)
    sex_age_p /= sex_age_p.sum()
    low = np.array([_AGE_LIMITS[a][0] for _, a in sex_age_cells])
    span = np.array([_AGE_LIMITS[a][1] - _AGE_LIMITS[a][0] + 1 for _, a in sex_age_cells])

    frames = []
    available_years = sorted(margins.get_column("year").unique().to_list())
    for offset, year in enumerate(year_list):
        margin_year = min(available_years, key=lambda y: (abs(y - year), -y))
        m = (
            margins.filter(pl.col("year") == margin_year, pl.col("regso_code").is_in(codes))
            .sort("regso_code")
            .with_columns(pl.col("mean_wage_income_tkr").fill_null(strategy="mean"))
        )
        population = m.get_column("population_total").to_numpy().astype(float)
        abroad_share = m.get_column("population_born_abroad").to_numpy() / np.maximum(population, 1)
        wage_target = m.get_column("mean_wage_income_tkr").to_numpy()
        city_wage = np.average(wage_target, weights=population)
        income_index = np.log(wage_target / city_wage)

        n = n_persons
        area = rng.choice(len(codes), size=n, p=population / population.sum())
        cell = rng.choice(len(sex_age_cells), size=n, p=sex_age_p)
        sex = (cell >= len(AGE_BANDS)).astype(np.uint32)  # 0 = women, 1 = men
        age_band = cell % len(AGE_BANDS)
        age = low[cell] + np.floor(rng.random(n) * span[cell]).astype(np.int64)
        abroad = rng.random(n) < abroad_share[area]
        region = np.where(abroad, 1 + rng.choice(3, size=n, p=_ABROAD_SPLIT), 0)

        adult = age >= 20
        age_effect = np.select(
            [age < 20, age < 25, age < 55, age < 65, age < 70],
            [-10.0, 0.2, 1.75, 1.1, -1.4],
            default=-3.5,
        )
        employed = rng.random(n) < _logistic(age_effect + 1.5 * income_index[area] - 0.6 * abroad)
        assistance = rng.random(n) < _logistic(
            -4.3 - 2.0 * income_index[area] + 0.9 * abroad + 1.2 * (~employed & adult & (age < 65))
        )
        education_score = 0.4 + 1.2 * income_index[area] + rng.normal(0.0, 1.0, n)
        education = np.digitize(education_score, [-0.6, 0.5]).astype(np.uint32)

        wage = np.where(
            employed & adult, np.exp(rng.normal(0.0, _WAGE_SIGMA, n) + 0.2 * (age >= 30)), 0.0
        )
        # Rescale so that each area's mean over persons 20+ equals SCB's mean wage income.
        sums = np.bincount(area, weights=wage * adult, minlength=len(codes))
        counts = np.bincount(area, weights=adult, minlength=len(codes))
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(sums > 0, wage_target * counts / sums, 0.0)
        wage = np.where(adult, wage * factor[area], np.nan)

        frames.append(
            pl.DataFrame(
                [
                    pl.Series("person_id", np.arange(n, dtype=np.int64) + offset * n),
                    pl.Series("year", np.full(n, year, dtype=np.int16)),
                    _enum(codes, area, "regso"),
                    _enum(SEXES, sex, "sex"),
                    pl.Series("age", age.astype(np.int16)),
                    _enum(AGE_BANDS, age_band, "age_band"),
                    _enum(BIRTH_REGIONS, region, "birth_region"),
                    pl.Series("born_abroad", abroad),
                    pl.select(
                        pl.when(pl.Series(adult))
                        .then(_enum(EDUCATION, education, "education"))
                        .alias("education")
                    ).to_series(),
                    pl.Series("employed", employed & adult),
                    pl.Series("social_assistance", assistance),
                    pl.Series("wage_income", wage).fill_nan(None),
                    pl.Series("weight", rng.uniform(0.5, 1.5, n)),
                    pl.Series("synthetic", np.ones(n, dtype=bool)),
                ]
            )
        )
    return pl.concat(frames, rechunk=False)
