"""The one number formatter: significant figures, thousands separators, never scientific notation; trailing
zeros kept in a column (one precision per column), dropped in prose."""

from __future__ import annotations

import pytest

from leaderboard.display.formats import format_amount, format_energy, format_seconds, format_significant


@pytest.mark.parametrize(("value", "digits", "shown"), [
    (11130.06, 4, "11,130"), (18992.36, 4, "18,992"), (1.31333, 4, "1.313"), (4.0, 4, "4.000"),
    (0.0000123456, 4, "0.00001235"), (9.99996, 4, "10.00"), (123456789.0, 3, "123,456,789"), (0.5, 2, "0.50"),
    (-2.5, 3, "-2.50"), (0, 4, "0"), (None, 4, "–"), (float("nan"), 4, "–"), (float("inf"), 4, "–"),
])
def test_a_column_number_has_its_significant_figures_and_separators(value, digits, shown):
    assert format_significant(value, digits) == shown


def test_prose_drops_the_trailing_zeros_and_never_uses_an_exponent():
    assert (format_energy(18992.36), format_energy(4.0), format_energy(0.0554)) == ("18,992", "4", "0.0554")
    assert (format_amount(1899e1), format_amount(0.000012)) == ("18,990", "0.000012")
    assert (format_seconds(0.01234), format_seconds(12.34)) == ("12.3 ms", "12.3 s")
