"""Everyday scale for energy figures: smartphone charges and grams of CO₂e on a chosen grid.

Every constant carries its unit in its name and its source beside it;
``leaderboard.tabs.about.everyday_scale_section`` turns them into the About tab's text, so the
page and the arithmetic cannot drift apart. The figures
are GPU energy only (what the leaderboard measures): the whole server draws more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from benchmark.errors import UserInputError
from leaderboard.display.formats import format_amount

# US EPA, Greenhouse Gas Equivalencies Calculator — Calculations and References, "Number of
# smartphones charged": 14.46 Wh used in 24 hours (US DOE data) minus 22 h × 0.13 W of
# maintenance power = 11.6 Wh per full charge; EPA rounds it to 0.012 kWh.
SMARTPHONE_CHARGE_WH = 14.46 - 22 * 0.13
SMARTPHONE_SOURCE = (
    "US EPA, *Greenhouse Gas Equivalencies Calculator — Calculations and References*, "
    "“Number of smartphones charged”: 14.46 Wh per day minus 22 h × 0.13 W of maintenance power "
    "(US DOE data) ≈ 11.6 Wh (0.012 kWh) per full charge"
)
SMARTPHONE_SOURCE_URL = "https://www.epa.gov/energy/greenhouse-gas-equivalencies-calculator-calculations-and-references"


@dataclass(frozen=True)
class GridIntensity:
    """Life-cycle emissions of a region's electricity generation, in grams CO₂e per kWh."""

    key: str
    name: str
    g_co2e_per_kwh: float
    year: int
    source: str


_EMBER_2023 = "Ember, yearly electricity data (lifecycle gCO₂e/kWh), via Our World in Data"
_EMBER_GER_2024 = "Ember, *Global Electricity Review 2024*"
_EMBER_US_2023 = "Ember, *Global Electricity Review 2024*: 1,570 MtCO₂ over about 4,250 TWh generated"

# Rounded to whole grams; approximate (Ember revises its series as national data arrive).
GRIDS: tuple[GridIntensity, ...] = (
    GridIntensity("world", "World average", 480, 2023, _EMBER_GER_2024),
    GridIntensity("us", "United States", 369, 2023, _EMBER_US_2023),
    GridIntensity("china", "China", 582, 2023, _EMBER_2023),
    GridIntensity("india", "India", 713, 2023, _EMBER_2023),
    GridIntensity("germany", "Germany", 381, 2023, _EMBER_2023),
    GridIntensity("france", "France", 56, 2023, _EMBER_2023),
    GridIntensity("australia", "Australia", 549, 2023, _EMBER_2023),
    GridIntensity("canada", "Canada", 170, 2023, _EMBER_2023),
    GridIntensity("brazil", "Brazil", 98, 2023, _EMBER_2023),
)
GRID_BY_KEY = {grid.key: grid for grid in GRIDS}
DEFAULT_GRID = "world"
GRID_CHOICES: list[tuple[str, str]] = [(f"{g.name} ({g.g_co2e_per_kwh:g} g/kWh)", g.key) for g in GRIDS]


class UnknownGridError(UserInputError):
    pass


def get_grid(key: str | None) -> GridIntensity:
    """The grid under ``key`` (its key or its name, any case); the world average when empty."""
    wanted = (key or "").strip().lower() or DEFAULT_GRID
    for grid in GRIDS:
        if wanted in (grid.key, grid.name.lower()):
            return grid
    raise UnknownGridError(f"unknown grid {key!r}: choose one of {', '.join(GRID_BY_KEY)}")


def smartphone_charges(wh: float | None) -> float | None:
    """How many full smartphone charges ``wh`` watt-hours would make."""
    if wh is None or not math.isfinite(wh):
        return None
    return wh / SMARTPHONE_CHARGE_WH


def grams_co2e(wh: float | None, grid: GridIntensity) -> float | None:
    """Grams of CO₂e emitted generating ``wh`` watt-hours on ``grid``."""
    if wh is None or not math.isfinite(wh):
        return None
    return wh / 1000.0 * grid.g_co2e_per_kwh


def everyday(wh: float | None, grid: GridIntensity) -> dict[str, object]:
    """Both equivalences of ``wh`` as plain JSON values."""
    return {
        "smartphone_charges": smartphone_charges(wh),
        "grams_co2e": grams_co2e(wh, grid),
        "grid": grid.key,
        "grid_name": grid.name,
        "grid_g_co2e_per_kwh": grid.g_co2e_per_kwh,
    }


def everyday_text(wh: float | None, grid: GridIntensity) -> str:
    """ "≈ 0.086 smartphone charges · 0.48 g CO₂e on the world-average grid" (plain text)."""
    charges, grams = smartphone_charges(wh), grams_co2e(wh, grid)
    if charges is None or grams is None:
        return "–"
    plural = "" if format_amount(charges) == "1" else "s"
    return f"≈ {format_amount(charges)} smartphone charge{plural} · {format_amount(grams)} g CO₂e ({grid.name} grid)"
