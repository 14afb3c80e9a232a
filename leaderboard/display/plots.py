"""The plots: energy versus model size, energy versus latency with its Pareto frontier, energy versus
output tokens, and energy versus quality with its frontier.

All are Plotly scatters coloured by stars (``palette``), energy on a log axis.

Energy per 1,000 queries spans orders of magnitude across models, so both axes are logarithmic
(which ``gr.ScatterPlot`` cannot do; these figures go to ``gr.Plot``). Models without a parameter
count cannot be placed and are counted in the title instead. Plotly is imported on first use so
the app starts without it.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.display.formats import format_params
from leaderboard.display.palette import (
    FRONTIER_COLOUR,
    MARKER_EDGE,
    STAR_COLOURS,
    TASK_COLOURS,
    TASK_SYMBOLS,
    UNRATED_COLOUR,
    star_colour,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

# Above this many points the browser draws with WebGL (SVG slows down with thousands of markers).
WEBGL_ABOVE_POINTS = 2000


def _params_text(params: np.ndarray) -> list[str]:
    return [format_params(p) for p in params]


def _hover_data(rows: pd.DataFrame) -> np.ndarray:
    # Hover labels are Plotly pseudo-HTML: escape record text so an id is shown, never parsed.
    ids = [html.escape(m) for m in rows["model_id"]]
    tasks = [html.escape(TASKS[t].display_name if t in TASKS else str(t)) for t in rows["task"]]
    hardware = [html.escape(h) for h in rows["hardware"]]
    return np.column_stack([ids, tasks, _params_text(rows["params"].to_numpy()), hardware])


def energy_vs_size(rows: pd.DataFrame, title: str, show_task: bool = False) -> go.Figure:
    """A scatter of GPU Wh per 1,000 queries against parameters, one trace per star level."""
    import plotly.graph_objects as go

    energy = rows["gpu_wh_per_1k_queries"]
    plottable = rows[(rows["params"] > 0) & (energy > 0)]
    missing = len(rows) - len(plottable)
    scatter = go.Scattergl if len(plottable) > WEBGL_ABOVE_POINTS else go.Scatter
    task_line = "%{customdata[1]}<br>" if show_task else ""
    hover = (
        "<b>%{customdata[0]}</b><br>" + task_line + "GPU energy: %{y:.4g} Wh / 1,000 queries<br>"
        "Parameters: %{customdata[2]}<br>%{customdata[3]}<extra>%{fullData.name}</extra>"
    )
    figure = go.Figure()
    levels: list[tuple[str, pd.Series, str]] = [
        (f"{'★' * level} ({level})", plottable["stars"] == level, colour) for level, colour in STAR_COLOURS.items()
    ]
    levels.append(("unrated", plottable["stars"].isna(), UNRATED_COLOUR))
    for name, selected, colour in levels:
        subset = plottable[selected.fillna(False).to_numpy(dtype=bool)]
        if subset.empty:
            continue
        figure.add_trace(
            scatter(
                x=subset["params"].to_numpy(),
                y=subset["gpu_wh_per_1k_queries"].to_numpy(),
                mode="markers",
                name=name,
                marker={"color": colour, "size": 9, "line": {"width": 0.5, "color": MARKER_EDGE}},
                customdata=_hover_data(subset),
                hovertemplate=hover,
            )
        )
    subtitle = f"{len(plottable)} models" + (f"; {missing} without a parameter count not shown" if missing else "")
    _log_log_layout(figure, f"{html.escape(title)}<br><sup>{subtitle}</sup>", "Parameters (log scale)", 460, 70)
    if plottable.empty:
        empty_plot_note(figure, "No model with both a GPU energy and a parameter count to plot yet")
    return figure


def energy_vs_size_by_task(rows: pd.DataFrame, title: str) -> go.Figure:
    """Every task's models on one log–log plot of GPU Wh per 1,000 queries against parameters, one trace (a
    colour and a marker, named in the legend) per task: stars are rated within a task, so colours by star
    would mix scales."""
    import plotly.graph_objects as go

    energy = rows["gpu_wh_per_1k_queries"]
    plottable = rows[(rows["params"] > 0) & (energy > 0)]
    missing = len(rows) - len(plottable)
    hover = ("<b>%{customdata[0]}</b><br>%{customdata[1]}<br>GPU energy: %{y:,.4~r} Wh / 1,000 queries<br>"
             "Parameters: %{customdata[2]}<br>%{customdata[3]}<extra></extra>")
    figure = go.Figure()
    for position, task in enumerate(TASK_KEYS):
        subset = plottable[(plottable["task"] == task).to_numpy()]
        if subset.empty:
            continue
        figure.add_trace(go.Scatter(
            x=subset["params"].to_numpy(), y=subset["gpu_wh_per_1k_queries"].to_numpy(), mode="markers",
            name=TASKS[task].display_name,
            marker={"color": TASK_COLOURS[position % len(TASK_COLOURS)], "size": 9,
                    "symbol": TASK_SYMBOLS[position % len(TASK_SYMBOLS)], "line": {"width": 0.5, "color": MARKER_EDGE}},
            customdata=_hover_data(subset), hovertemplate=hover,
        ))
    subtitle = f"{len(plottable)} models" + (f"; {missing} without a parameter count not shown" if missing else "")
    _log_log_layout(figure, f"{html.escape(title)}<br><sup>{subtitle}</sup>", "Parameters (log scale)", 520, 70)
    figure.update_layout(legend={"title": {"text": "Task"}})
    if plottable.empty:
        empty_plot_note(figure, "No model with both a GPU energy and a parameter count to plot yet")
    return figure


def _log_log_layout(figure: go.Figure, title: str, x_title: str, height_px: int, top_margin_px: int) -> None:
    """Both plots: log–log axes, GPU energy up, a star legend, the same template and margins."""
    figure.update_layout(
        title={"text": title},
        # plain numbers on the axes (1,000 and 0.001, never 1e+3 or 1k)
        xaxis={"type": "log", "title": {"text": x_title}, "exponentformat": "none", "separatethousands": True},
        yaxis={"type": "log", "title": {"text": "GPU Wh per 1,000 queries (log scale)"}, "exponentformat": "none",
               "separatethousands": True},
        legend={"title": {"text": "Stars"}},
        template="plotly_white",
        height=height_px,
        margin={"l": 70, "r": 20, "t": top_margin_px, "b": 60},
    )


def empty_plot_note(figure: go.Figure, text: str) -> None:
    """Hide the axes of a plot with nothing to show and say why in its middle."""
    figure.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)


def _hover(point: dict[str, Any]) -> str:
    stars = f"{point['stars']}★" if point["stars"] is not None else "unrated"
    return (
        f"<b>{html.escape(point['model_id'])}</b><br>{point['gpu_wh_per_1k_queries']:.4g} Wh / 1,000 queries<br>"
        f"{point['latency_s_per_query'] * 1000:.4g} ms per query<br>{stars}"
    )


def tradeoff_figure(view: dict[str, Any]) -> go.Figure:
    """The scatter (log–log, coloured by stars) with the frontier drawn as a line and named."""
    import plotly.graph_objects as go

    figure = go.Figure()
    points = view["points"]
    by_level: dict[Any, list[dict[str, Any]]] = {}
    for point in points:
        by_level.setdefault(point["stars"], []).append(point)
    for level in [5, 4, 3, 2, 1, None]:
        group = by_level.get(level)
        if not group:
            continue
        figure.add_trace(
            go.Scatter(
                x=[p["latency_s_per_query"] for p in group],
                y=[p["gpu_wh_per_1k_queries"] for p in group],
                mode="markers",
                name=f"{'★' * level} ({level})" if level else "unrated",
                marker={
                    "color": star_colour(level),
                    "size": 10,
                    "line": {"width": 0.5, "color": MARKER_EDGE},
                },
                hovertext=[_hover(p) for p in group],
                hoverinfo="text",
            )
        )
    frontier = [p for model in view["frontier"] for p in points if p["model_id"] == model]
    if frontier:
        figure.add_trace(
            go.Scatter(
                x=[p["latency_s_per_query"] for p in frontier],
                y=[p["gpu_wh_per_1k_queries"] for p in frontier],
                mode="lines+markers+text",
                name="Pareto frontier",
                line={"color": FRONTIER_COLOUR, "width": 2, "dash": "dash"},
                marker={"symbol": "circle-open", "size": 16, "color": FRONTIER_COLOUR, "line": {"width": 2}},
                text=[html.escape(p["model_id"]) for p in frontier],
                textposition="top right",
                hoverinfo="skip",
            )
        )
    subtitle = f"{len(points)} models on {html.escape(view['hardware'] or 'no hardware')}"
    if view["note"]:
        subtitle += f"; {html.escape(view['note'])}"
    title = f"{html.escape(view['task_name'])}: energy vs latency<br><sup>{subtitle}</sup>"
    _log_log_layout(figure, title, "Latency per query, seconds (log scale)", 500, 80)
    if not points:
        empty_plot_note(figure, "No result of this task has both a measured latency and a GPU energy yet")
    return figure


SIZE_CLASS_SYMBOLS = {"A": "circle", "B": "square", "C": "diamond"}


def energy_vs_output_tokens(rows: pd.DataFrame, title: str) -> go.Figure:
    """GPU Wh per 1,000 queries against mean output tokens per query (log–log), one trace per size
    class (stars are rated within a class), markers coloured by stars. ``rows`` are plottable
    (``views.reasoning.token_points``); the caller says so instead of drawing an empty plot."""
    import plotly.graph_objects as go

    figure = go.Figure()
    classes = rows["size_class"].fillna("unknown").astype(str)
    for size_class in sorted(set(classes)):
        subset = rows[(classes == size_class).to_numpy()]
        labels = [
            html.escape(m) + (f" ({html.escape(e)})" if e else "")
            for m, e in zip(subset["model_id"], subset["reasoning_effort"], strict=True)
        ]
        stars = ["unrated" if pd.isna(s) else "★" * int(s) for s in subset["stars"]]
        figure.add_trace(
            go.Scatter(
                x=subset["output_tokens_per_query"].to_numpy(dtype=float),
                y=subset["gpu_wh_per_1k_queries"].to_numpy(dtype=float),
                mode="markers",
                name=f"size class {html.escape(size_class)}",
                marker={
                    "color": [star_colour(None if pd.isna(s) else int(s)) for s in subset["stars"]],
                    "symbol": SIZE_CLASS_SYMBOLS.get(size_class, "x"),
                    "size": 10,
                    "line": {"width": 0.5, "color": MARKER_EDGE},
                },
                customdata=np.column_stack([labels, stars, [html.escape(h) for h in subset["hardware"]]]),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>GPU energy: %{y:.4g} Wh / 1,000 queries<br>"
                    "Output tokens: %{x:.4g} per query<br>%{customdata[1]} · %{customdata[2]}"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    subtitle = f"{len(rows)} runs with output-token counts; marker shape: size class, colour: stars"
    _log_log_layout(
        figure, f"{html.escape(title)}<br><sup>{subtitle}</sup>", "Output tokens per query (mean, log scale)", 460, 70
    )
    figure.update_layout(legend={"title": {"text": "Size class"}})
    return figure


def energy_vs_quality(rows: pd.DataFrame, title: str, quality_label: str, higher_is_better: bool) -> go.Figure:
    """Quality (the task's benchmark, its own axis direction) against GPU Wh per 1,000 queries (log),
    coloured by stars, the frontier's points joined by a line in energy order and ringed. Rows without
    a quality figure or a positive energy cannot be placed: the subtitle counts them."""
    import plotly.graph_objects as go

    energy = rows["gpu_wh_per_1k_queries"].to_numpy(dtype=float)
    quality = rows["quality"].to_numpy(dtype=float) if "quality" in rows else np.full(len(rows), np.nan)
    placed = rows[np.isfinite(energy) & (energy > 0) & np.isfinite(quality)]
    figure = go.Figure()
    hover = (
        "<b>%{customdata[0]}</b><br>GPU energy: %{x:.4g} Wh / 1,000 queries<br>"
        f"{html.escape(quality_label)}: %{{y:.4g}}<br>%{{customdata[3]}}<extra>%{{fullData.name}}</extra>"
    )
    levels = [(f"{'★' * level} ({level})", placed["stars"] == level, colour) for level, colour in STAR_COLOURS.items()]
    levels.append(("unrated", placed["stars"].isna(), UNRATED_COLOUR))
    for name, selected, colour in levels:
        subset = placed[selected.fillna(False).to_numpy(dtype=bool)]
        if subset.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=subset["gpu_wh_per_1k_queries"].to_numpy(dtype=float),
                y=subset["quality"].to_numpy(dtype=float),
                mode="markers",
                name=name,
                marker={"color": colour, "size": 9, "line": {"width": 0.5, "color": MARKER_EDGE}},
                customdata=_hover_data(subset),
                hovertemplate=hover,
            )
        )
    frontier = placed[placed["on_frontier"].to_numpy(dtype=bool)].sort_values("gpu_wh_per_1k_queries")
    if not frontier.empty:
        figure.add_trace(
            go.Scatter(
                x=frontier["gpu_wh_per_1k_queries"].to_numpy(dtype=float),
                y=frontier["quality"].to_numpy(dtype=float),
                mode="lines+markers+text",
                name="Energy–quality frontier",
                line={"color": FRONTIER_COLOUR, "width": 2, "dash": "dash", "shape": "hv"},
                marker={"symbol": "circle-open", "size": 15, "color": FRONTIER_COLOUR, "line": {"width": 2}},
                text=[html.escape(m.rsplit("/", 1)[-1]) for m in frontier["model_id"]],  # named on the plot
                textposition="top left",
                customdata=_hover_data(frontier),
                hovertemplate=hover,
            )
        )
    missing = len(rows) - len(placed)
    subtitle = f"{len(placed)} models with a quality figure" + (f"; {missing} without one not shown" if missing else "")
    figure.update_layout(
        title={"text": f"{html.escape(title)}<br><sup>{subtitle}</sup>"},
        xaxis={"type": "log", "title": {"text": "GPU Wh per 1,000 queries (log scale)"}, "exponentformat": "none",
               "separatethousands": True},
        yaxis={"title": {"text": html.escape(quality_label)}, "autorange": True if higher_is_better else "reversed",
               "exponentformat": "none"},
        legend={"title": {"text": "Stars"}},
        template="plotly_white",
        height=460,
        margin={"l": 70, "r": 20, "t": 70, "b": 60},
    )
    if placed.empty:
        empty_plot_note(figure, "No model of this board has a quality figure on its benchmark yet")
    return figure


def served_figure(view: dict[str, Any]) -> go.Figure:
    """J per output token against median ITL (log–log), a line per model across its batch sizes, each point
    labelled with its B ("1×1" one at a time); an unstable steady state is a cross."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for model in view["models"]:
        points = model["points"]
        figure.add_trace(go.Scatter(
            x=[p["itl_median_ms"] for p in points], y=[p["j_per_output_token"] for p in points],
            mode="lines+markers+text", name=html.escape(model["model_id"]),
            text=[f"B={p['max_num_seqs']}" if p["max_num_seqs"] else "one at a time" for p in points],
            textposition="top center",
            marker={"size": 10, "symbol": ["circle" if p["stable"] else "x" for p in points],
                    "line": {"width": 0.5, "color": MARKER_EDGE}},
            hovertext=[f"{html.escape(model['model_id'])} · {html.escape(p['configuration_key'])}"
                       + ("" if p["stable"] else " · unstable: not a steady state") for p in points],
            hoverinfo="text",
        ))
    figure.update_layout(
        xaxis={"title": "median inter-token latency (ms)", "type": "log"},
        yaxis={"title": "GPU J per output token", "type": "log"},
        title="Served: energy per token against inter-token latency, across batch sizes",
        template="plotly_white", legend={"orientation": "h"},
    )
    return figure
