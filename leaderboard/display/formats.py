"""Turning record values into safe display text.

Everything that comes from a record (model ids, sources, notes) is untrusted: it is rendered as
text, never as HTML. Markdown cells escape both HTML (``&lt;script&gt;`` shows as ``<script>``)
and Markdown syntax, and only well-formed Hub ids become links.
"""

from __future__ import annotations

import html
import math
import re
from urllib.parse import quote, urlsplit

import numpy as np
import pandas as pd

from benchmark.tasks import format_param_count

HUB_URL = "https://huggingface.co/"
STAR = "★"
UNRATED = "unrated"
SIGNIFICANT_DIGITS = 4

# A Hub repo id: an optional owner and a name of letters, digits, "-", "_" and "." (no "--" or
# ".." tricks matter here: the id is only used to build a link, percent-encoded).
_HUB_ID = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_URL = re.compile(r"^https?://[^\s]+$")


def escape_markdown(text: object) -> str:
    """``text`` as literal Markdown: no HTML, no links, no emphasis, no LaTeX, one line. A bare address
    (``https://…``, ``name@host``) would still become a link by GFM's autolinking, which backslashes do not
    stop: its ``:`` and ``@`` are written as character references, which the browser shows as themselves."""
    plain = _CONTROL.sub(" ", str(text))
    escaped = html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", plain), quote=True)
    return escaped.replace(":", "&#58;").replace("@", "&#64;")


def is_hub_id(model_id: str) -> bool:
    return bool(_HUB_ID.match(model_id))


def hub_url(model_id: str) -> str:
    return HUB_URL + quote(model_id, safe="/")


def model_markdown(model_id: str, titled: bool = False) -> str:
    """A Markdown link to the model's Hub page, or escaped plain text if the id is not a Hub id.
    ``titled``: the link's title is the id, so a cell that cuts it with an ellipsis shows it on hover."""
    label = escape_markdown(model_id)
    if not is_hub_id(model_id):
        return label
    title = f' "{html.escape(model_id, quote=True)}"' if titled else ""
    return f"[{label}]({hub_url(model_id)}{title})"


_GITHUB_SOURCE = re.compile(r"^github:([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)@([0-9a-f]{7,40}):(\S+)$")


def github_url(source: str) -> str | None:
    """``github:owner/repo@commit:path`` (how the reference files cite a file at a commit) as the
    file's GitHub address; None for any other source."""
    match = _GITHUB_SOURCE.match(source)
    return f"https://github.com/{match[1]}/blob/{match[2]}/{match[3]}" if match else None


def source_markdown(source: str) -> str:
    """A source as Markdown: a link (labelled by host and first path parts) plus any trailing text;
    a ``github:owner/repo@commit:path`` citation links to that file at that commit."""
    head, _, rest = source.strip().partition(" ")
    cited = _GITHUB_SOURCE.match(head)
    head = github_url(head) or head
    if not _URL.match(head):
        return escape_markdown(source)
    parts = urlsplit(head)
    label = "/".join([parts.netloc, *[p for p in parts.path.split("/") if p][:3]])
    if cited:  # the repository and the file: the commit is in the link
        label = f"github.com/{cited[1]} · {cited[3].rsplit('/', 1)[-1]}"
    url = quote(head, safe=":/?#@!$&'*+,;=%~-._")
    link = f"[{escape_markdown(label)}]({url})"
    return f"{link} {escape_markdown(rest)}" if rest else link


def stars_text(stars: object, flag: object = None) -> str:
    """★ repeated ``stars`` times; "unrated (why)" where there are none.

    Only filled stars are used so that sorting the column as text sorts it by rating.
    """
    if stars is None or stars is pd.NA or (isinstance(stars, float) and math.isnan(stars)):
        return f"{UNRATED} ({flag})" if flag else UNRATED
    return STAR * int(stars)


def round_significant(values: pd.Series, digits: int = SIGNIFICANT_DIGITS) -> pd.Series:
    """Round to ``digits`` significant figures (vectorised; NaN stays NaN)."""
    array = values.to_numpy(dtype=float, na_value=np.nan)
    out = array.copy()
    finite = np.isfinite(array) & (array != 0)
    magnitude = np.floor(np.log10(np.abs(array[finite])))
    decimals = (digits - 1 - magnitude).astype(int)
    rounded = out[finite]
    for places in np.unique(decimals):
        mask = decimals == places
        rounded[mask] = np.round(rounded[mask], int(places))
    out[finite] = rounded
    return pd.Series(out, index=values.index, name=values.name)


def format_significant(
    value: float | None, digits: int = SIGNIFICANT_DIGITS, missing: str = "–", trailing_zeros: bool = True
) -> str:
    """The one number formatter: ``digits`` significant figures, thousands separated, never in scientific
    notation: 11130 → "11,130", 1.3133 → "1.313", 0.000012345 → "0.00001234"; trailing zeros kept for a
    table column, which reads at one precision (4 → "4.000"), dropped in prose (4 → "4")."""
    if value is None or not isinstance(value, int | float | np.floating | np.integer) or not math.isfinite(value):
        return missing
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - magnitude, 0)
    rounded = round(float(value), decimals)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > magnitude:  # 9.9996 → 10.00, one place fewer
        decimals = max(decimals - 1, 0)
    text = f"{rounded:,.{decimals}f}"
    if not trailing_zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_energy(value: float | None) -> str:
    """An energy in Wh for prose: four significant figures."""
    return format_significant(value, 4, trailing_zeros=False)


def format_ratio(ratio: float | None) -> str:
    """3.4 → "3.4×", 2.0 → "2×", 12.34 → "12.3×", 1234 → "1,234×"."""
    if ratio is None or not math.isfinite(ratio):
        return "–"
    return f"{ratio:.3g}×" if ratio < 100 else f"{ratio:,.0f}×"


def format_wh(value: float) -> str:
    """An energy in Wh on labels and model pages: 4 significant digits, thousands separated."""
    return format_significant(value, 4, trailing_zeros=False)


def format_amount(value: float | None) -> str:
    """A figure for prose: 3 significant digits, thousands separated, no exponent."""
    return format_significant(value, 3, trailing_zeros=False)


def format_seconds(seconds: float | None) -> str:
    """A latency: milliseconds under a second, else seconds; 3 significant digits."""
    if seconds is None or not math.isfinite(seconds):
        return "–"
    if seconds < 1:
        return f"{format_significant(seconds * 1000, 3, trailing_zeros=False)} ms"
    return f"{format_significant(seconds, 3, trailing_zeros=False)} s"


# Submission messages (benchmark.queue.checks) phrase counts too: one definition, in the contract.
format_params = format_param_count
