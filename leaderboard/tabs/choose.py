"""The finder panel of a task tab: limits in, the models that meet them (each at its cheapest
configuration) out, and the others one click away with the limit that stopped each. The rows come from
``leaderboard.views.choose`` (the ``/choose`` endpoint's function)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from benchmark.errors import UserInputError
from benchmark.tasks import TASKS
from leaderboard.display import strings
from leaderboard.display.formats import escape_markdown, format_amount, format_seconds, format_wh, model_markdown
from leaderboard.tabs.context import PRIVATE_EVENT, AppContext
from leaderboard.views.choose import ANY_CONFIGURATION, choose


def _effort(item: dict[str, Any]) -> str:
    return f" ({escape_markdown(item['reasoning_effort'])})" if item.get("reasoning_effort") else ""


def _quality(item: dict[str, Any]) -> str:
    return format_amount(item["quality"]) if item.get("quality") is not None else "–"


def chosen_markdown(result: dict[str, Any]) -> str:
    """The models that meet the limits, least energy first, as a Markdown table; a result another beats on
    both energy and quality says which."""
    if not result["chosen"]:
        return f"**{strings.CHOOSE_NONE}** {escape_markdown(result['summary'])}."
    served = any(item.get("itl_median_ms") is not None for item in result["chosen"])
    lines = [
        f"**{len(result['chosen'])} model(s) meet every limit** · {escape_markdown(result['summary'])}",
        "",
        "| Model | Configuration | GPU Wh / 1,000 queries | Latency / query | "
        + ("Median ITL | J / output token | " if served else "") + "Quality | Hardware |",
        "|---|---|---:|---:|" + ("---:|---:|" if served else "") + "---:|---|",
    ]
    for item in result["chosen"]:
        latency = format_seconds(item["latency_s_per_query"]) if item.get("latency_s_per_query") else "–"
        beaten = (f" · {strings.CHOOSE_BEATEN.format(model=escape_markdown(item['beaten_by']))}"
                  if item.get("beaten_by") else "")
        serving = (f"{_amount(item.get('itl_median_ms'), ' ms')} | {_amount(item.get('j_per_output_token'), ' J')} | "
                   if served else "")
        lines.append(
            f"| {model_markdown(item['model_id'])}{_effort(item)}{beaten} | "
            f"{escape_markdown(item['configuration_key'])} | {format_wh(item['gpu_wh_per_1k_queries'])} | {latency} | "
            f"{serving}{_quality(item)} | {escape_markdown(item['hardware'])} |"
        )
    return "\n".join(lines)


def _amount(value: Any, unit: str) -> str:
    return f"{format_amount(value)}{unit}" if value is not None else "–"


def _figure(item: dict[str, Any], value: Any) -> str:
    if value is None:
        return "–"
    if item["limit"] == "latency":
        return format_seconds(value)
    unit = f" {item['unit']}" if item.get("unit") else ""
    return f"{format_amount(value)}{unit}"


def excluded_markdown(result: dict[str, Any]) -> str:
    """Each model left out, nearest miss first, with its figure and the limit in units; the models that have
    no figure for a limit are listed apart, after them."""
    if not result["excluded"]:
        return strings.CHOOSE_NONE_EXCLUDED
    missed = [item for item in result["excluded"] if item["figure"] is not None]
    absent = [item for item in result["excluded"] if item["figure"] is None]
    lines = []
    if missed:
        lines += [f"**{strings.CHOOSE_MISSED}**", "",
                  "| Model | Stopped by | Its figure | The limit | Miss | Hardware |", "|---|---|---:|---:|---:|---|"]
        for item in missed:
            miss = f"{format_amount(100 * item['miss'])} %" if item.get("miss") is not None else "–"
            lines.append(
                f"| {model_markdown(item['model_id'])}{_effort(item)} | {escape_markdown(item['reason'])} | "
                f"{_figure(item, item['figure'])} | {_figure(item, item['limit_value'])} | {miss} | "
                f"{escape_markdown(item['hardware'])} |"
            )
    if absent:
        lines += ["", f"**{strings.CHOOSE_ABSENT}**", "", "| Model | Missing | Hardware |", "|---|---|---|"]
        for item in absent:
            lines.append(f"| {model_markdown(item['model_id'])}{_effort(item)} | {escape_markdown(item['reason'])} | "
                         f"{escape_markdown(item['hardware'])} |")
    return "\n".join(lines)


def build_finder(ctx: AppContext, task: str) -> None:
    """The panel, inside the task tab being built."""
    declared = TASKS[task].quality
    with gr.Accordion(strings.CHOOSE_TITLE, open=False, elem_id=f"choose-{task}"):
        gr.Markdown(strings.CHOOSE_HELP)
        with gr.Row(equal_height=True):
            max_wh = gr.Textbox(label=strings.CHOOSE_MAX_WH, placeholder="no limit", max_lines=1,
                                elem_id=f"choose-max-wh-{task}")
            max_latency = gr.Textbox(label=strings.CHOOSE_MAX_LATENCY, placeholder="no limit", max_lines=1,
                                     elem_id=f"choose-max-latency-{task}")
            min_quality = gr.Textbox(
                label=strings.CHOOSE_MIN_QUALITY.format(label=declared.label) if declared else "",
                placeholder="no limit", max_lines=1, visible=declared is not None, elem_id=f"choose-quality-{task}",
            )
        served = "engine" in TASKS[task].options  # ML.ENERGY's limits, for the tasks measured as served
        with gr.Row(equal_height=True, visible=served):
            max_itl = gr.Textbox(label=strings.CHOOSE_MAX_ITL, placeholder="no limit", max_lines=1,
                                 elem_id=f"choose-max-itl-{task}")
            max_per_token = gr.Textbox(label=strings.CHOOSE_MAX_J_PER_TOKEN, placeholder="no limit", max_lines=1,
                                       elem_id=f"choose-max-j-per-token-{task}")
            configurations = gr.Radio(
                [(strings.CHOOSE_ANY, ANY_CONFIGURATION), (strings.CHOOSE_REFERENCE, "reference")],
                value=ANY_CONFIGURATION, label=strings.CHOOSE_CONFIGURATIONS, elem_id=f"choose-configurations-{task}",
            )
        find = gr.Button(strings.CHOOSE_BUTTON, variant="primary", size="sm", elem_id=f"choose-find-{task}")
        chosen = gr.Markdown(elem_id=f"choose-result-{task}")
        with gr.Accordion(strings.CHOOSE_EXCLUDED_TITLE, open=False, elem_id=f"choose-excluded-{task}"):
            excluded = gr.Markdown(elem_id=f"choose-excluded-rows-{task}")

    def run(wh: str, latency: str, quality: str, configuration: str, itl: str | None,
            per_token: str | None) -> tuple[str, str]:
        try:  # a hidden box (the served limits of a task no engine serves) may send None
            result = choose(ctx.data, task, wh.strip() or None, latency.strip() or None, quality.strip() or None,
                            configuration, max_itl_ms=(itl or "").strip() or None,
                            max_j_per_output_token=(per_token or "").strip() or None)
        except UserInputError as exc:
            return strings.error_message(exc), ""
        return chosen_markdown(result), excluded_markdown(result)

    inputs = [max_wh, max_latency, min_quality, configurations, max_itl, max_per_token]
    gr.on([find.click, max_wh.submit, max_latency.submit, min_quality.submit, max_itl.submit, max_per_token.submit],
          run, inputs, [chosen, excluded],
          **PRIVATE_EVENT)
