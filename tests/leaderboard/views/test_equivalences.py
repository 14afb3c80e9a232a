"""Everyday scale: smartphone charges and grams of CO₂e from GPU watt-hours, with stated sources."""

from __future__ import annotations

import pytest

from leaderboard.tabs.about import about_markdown, everyday_scale_section
from leaderboard.views.equivalences import (
    GRIDS,
    SMARTPHONE_CHARGE_WH,
    UnknownGridError,
    everyday_text,
    get_grid,
    grams_co2e,
    smartphone_charges,
)


def test_a_smartphone_charge_is_the_epa_figure_of_about_11_6_wh():
    assert SMARTPHONE_CHARGE_WH == pytest.approx(11.6)
    assert smartphone_charges(23.2) == pytest.approx(2.0)
    assert smartphone_charges(None) is None


def test_grams_of_co2e_scale_with_the_chosen_grid():
    assert grams_co2e(1000.0, get_grid("world")) == pytest.approx(480.0)
    assert grams_co2e(1000.0, get_grid("France")) == pytest.approx(56.0)
    assert grams_co2e(2.0, get_grid("")) == pytest.approx(0.96)  # empty: the world average


def test_an_unknown_grid_is_a_one_line_error_naming_it():
    with pytest.raises(UnknownGridError, match="unknown grid 'mars'"):
        get_grid("mars")


def test_everyday_text_reads_as_a_sentence():
    assert everyday_text(2.0, get_grid("world")) == "≈ 0.172 smartphone charges · 0.96 g CO₂e (World average grid)"


def test_the_about_section_states_every_constant_with_its_source():
    section = everyday_scale_section()
    assert "11.6 Wh" in section and "US EPA" in section
    for grid in GRIDS:
        assert f"| {grid.name} | {grid.g_co2e_per_kwh:g} | {grid.year} | {grid.source} |" in section
    assert about_markdown([section]).endswith(section)
