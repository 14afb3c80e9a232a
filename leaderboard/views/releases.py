"""Releases as plain values: the list of frozen boards, and one model's history across them."""

from __future__ import annotations

from typing import Any

from leaderboard.display.strings import LATEST_CHOICE, LIVE_CHOICE, SINCE_CHOICE
from leaderboard.results.data import LeaderboardData
from leaderboard.results.releases import LATEST, LIVE, SINCE, provisional_label
from leaderboard.views.values import json_value


def release_list(data: LeaderboardData) -> list[dict[str, Any]]:
    """Every release, oldest first, with what it holds; ``latest`` marks the default board."""
    names = data.release_names
    return [
        {
            "name": release.name,
            "date": release.date,
            "n_entries": int(release.meta.get("n_entries", len(release.board))),
            "n_rated": int(release.meta.get("n_rated", release.board["stars"].notna().sum())),
            "tasks": list(release.meta.get("tasks", [])),
            "n_left_out": len(release.meta.get("left_out", [])),
            "latest": release.name == names[-1],
        }
        for release in data.releases
    ]


def release_choices(data: LeaderboardData) -> list[tuple[str, str]]:
    """(label, value) pairs for a release selector: the latest (the default), the releases newest
    first, then the runs since the latest (provisional stars) and the live rating of everything."""
    if not data.releases:
        return [(LATEST_CHOICE, LATEST), (LIVE_CHOICE, LIVE)]
    names = list(reversed(data.release_names))
    choices = [(f"{LATEST_CHOICE} ({names[0]})", LATEST), *((f"Release {name}", name) for name in names)]
    return [*choices, (SINCE_CHOICE.format(release=names[0]), SINCE), (LIVE_CHOICE, LIVE)]


def model_history(data: LeaderboardData, model_id: str) -> list[dict[str, Any]]:
    """The model's entries in every release that holds it (oldest first), then its runs since the
    latest release with provisional stars: release, date, task, hardware, energy and stars."""
    history = []
    for release in data.releases:
        rows = release.board[release.board["model_id"] == model_id]
        for _, row in rows.iterrows():
            history.append(_entry(release.name, release.date, row, provisional=False))
    if data.releases:
        since = data.since()
        for _, row in since[since["model_id"] == model_id].iterrows():
            history.append(_entry(provisional_label(data.release_names[-1]), None, row, provisional=True))
    return history


def _entry(release: str, date: str | None, row: Any, provisional: bool) -> dict[str, Any]:
    return {
        "release": release,
        "release_date": date,
        "provisional": provisional,
        "task": row["task"],
        "hardware": row["hardware"],
        "gpu_wh_per_1k_queries": float(row["gpu_wh_per_1k_queries"]),
        "stars": json_value(row["stars"]),
        "size_class": json_value(row["size_class"]),
        "run_id": row["run_id"],
    }
