"""Energy labels for model cards: the facts of one result, its PNG and a Markdown snippet.

The leaderboard address printed on labels is ``LEADERBOARD_URL``, else the Space's own address
when running in a Space (``SPACE_ID``), else ``DEFAULT_LEADERBOARD_URL``. The command line is
``leaderboard.label.cli``.
"""

from __future__ import annotations

import html
import os
from urllib.parse import quote

import pandas as pd

from benchmark.board.rating import CLASSED_TASKS
from benchmark.errors import UserInputError
from benchmark.record import model_slug
from benchmark.tasks import REASONING_EFFORTS, TASKS, get_task
from leaderboard.display.downloads import bounded_name, download_file
from leaderboard.display.formats import format_wh
from leaderboard.label.draw import LabelFacts, label_png
from leaderboard.results.data import LeaderboardData
from leaderboard.results.releases import LATEST, LIVE
from leaderboard.views.equivalences import smartphone_charges
from leaderboard.views.model_page import check_model, provider, ranks, ranks_of_frame
from leaderboard.views.values import json_value

DEFAULT_LEADERBOARD_URL = "https://huggingface.co/spaces/green-ai-leaderboard/green-ai-leaderboard"


class LabelError(UserInputError):
    pass


def leaderboard_url(served_at: str | None = None) -> str:
    """The address printed on a label, in the order the label's Markdown link follows (``model_page_url``):
    ``LEADERBOARD_URL``, the Space's public host (``SPACE_HOST``), the address this app was reached at
    (``served_at``), the Space's page (``SPACE_ID``), else the public leaderboard's."""
    configured = os.environ.get("LEADERBOARD_URL", "").strip()
    if configured:
        return configured
    host = os.environ.get("SPACE_HOST", "").strip().strip("/")
    if host:
        return f"https://{host}/"
    if served_at:
        return served_at
    space = os.environ.get("SPACE_ID", "").strip()
    return f"https://huggingface.co/spaces/{space}" if space else DEFAULT_LEADERBOARD_URL


def _board_ranks(data: LeaderboardData, release: str) -> pd.DataFrame:
    return ranks(data) if data.board(release) is data.frame else data.cached(
        ("label:ranks", release), lambda: ranks_of_frame(data.board(release))
    )


def check_effort(effort: str | None) -> str | None:
    """A label's effort level: empty for none given, else one of ``REASONING_EFFORTS``."""
    chosen = (effort or "").strip().lower() or None
    if chosen is not None and chosen not in REASONING_EFFORTS:
        raise LabelError(f"unknown effort level {chosen!r}: choose one of {', '.join(REASONING_EFFORTS)}, or none")
    return chosen


def _row_index(
    data: LeaderboardData, model_id: str, task: str, hardware: str | None, release: str, effort: str | None = None
) -> object:
    """The board row of ``model_id`` on ``task``: on ``hardware`` and at ``effort`` if given, else the
    rated one in the largest rating group, then the latest (a model measured on several GPUs has one
    label per GPU, one measured at several effort levels one label per level)."""
    frame = data.board(release)
    rows = frame[(frame["model_id"] == model_id) & (frame["task"] == task)]
    if hardware:
        rows = rows[rows["hardware"] == hardware]
    if effort:
        levels = sorted(set(rows["reasoning_effort"].dropna()) - {""}, key=_effort_order)
        rows = rows[rows["reasoning_effort"] == effort]
        if rows.empty:
            measured = f"its levels are {', '.join(levels)}" if levels else "it was measured at no effort level"
            raise LabelError(
                f"{model_id!r} has no {TASKS[task].display_name} result at {effort} effort; {measured}"
            )
    if rows.empty:
        on = f" on {hardware}" if hardware else ""
        measured = sorted(TASKS[t].display_name for t in set(frame.loc[frame["model_id"] == model_id, "task"]))
        raise LabelError(
            f"{model_id!r} has no {TASKS[task].display_name} result{on}; it was measured on {', '.join(measured)}"
        )
    group_size = _board_ranks(data, release).loc[rows.index, "rank_of"].fillna(0).astype(int)
    ordered = rows.assign(_unrated=rows["stars"].isna(), _group=group_size).sort_values(
        ["_unrated", "_group", "created_at", "hardware"], ascending=[True, False, False, True], kind="stable"
    )
    return ordered.index[0]


def _effort_order(level: str) -> int:
    return REASONING_EFFORTS.index(level) if level in REASONING_EFFORTS else len(REASONING_EFFORTS)


def label_facts(
    data: LeaderboardData,
    model_id: str,
    task: str,
    hardware: str | None = None,
    url: str | None = None,
    release: str | None = LATEST,
    effort: str | None = None,
) -> LabelFacts:
    """What the label of ``model_id`` on ``task`` says on ``release``'s board (default the latest;
    the label names the release its stars belong to), at ``effort`` for a model measured at effort
    levels (default: the row chosen as without it; the label names its level). One-line errors for
    unknown input."""
    model_id = check_model(data, model_id)
    task = get_task((task or "").strip()).key
    chosen_effort = check_effort(effort)
    board = data.release_name(release)
    index = _row_index(data, model_id, task, (hardware or "").strip() or None, board, chosen_effort)
    row = data.board(board).loc[index]
    rank = _board_ranks(data, board).loc[index]
    energy = float(row["gpu_wh_per_1k_queries"])
    # a model measured at several effort levels: the label says which one it shows
    level = str(row["reasoning_effort"]) if row["reasoning_effort"] else None
    effort = f" ({level} effort)" if level else ""
    return LabelFacts(
        model_id=model_id,
        provider=provider(model_id),
        task_name=TASKS[task].display_name + effort,
        stars=json_value(row["stars"]),
        rating_flag=json_value(row["rating_flag"]),
        rank=json_value(rank["rank"]),
        rank_of=json_value(rank["rank_of"]),
        gpu_wh_per_1k_queries=energy,
        gpu_wh_per_1k_queries_std=json_value(row["gpu_wh_per_1k_queries_std"]),
        n_repeats=int(row["n_repeats"]),
        hardware=row["hardware"],
        measured_on=row["created_at"].strftime("%Y-%m-%d"),
        leaderboard_url=url or leaderboard_url(),
        smartphone_charges=smartphone_charges(energy),
        rating_group=f"this task{' and size class' if task in CLASSED_TASKS else ''} on this hardware",
        # a frozen board is named (its label never changes); live stars belong to no release
        release=None if row["release"] == LIVE else str(row["release"]),
        reasoning_effort=level,
        provenance=str(row["provenance"]) if "provenance" in row else "measured",
        verification=verification_of(data, row),
    )


def verification_of(data: LeaderboardData, row: pd.Series) -> str:
    found = data.verifications().get((row["model_id"], row["task"], row["run_id"]))
    return found.status if found else ""


def label_file_name(facts: LabelFacts, task: str) -> str:
    """One name per model, task, effort level and release (a card can hold each level's label),
    bounded in length whatever the model id."""
    effort = f"-{facts.reasoning_effort}" if facts.reasoning_effort else ""
    release = f"-{model_slug(facts.release)}" if facts.release else ""
    return bounded_name(f"energy-label-{model_slug(facts.model_id)}-{task}{effort}{release}", ".png")


def _markdown_text(text: str) -> str:
    """Record text made inert inside a Markdown image's alt text on a model card: no HTML (``<svg
    onload=…>``), no brackets or backquotes to close the image early, no line breaks."""
    text = " ".join(str(text).split())
    for char, safe in (("[", "("), ("]", ")"), ("`", "'"), ("\\", "/")):
        text = text.replace(char, safe)
    return html.escape(text, quote=True)


def model_page_url(model_id: str) -> str:
    """The address of a model's page on the leaderboard (``?model=org/name``): on the configured address
    (``LEADERBOARD_URL``), else the Space's public one (``SPACE_HOST``, which Spaces set), else relative to
    wherever the leaderboard is served."""
    query = f"?model={quote(model_id, safe='/')}"
    configured = os.environ.get("LEADERBOARD_URL", "").strip()
    if configured:
        return configured.split("?")[0] + query
    host = os.environ.get("SPACE_HOST", "").strip().strip("/")
    return f"https://{host}/{query}" if host else query


def label_markdown(facts: LabelFacts, file_name: str) -> str:
    """A snippet for a model card: the label image (uploaded beside the README) linking to the model's
    page on the leaderboard, with the facts in the alt text for screen readers and text-only views.
    Every value from a record is escaped: the snippet is pasted into a page that renders HTML."""
    rating = f"{facts.stars} of 5 stars" if facts.stars else "not rated"
    alt = (
        f"AI Energy Score label: {rating} for {facts.task_name}, "
        f"{format_wh(facts.gpu_wh_per_1k_queries)} Wh of GPU energy per 1,000 queries on {facts.hardware}, "
        f"{facts.provenance}{' and verified' if facts.verification == 'verified' else ''} {facts.measured_on}"
    )
    link = quote(model_page_url(facts.model_id), safe=":/?&=%#@+,;~")
    return (
        f"<!-- Upload {quote(file_name)} next to this README, then keep this line. -->\n"
        f"[![{_markdown_text(alt)}](./{quote(file_name)})]({link})"
    )


def label_path(facts: LabelFacts, task: str, content: bytes | None = None) -> str:
    """The label (``content`` if already drawn) as a PNG file, content-addressed in the temp folder
    so repeats reuse it."""
    content = content if content is not None else label_png(facts)
    return download_file("labels", label_file_name(facts, task), content)


def cached_label_path(data: LeaderboardData, facts: LabelFacts, task: str) -> str:
    """``label_path``, drawn once per data version and facts (and written again if pruned)."""
    return label_path(facts, task, data.cached(("models:label_png", facts), lambda: label_png(facts)))
