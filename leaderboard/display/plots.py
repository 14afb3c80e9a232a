"""Energy versus model size: Plotly scatters on log–log axes, coloured by stars.

Energy per 1,000 queries spans orders of magnitude across models, so both axes are logarithmic
(which ``gr.ScatterPlot`` cannot do; these figures go to ``gr.Plot``). Models without a parameter
count cannot be placed and are counted in the title instead. Plotly is imported on first use so
the app starts without it.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmark.tasks import TASKS

if TYPE_CHECKING:
    import plotly.graph_objects as go

STAR_COLOURS = {5: "#1a9850", 4: "#91cf60", 3: "#d9c234", 2: "#fc8d59", 1: "#d73027"}
UNRATED_COLOUR = "#9e9e9e"
# Above this many points the browser draws with WebGL (SVG slows down with thousands of markers).
WEBGL_ABOVE_POINTS = 2000


def _params_text(params: np.ndarray) -> list[str]:
    return [f"{p / 1e9:.3g}B" if p >= 1e9 else f"{p / 1e6:.3g}M" for p in params]


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
                marker={"color": colour, "size": 9, "line": {"width": 0.5, "color": "#333"}},
                customdata=_hover_data(subset),
                hovertemplate=hover,
            )
        )
    subtitle = f"{len(plottable)} models" + (f"; {missing} without a parameter count not shown" if missing else "")
    figure.update_layout(
        title={"text": f"{html.escape(title)}<br><sup>{subtitle}</sup>"},
        xaxis={"type": "log", "title": {"text": "Parameters (log scale)"}},
        yaxis={"type": "log", "title": {"text": "GPU Wh per 1,000 queries (log scale)"}},
        legend={"title": {"text": "Stars"}},
        template="plotly_white",
        height=460,
        margin={"l": 70, "r": 20, "t": 70, "b": 60},
    )
    if plottable.empty:
        empty_plot_note(figure, "No model with both a GPU energy and a parameter count to plot yet")
    return figure


def empty_plot_note(figure: go.Figure, text: str) -> None:
    """Hide the axes of a plot with nothing to show and say why in its middle."""
    figure.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
