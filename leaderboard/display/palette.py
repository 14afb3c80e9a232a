"""The star palette: one colour per star level (5 = most efficient), shared by plots and labels."""

from __future__ import annotations

STAR_COLOURS = {5: "#1a9850", 4: "#91cf60", 3: "#d9c234", 2: "#fc8d59", 1: "#d73027"}
UNRATED_COLOUR = "#9e9e9e"
MARKER_EDGE = "#333"
FRONTIER_COLOUR = "#1f2937"


def star_colour(stars: int | None) -> str:
    """The colour of a star level; unrated results are grey."""
    return STAR_COLOURS.get(stars, UNRATED_COLOUR) if stars else UNRATED_COLOUR

# The overview plot tells the tasks apart: a colour and a marker per task, in registry order (colour-blind
# safe Okabe–Ito colours, repeated with another marker past eight).
TASK_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
TASK_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon", "pentagon",
                "triangle-down", "hourglass")
