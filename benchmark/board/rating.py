"""Star ratings as AI Energy Score defines them. This is the only place stars are computed: the
leaderboard (``leaderboard.results``) and the release cut (``benchmark.release``) both call it.

Within each rating group — a task, and for tasks rated by size class (text generation: A ≤ 20B,
B ≤ 66B, C > 66B parameters) its size class, on one hardware — the range between the lowest and
the highest GPU energy per 1,000 queries is split into five equal-width bins. The lowest-energy
bin gets 5 stars, the highest 1. Bins are closed on the left, like ``numpy.histogram``'s: a model
exactly on an inner edge falls in the higher-energy bin, and the maximum in the last bin. A
model alone in its group, or a group whose energies are all equal, gets 5 stars.

Rows that cannot be rated get no stars (``pandas.NA``), and ``rating_flags`` says why: missing or
non-finite energy, energy ≤ 0 (e.g. a CPU-only run, where the GPU measures nothing), a task
rated by size class without a parameter count, an energy flagged physically implausible, or a
run that is not comparable or not of the reference configuration (so nothing but a reference
run moves another model's stars). They do not move the bins of the others.

A self-reported upload that no reproduction has verified (``in_bands`` False; without that column, any
row whose ``provenance`` is self-reported) is rated against the bins of the rows that do join them, clipped
to 1–5, and moves nobody's stars: only what we measured, published boards and verified uploads set a
group's lowest and highest energy. A group with no such row is binned over its ratable rows.

Everything is vectorised (one groupby on an integer key): 10,000 rows take a few milliseconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.board.configurations import on_reference_board
from benchmark.record import SELF_REPORTED
from benchmark.tasks import SIZE_CLASS_BOUNDS, TASKS

N_STAR_LEVELS = 5
ENERGY_COLUMN = "gpu_wh_per_1k_queries"
# Relative slack (in bin widths) so a value computed to sit exactly on an edge lands in the bin
# above it whatever the float rounding of (x - min) / width.
_EDGE_SLACK = 1e-9
# Tasks whose models are rated within their size class only, read from the registry.
CLASSED_TASKS: frozenset[str] = frozenset(key for key, spec in TASKS.items() if spec.size_classes)

FLAG_NO_ENERGY = "no energy figure"
FLAG_NON_POSITIVE = "GPU energy ≤ 0"
FLAG_NO_SIZE_CLASS = "no parameter count, so no size class"
FLAG_CPU = "measured on a CPU: no GPU energy to rate"
# The frame's ``energy_implausible`` column (``plausibility.implausible_energy_reason``): an energy that
# cannot be real is shown but never rated, so it cannot stretch the bins of its group.
FLAG_IMPLAUSIBLE = "physically implausible energy"
IMPLAUSIBLE_COLUMN = "energy_implausible"
# whether a row sets its group's bins (False: an unverified self-reported upload, rated against them)
BANDS_COLUMN = "in_bands"
# issue 10: only comparable runs of the reference configuration are rated
FLAG_NOT_COMPARABLE = "not comparable: not the task's full test set"
FLAG_NOT_REFERENCE = "not the reference configuration"


def stars_between(
    energy: np.ndarray, low_wh: np.ndarray, high_wh: np.ndarray, ratable: np.ndarray
) -> pd.arrays.IntegerArray:
    """The rule itself, over numbers: each row's stars in the five equal-width bins between its
    group's ``low_wh`` and ``high_wh`` (clipped to 1–5; 5 where the two are equal), missing where
    not ``ratable``. The live board passes each group's own range; provisional stars a release's."""
    span = high_wh - low_wh
    with np.errstate(invalid="ignore", divide="ignore"):
        position = np.where(span > 0, (energy - low_wh) / span * N_STAR_LEVELS, 0.0)
    bin_index = np.clip(np.floor(position + _EDGE_SLACK), 0, N_STAR_LEVELS - 1)
    stars = pd.array(np.where(ratable, N_STAR_LEVELS - np.nan_to_num(bin_index), 0).astype("int64"), dtype="Int64")
    stars[~ratable] = pd.NA
    return stars


def _size_class_codes(params: pd.Series) -> np.ndarray:
    """Index into ``SIZE_CLASS_BOUNDS`` per row (-1 where the size is unknown or ≤ 0)."""
    values = pd.to_numeric(params, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    uppers = np.array([upper for _, upper in SIZE_CLASS_BOUNDS])
    codes = np.searchsorted(uppers, values, side="left")
    return np.where(np.isfinite(values) & (values > 0), codes, -1)


def size_classes(params: pd.Series) -> pd.Series:
    """``benchmark.tasks.size_class`` for a whole column at once: "A", "B", "C" or ``None``."""
    labels = np.array([name for name, _ in SIZE_CLASS_BOUNDS] + [None], dtype=object)
    return pd.Series(labels[_size_class_codes(params)], index=params.index, name="size_class", dtype=object)


def _class_codes(df: pd.DataFrame) -> np.ndarray:
    """Size class per row as a code (-1 unknown): the ``size_class`` column where given, else
    derived from ``params``."""
    derived = _size_class_codes(df["params"]) if "params" in df else np.full(len(df), -1)
    if "size_class" not in df:
        return derived
    names = [name for name, _ in SIZE_CLASS_BOUNDS]
    given = pd.Categorical(df["size_class"], categories=names).codes.astype(int)
    return np.where(given >= 0, given, derived)


def _energy(df: pd.DataFrame) -> np.ndarray:
    return pd.to_numeric(df[ENERGY_COLUMN], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _needs_class(df: pd.DataFrame) -> np.ndarray:
    return df["task"].isin(CLASSED_TASKS).to_numpy()


def _on_cpu(df: pd.DataFrame) -> np.ndarray:
    if "device" not in df:
        return np.zeros(len(df), dtype=bool)
    return (df["device"] == "cpu").to_numpy(dtype=bool, na_value=False)


def _implausible(df: pd.DataFrame) -> np.ndarray:
    if IMPLAUSIBLE_COLUMN not in df:
        return np.zeros(len(df), dtype=bool)
    return df[IMPLAUSIBLE_COLUMN].to_numpy(dtype=bool, na_value=False)


def joins_bands(df: pd.DataFrame) -> np.ndarray:
    """Whether each row may set its group's lowest and highest energy (see the module's docstring)."""
    by_provenance = (df["provenance"] != SELF_REPORTED).to_numpy(dtype=bool, na_value=True) if "provenance" in df \
        else np.ones(len(df), dtype=bool)
    if BANDS_COLUMN not in df:  # a board written before the column: the provenance says it
        return by_provenance
    given = df[BANDS_COLUMN]
    return np.where(given.isna().to_numpy(), by_provenance, given.fillna(True).to_numpy(dtype=bool))


def _codes(column: pd.Series) -> np.ndarray:
    codes, _ = pd.factorize(column, use_na_sentinel=False)
    return codes


def star_ratings(df: pd.DataFrame) -> pd.Series:
    """Stars (1–5, nullable ``Int64``) for every row of ``df``, aligned with ``df.index``.

    ``df`` needs ``task`` and ``gpu_wh_per_1k_queries``; ``params``, ``size_class``, ``hardware``
    and ``device`` are used where present (without ``hardware`` all rows count as one hardware).
    A row whose ``device`` is ``cpu`` is never rated, whatever its GPU figure: a CPU run's GPU
    energy is not the model's.
    """
    energy = _energy(df)
    classes = _class_codes(df)
    needs_class = _needs_class(df)
    with np.errstate(invalid="ignore"):
        ratable = (
            np.isfinite(energy) & (energy > 0) & ~(needs_class & (classes < 0)) & ~_on_cpu(df) & ~_implausible(df)
        )
    ratable &= on_reference_board(df)

    # One integer per rating group: task × size class (only where the task is rated by class)
    # × hardware. A single int key keeps the groupby on its fastest path.
    task_codes = _codes(df["task"])
    hardware_codes = _codes(df["hardware"]) if "hardware" in df else np.zeros(len(df), dtype=int)
    class_key = np.where(needs_class, classes + 1, 0)
    n_classes = len(SIZE_CLASS_BOUNDS) + 1
    group = (task_codes * n_classes + class_key) * (hardware_codes.max(initial=0) + 1) + hardware_codes

    banded = ratable & joins_bands(df)
    low, high = _group_range(energy, banded, group)
    all_low, all_high = _group_range(energy, ratable, group)
    no_band = np.isnan(low)  # a group of unverified uploads only: binned over its own ratable rows
    stars = stars_between(energy, np.where(no_band, all_low, low), np.where(no_band, all_high, high), ratable)
    return pd.Series(stars, index=df.index, name="stars")


def _group_range(energy: np.ndarray, rows: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the lowest and highest energy of the ``rows`` of its group (NaN where it has none)."""
    grouped = pd.Series(np.where(rows, energy, np.nan)).groupby(group, sort=False)
    return grouped.transform("min").to_numpy(), grouped.transform("max").to_numpy()


def rating_flags(df: pd.DataFrame) -> pd.Series:
    """Why a row has no stars (one short phrase), or ``None`` where it is rated."""
    energy = _energy(df)
    missing_class = _needs_class(df) & (_class_codes(df) < 0)
    with np.errstate(invalid="ignore"):
        comparable = df["comparable"].to_numpy(dtype=bool) if "comparable" in df else np.ones(len(df), dtype=bool)
        flags = np.select(
            [~comparable, ~on_reference_board(df), _on_cpu(df), ~np.isfinite(energy), energy <= 0, missing_class,
             _implausible(df)],
            [FLAG_NOT_COMPARABLE, FLAG_NOT_REFERENCE, FLAG_CPU, FLAG_NO_ENERGY, FLAG_NON_POSITIVE, FLAG_NO_SIZE_CLASS,
             FLAG_IMPLAUSIBLE],
            default="",
        )
    series = pd.Series(flags, index=df.index, dtype=object, name="rating_flag")
    return series.where(series != "", None)

