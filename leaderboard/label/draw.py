"""Drawing the energy label: a PNG in the spirit of the Energy Star / AI Energy Score label.

Layout is in design units (``DESIGN_SIZE``) and drawn at ``SCALE``× for sharpness. The font is
Pillow's bundled Aileron Regular (``ImageFont.load_default(size=...)``, Pillow ≥ 10.1 built with
FreeType; Aileron is public domain, CC0, by Sora Sagano): no system font is assumed. It has a
small character set (ASCII and a few signs), so text is reduced to it (``drawable``); headings
are emboldened with a stroke. Pillow is imported on first use, so the app starts without it.
"""

from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from leaderboard.display.formats import format_wh
from leaderboard.display.palette import STAR_COLOURS

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

SCALE = 2
DESIGN_SIZE = (400, 612)  # width, height
OUTPUT_SIZE = (DESIGN_SIZE[0] * SCALE, DESIGN_SIZE[1] * SCALE)

MARGIN = 18
HEADER_HEIGHT = 64
STAR_ROW_Y = 232
STAR_OUTER_R = 26
STAR_PITCH = 64
N_STARS = 5

INK = "#111827"
BODY = "#374151"
MUTED = "#6b7280"
RULE = "#d1d5db"
HEADER = "#1f2937"
EMPTY_STAR_FILL = "#f3f4f6"
EMPTY_STAR_LINE = "#9ca3af"
UNRATED_LINE = "#d1d5db"
LINK = "#1d4ed8"
PANEL = "#f9fafb"

# Characters Aileron (as bundled by Pillow) lacks, and what to draw instead.
_REPLACEMENTS = {"×": "x", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "≈": "~", "★": "*"}
_EXTRA_GLYPHS = set("·±°…©")


@dataclass(frozen=True)
class LabelFacts:
    """Everything printed on a label (the caller gathers it from the leaderboard data)."""

    model_id: str
    provider: str | None
    task_name: str
    stars: int | None
    rating_flag: str | None
    rank: int | None
    rank_of: int | None
    gpu_wh_per_1k_queries: float
    gpu_wh_per_1k_queries_std: float | None
    n_repeats: int
    hardware: str
    measured_on: str  # YYYY-MM-DD: the run's date, or the release date of a published figure
    leaderboard_url: str
    smartphone_charges: float | None
    rating_group: str = "this task on this hardware"  # what the stars and the rank compare with
    release: str | None = None  # the board the stars belong to (a release name, "live"...)
    reasoning_effort: str | None = None  # the effort level of the row shown (also named in task_name)
    # who stands behind the figure ("measured", "self-reported", "published") and whether a reproduction
    # verified it ("verified", "disputed" or "")
    provenance: str = "measured"
    verification: str = ""


def drawable(text: str) -> str:
    """``text`` reduced to what the bundled font can draw: accents dropped, a few signs replaced,
    anything else as "?"; control characters as spaces."""
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if len(char) == 1 and not (" " <= char <= "~") and char not in _EXTRA_GLYPHS:
            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            char = base if base and base.isprintable() else ("?" if char.isprintable() else " ")
        out.append(char)
    return "".join(out)


def _px(value: float) -> int:
    return round(value * SCALE)


@lru_cache(maxsize=32)
def _font(size: float) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont, features

    if not features.check("freetype2"):
        raise RuntimeError("Pillow was built without FreeType: the energy label needs it to draw text")
    return ImageFont.load_default(size=_px(size))


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: float, fill: str, **kw: Any) -> None:
    bold = kw.pop("bold", False)
    draw.text(
        (_px(xy[0]), _px(xy[1])),
        drawable(text),
        font=_font(size),
        fill=fill,
        stroke_width=1 if bold else 0,
        stroke_fill=fill,
        **kw,
    )


def _fit(text: str, size: float, max_width: float, min_size: float) -> tuple[str, float]:
    """Shrink ``text`` from ``size`` down to ``min_size`` to fit ``max_width``; then cut it with "..."."""
    text = drawable(text)
    current = size
    while current > min_size and _font(current).getlength(text) > _px(max_width):
        current -= 0.5
    if _font(current).getlength(text) <= _px(max_width):
        return text, current
    while text and _font(current).getlength(text + "...") > _px(max_width):
        text = text[:-1]
    return text + "...", current


def star_points(cx: float, cy: float, outer: float, inner_ratio: float = 0.48) -> list[tuple[int, int]]:
    """The ten corners of a five-pointed star centred on (cx, cy), in output pixels."""
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else outer * inner_ratio
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((_px(cx + radius * math.cos(angle)), _px(cy + radius * math.sin(angle))))
    return points


def star_centres_px() -> list[tuple[int, int]]:
    """Where the five stars are centred, in output pixels (left to right)."""
    first = DESIGN_SIZE[0] / 2 - (N_STARS - 1) / 2 * STAR_PITCH
    return [(_px(first + i * STAR_PITCH), _px(STAR_ROW_Y)) for i in range(N_STARS)]


def model_text_box_px() -> tuple[int, int, int, int]:
    """The box the model id is drawn in (left, top, right, bottom), in output pixels."""
    return _px(MARGIN), _px(90), _px(DESIGN_SIZE[0] - MARGIN), _px(116)


def energy_text_box_px() -> tuple[int, int, int, int]:
    """The box the energy figure is drawn in, in output pixels."""
    return _px(MARGIN + 10), _px(384), _px(DESIGN_SIZE[0] - MARGIN - 10), _px(430)


def _level_colour(stars: int | None) -> str:
    return STAR_COLOURS.get(stars, EMPTY_STAR_LINE) if stars else EMPTY_STAR_LINE


def _draw_header(draw: ImageDraw.ImageDraw) -> None:
    width = DESIGN_SIZE[0]
    draw.rounded_rectangle((0, 0, _px(width) - 1, _px(HEADER_HEIGHT)), radius=_px(14), fill=HEADER)
    draw.rectangle((0, _px(HEADER_HEIGHT - 20), _px(width) - 1, _px(HEADER_HEIGHT)), fill=HEADER)
    _text(draw, (MARGIN, 12), "AI ENERGY SCORE", 24, "#ffffff", bold=True)
    _text(draw, (MARGIN, 42), "Green AI Leaderboard · energy label", 12, "#d1d5db")


def _draw_identity(draw: ImageDraw.ImageDraw, facts: LabelFacts) -> None:
    width = DESIGN_SIZE[0]
    _text(draw, (MARGIN, 78), "MODEL", 10, MUTED)
    model, size = _fit(facts.model_id, 20, width - 2 * MARGIN, 11)
    _text(draw, (MARGIN, 92), model, size, INK, bold=True)
    provider = f"Provider: {facts.provider}" if facts.provider else "Provider: not given in the model id"
    _text(draw, (MARGIN, 120), _fit(provider, 13, width - 2 * MARGIN, 13)[0], 13, BODY)
    _text(draw, (MARGIN, 146), "TASK", 10, MUTED)
    task_name, task_size = _fit(facts.task_name, 17, width - 2 * MARGIN, 12)
    _text(draw, (MARGIN, 160), task_name, task_size, INK, bold=True)
    draw.line((_px(MARGIN), _px(190), _px(width - MARGIN), _px(190)), fill=RULE, width=_px(1))


def _draw_stars(draw: ImageDraw.ImageDraw, facts: LabelFacts) -> None:
    width = DESIGN_SIZE[0]
    colour = _level_colour(facts.stars)
    for i, (cx, cy) in enumerate(star_centres_px()):
        points = star_points(cx / SCALE, cy / SCALE, STAR_OUTER_R)
        if facts.stars and i < facts.stars:
            draw.polygon(points, fill=colour, outline=colour, width=_px(1.5))
        else:
            line = EMPTY_STAR_LINE if facts.stars else UNRATED_LINE
            draw.polygon(points, fill=EMPTY_STAR_FILL, outline=line, width=_px(1.5))
    centre = width / 2
    if facts.stars:
        plural = "star" if facts.stars == 1 else "stars"
        _text(draw, (centre, 268), f"{facts.stars} of {N_STARS} {plural}", 16, INK, bold=True, anchor="ma")
        if facts.rank and facts.rank_of:
            among = f"rank {facts.rank} of {facts.rank_of} among rated models of {facts.rating_group}"
            _text(draw, (centre, 290), *_fit(among, 10.5, width - 2 * MARGIN, 8), MUTED, anchor="ma")
    else:
        _text(draw, (centre, 266), "NOT RATED", 18, MUTED, bold=True, anchor="ma")
        reason = f"No stars: {facts.rating_flag}" if facts.rating_flag else "No stars for this result"
        _text(draw, (centre, 290), *_fit(reason, 10.5, width - 2 * MARGIN, 8), MUTED, anchor="ma")


def _draw_scale(draw: ImageDraw.ImageDraw, facts: LabelFacts) -> None:
    """Five coloured segments, most energy-hungry (1) on the left; the label's level marked."""
    left, right, top, height = 60, DESIGN_SIZE[0] - 60, 314, 10
    step = (right - left) / N_STARS
    for level in range(1, N_STARS + 1):
        x0 = left + (level - 1) * step
        draw.rectangle((_px(x0), _px(top), _px(x0 + step) - 1, _px(top + height)), fill=STAR_COLOURS[level])
        if facts.stars == level:
            mid = x0 + step / 2
            marker = [(_px(mid - 6), _px(top - 9)), (_px(mid + 6), _px(top - 9)), (_px(mid), _px(top - 1))]
            draw.polygon(marker, fill=INK)
    _text(draw, (left, top + height + 4), "more energy", 9, MUTED)
    _text(draw, (right, top + height + 4), "less energy", 9, MUTED, anchor="ra")
    draw.line((_px(MARGIN), _px(350), _px(DESIGN_SIZE[0] - MARGIN), _px(350)), fill=RULE, width=_px(1))


def _draw_energy(draw: ImageDraw.ImageDraw, facts: LabelFacts) -> None:
    width = DESIGN_SIZE[0]
    box = (_px(MARGIN), _px(362), _px(width - MARGIN), _px(478))
    draw.rounded_rectangle(box, radius=_px(10), fill=PANEL, outline=_level_colour(facts.stars), width=_px(3))
    centre = width / 2
    _text(draw, (centre, 372), "GPU ENERGY PER 1,000 QUERIES", 10, MUTED, anchor="ma")
    figure, size = _fit(f"{format_wh(facts.gpu_wh_per_1k_queries)} Wh", 38, width - 2 * MARGIN - 24, 20)
    _text(draw, (centre, 388), figure, size, INK, bold=True, anchor="ma")
    if facts.n_repeats > 1 and facts.gpu_wh_per_1k_queries_std is not None:
        spread = f"± {format_wh(facts.gpu_wh_per_1k_queries_std)} Wh over {facts.n_repeats} runs"
    elif facts.n_repeats == 1:
        spread = "one run: no spread"
    else:
        spread = "published figure: no spread reported"
    _text(draw, (centre, 436), spread, 11, BODY, anchor="ma")
    if facts.smartphone_charges is not None:
        charges = f"about {facts.smartphone_charges:.3g} smartphone charges"
        _text(draw, (centre, 454), charges, 11, BODY, anchor="ma")


def _draw_details(draw: ImageDraw.ImageDraw, facts: LabelFacts) -> None:
    width = DESIGN_SIZE[0]
    date_x = width - MARGIN - 96
    _text(draw, (MARGIN, 490), "HARDWARE", 10, MUTED)
    hardware, size = _fit(facts.hardware, 13, date_x - MARGIN - 10, 9)
    _text(draw, (MARGIN, 504), hardware, size, INK)
    _text(draw, (date_x, 490), facts.provenance.upper(), 10, MUTED)
    _text(draw, (date_x, 504), facts.measured_on, 13, INK)
    draw.line((_px(MARGIN), _px(530), _px(width - MARGIN), _px(530)), fill=RULE, width=_px(1))


def _draw_footer(draw: ImageDraw.ImageDraw, facts: LabelFacts) -> None:
    width = DESIGN_SIZE[0]
    _text(draw, (MARGIN, 540), "See the leaderboard:", 11, MUTED)
    url, size = _fit(facts.leaderboard_url, 12, width - 2 * MARGIN, 8)
    _text(draw, (MARGIN, 556), url, size, LINK)
    note = f"5 stars = least GPU energy among models of {facts.rating_group}."
    if facts.release:
        note = f"Stars of the {facts.release} board. {note}"
    if facts.verification == "verified":
        note = f"Verified by a reproduction on the same GPU. {note}"
    # drawn at the size that fits (a classed task's rating group is long)
    _text(draw, (MARGIN, 582), *_fit(note, 9.5, width - 2 * MARGIN, 7), MUTED)


def draw_label(facts: LabelFacts) -> Image.Image:
    """The label as an RGB image of ``OUTPUT_SIZE`` pixels."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", OUTPUT_SIZE, "#ffffff")
    draw = ImageDraw.Draw(image)
    _draw_header(draw)
    _draw_identity(draw, facts)
    _draw_stars(draw, facts)
    _draw_scale(draw, facts)
    _draw_energy(draw, facts)
    _draw_details(draw, facts)
    _draw_footer(draw, facts)
    draw.rounded_rectangle((0, 0, OUTPUT_SIZE[0] - 1, OUTPUT_SIZE[1] - 1), radius=_px(14), outline=HEADER, width=_px(2))
    return image


def label_png(facts: LabelFacts) -> bytes:
    """The label as PNG bytes (no metadata: the same facts give the same bytes)."""
    buffer = io.BytesIO()
    draw_label(facts).save(buffer, format="PNG")
    return buffer.getvalue()
