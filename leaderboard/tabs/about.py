"""The About page: ``about.md`` filled in from the task registry and the rating rule.

The task table and the star rule are generated, not retyped, so they cannot drift from what the
runner and the rating actually do. Later tabs can append their own sections (e.g. the constants
behind an equivalence, ``everyday_scale_section``) through ``about_markdown(extra_sections=...)``:
the app's tabs add them to ``AppContext.about_sections``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from string import Template

from benchmark.board.rating import CLASSED_TASKS, N_STAR_LEVELS
from benchmark.tasks import SIZE_CLASS_BOUNDS, TASKS
from leaderboard.display.formats import escape_markdown
from leaderboard.views.equivalences import GRIDS, SMARTPHONE_CHARGE_WH, SMARTPHONE_SOURCE, SMARTPHONE_SOURCE_URL

ABOUT_TEMPLATE = Path(__file__).with_name("about.md")


def _bound(value: float) -> str:
    return f"{value / 1e9:g}B"


def size_class_rule() -> str:
    """ "A ≤ 20B, B ≤ 66B, C > 66B" from the registry's bounds."""
    parts, lower = [], None
    for name, upper in SIZE_CLASS_BOUNDS:
        parts.append(f"{name} ≤ {_bound(upper)}" if upper != float("inf") else f"{name} > {_bound(lower)}")
        lower = upper
    return ", ".join(parts)


def _controls(controls: dict[str, object]) -> str:
    return "<br>".join(f"`{name}` {value}" for name, value in controls.items())


def tasks_table() -> str:
    """A Markdown table of the registered tasks, their datasets and control variables."""
    lines = [
        "| Task | Key | What the model does | Dataset (split) | One query | Control variables |",
        "|---|---|---|---|---|---|",
    ]
    for key, spec in TASKS.items():
        url = f"https://huggingface.co/datasets/{spec.dataset_id}"
        dataset = f"[{escape_markdown(spec.dataset_id)}]({url}) ({spec.dataset_split})"
        lines.append(
            f"| {spec.display_name} | `{key}` | {spec.description} | {dataset} | {spec.query_unit} | "
            f"{_controls(spec.control_variables())} |"
        )
    return "\n".join(lines)


def quality_table() -> str:
    """A Markdown table of each task's declared quality benchmark, from the registry."""
    lines = ["| Task | Benchmark | Data (split) | Metric | Better | Computed with |", "|---|---|---|---|---|---|"]
    for spec in TASKS.values():
        declared = spec.quality
        if declared is None:
            lines.append(f"| {spec.display_name} | none declared yet: energy only | | | | |")
            continue
        config = f" `{declared.dataset_config}`" if declared.dataset_config else ""
        lines.append(
            f"| {spec.display_name} | {escape_markdown(declared.name)} (`{declared.key}`) | "
            f"{escape_markdown(declared.dataset_id)}{config} ({declared.dataset_split}) | "
            f"{escape_markdown(declared.metric_name)} (`{declared.metric}`) | "
            f"{'higher ↑' if declared.higher_is_better else 'lower ↓'} | {escape_markdown(declared.library)} |"
        )
    return "\n".join(lines)


def star_rule() -> str:
    classed = ", ".join(TASKS[key].display_name for key in TASKS if key in CLASSED_TASKS)
    return (
        f"- Models are compared only with models of the **same task** and measured on the **same "
        f"hardware**; for {classed} also only within the same **size class** ({size_class_rule()} "
        "parameters), as AI Energy Score does.\n"
        f"- In each such group, the range from the lowest to the highest GPU energy per 1,000 queries "
        f"is cut into {N_STAR_LEVELS} bins of equal width. Models in the lowest-energy bin get "
        f"{N_STAR_LEVELS} stars, those in the highest 1 star. A model exactly on a bin edge falls "
        "in the higher-energy bin.\n"
        "- A model alone in its group, or in a group where all energies are equal, gets 5 stars.\n"
        "- A row with no GPU energy or one ≤ 0 (e.g. a CPU-only run), or a text-generation model "
        "without a known parameter count, gets no stars and is marked *unrated* with the reason.\n"
        "- Stars are relative: they move when a more (or less) efficient model joins the group. "
        "The energy figure itself does not."
    )


def about_markdown(extra_sections: Iterable[str] = ()) -> str:
    text = Template(ABOUT_TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        tasks_table=tasks_table(), star_rule=star_rule(), quality_table=quality_table()
    )
    return "\n\n".join([text.rstrip(), *extra_sections])


def everyday_scale_section() -> str:
    """The About tab's section on the everyday equivalences and their sources."""
    rows = "\n".join(f"| {grid.name} | {grid.g_co2e_per_kwh:g} | {grid.year} | {grid.source} |" for grid in GRIDS)
    return f"""## Everyday scale

The **Models** tab puts each energy figure next to two everyday quantities. They are rough
guides for a sense of size, computed from the GPU energy per 1,000 queries only (the rest of the
server — CPU, memory, cooling — draws more):

- **Smartphone charges**: GPU Wh ÷ {SMARTPHONE_CHARGE_WH:.1f} Wh per full charge. Source:
  [{SMARTPHONE_SOURCE}]({SMARTPHONE_SOURCE_URL}).
- **Grams of CO₂e**: GPU kWh × the life-cycle carbon intensity of the chosen grid. The intensities
  below are yearly averages, rounded to whole grams and approximate (Ember revises its series as
  national statistics arrive); the emissions of a real deployment also depend on the hour, the
  data centre and its electricity contracts.

| Grid | g CO₂e per kWh | Year | Source |
|---|---|---|---|
{rows}

Ember's data: [ember-energy.org](https://ember-energy.org/data/yearly-electricity-data/) and
[Our World in Data](https://ourworldindata.org/grapher/carbon-intensity-electricity).

Endpoints for the Models tab: `/model_page`, `/compare`, `/tradeoff`, `/energy_label` (a PNG
file) and `/energy_label_markdown`."""
