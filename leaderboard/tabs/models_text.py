"""The Models tab's text: the model page, a comparison and the trade-off frontier as Markdown.

Everything from a record (ids, hardware, versions, sources) goes through ``escape_markdown`` or
``model_markdown``/``source_markdown``: shown as text, never parsed as HTML or Markdown.
"""

from __future__ import annotations

from typing import Any

from benchmark.configuration import REFERENCE_KEY, ZERO_SHOT_KEY
from leaderboard.display import strings
from leaderboard.display.formats import (
    escape_markdown,
    format_amount,
    format_params,
    format_seconds,
    format_wh,
    model_markdown,
    source_markdown,
)
from leaderboard.display.reasoning import on_off_sentences_markdown
from leaderboard.views.equivalences import GridIntensity, everyday_text, get_grid

STAR_FILLED, STAR_EMPTY = "★", "☆"
SOFTWARE_NAMES = {
    "optimum_benchmark": "optimum-benchmark",
    "transformers": "transformers",
    "diffusers": "diffusers",
    "torch": "torch",
    "codecarbon": "codecarbon",
    "python": "Python",
}


def stars_markdown(stars: int | None, flag: str | None) -> str:
    if not stars:
        return f"**not rated** ({escape_markdown(flag)})" if flag else "**not rated**"
    return f"**{STAR_FILLED * stars}{STAR_EMPTY * (5 - stars)}** {stars} of 5 stars"


def rank_markdown(entry: dict[str, Any]) -> str:
    if entry["rank"] is None:
        return "no rank (unrated)"
    return f"**rank {entry['rank']} of {entry['rank_of']}** among {escape_markdown(entry['rank_among'])}"


def energy_markdown(entry: dict[str, Any]) -> str:
    text = f"**{format_wh(entry['gpu_wh_per_1k_queries'])} Wh**"
    if entry["gpu_wh_per_1k_queries_std"] is not None:
        spread = format_wh(entry["gpu_wh_per_1k_queries_std"])
        text += f" ± {spread} (sample std, n − 1, over {entry['n_repeats']} runs)"
    elif entry["n_repeats"] == 1:
        text += " (one run: no spread)"
    return text


def output_token_facts(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """How much the model talked, where the run counted it (generation tasks)."""
    facts = []
    tokens = entry.get("output_tokens")
    if tokens:
        facts.append((
            "Output tokens per query",
            f"{format_amount(tokens['per_query_mean'])} mean, {format_amount(tokens['per_query_median'])} median, "
            f"{format_amount(tokens['per_query_p95'])} at the 95th percentile; "
            f"{tokens['queries_at_cap']} of {tokens['queries']} queries hit the cap",
        ))
    elif entry.get("output_tokens_per_query") is not None:
        facts.append(("Output tokens per query", f"{format_amount(entry['output_tokens_per_query'])} mean"))
    if entry.get("gpu_wh_per_1k_output_tokens") is not None:
        facts.append(("GPU energy per 1,000 output tokens", f"{format_wh(entry['gpu_wh_per_1k_output_tokens'])} Wh"))
    return facts


def latency_markdown(entry: dict[str, Any]) -> str:
    if entry["latency_s_per_query"] is None:
        return "not measured"
    return (
        f"{format_seconds(entry['latency_s_per_query'])} per query ({format_amount(entry['queries_per_s'])} queries/s)"
    )


def _hardware_markdown(entry: dict[str, Any]) -> str:
    details = entry["hardware_details"]
    parts = [escape_markdown(entry["hardware"])]
    for key, name in (("gpu_memory_mib", "MiB"), ("gpu_power_limit_w", "W power limit")):
        if key in details:
            parts.append(f"{escape_markdown(details[key])} {name}")
    for key, name in (("driver_version", "driver"), ("cuda_version", "CUDA"), ("cpu_model", "CPU")):
        if key in details and not (key == "cpu_model" and entry["hardware"].startswith("CPU")):
            parts.append(f"{name} {escape_markdown(details[key])}")
    return " · ".join(parts)


def _software_markdown(software: dict[str, Any]) -> str:
    if not software:
        return "not recorded"
    return " · ".join(f"{escape_markdown(SOFTWARE_NAMES.get(k, k))} {escape_markdown(v)}" for k, v in software.items())


def phases_markdown(phases: list[dict[str, Any]]) -> str:
    """The phase table; the score is the sum of the GPU column."""
    lines = [
        "| Phase | GPU Wh / 1,000 queries | Share of GPU energy | CPU + RAM Wh / 1,000 queries "
        "| Latency per query | Throughput |",
        "|---|---|---|---|---|---|",
    ]
    for phase in phases:
        share = f"{phase['share_of_gpu'] * 100:.0f}%" if phase["share_of_gpu"] is not None else "–"
        throughput = "–"
        if phase["throughput"] is not None:
            unit = escape_markdown(phase["throughput_unit"] or "per s")
            throughput = f"{format_amount(phase['throughput'])} {unit}"
        lines.append(
            f"| {escape_markdown(phase['phase_name'])} | {format_wh(phase['gpu_wh_per_1k_queries'])} | {share} | "
            f"{format_wh(phase['cpu_wh_per_1k_queries'] + phase['ram_wh_per_1k_queries'])} | "
            f"{format_seconds(phase['latency_s_per_query'])} | {throughput} |"
        )
    return "\n".join(lines)


def _params_text(params: int | None, size_class: str | None) -> str:
    if params is None:
        return "unknown"
    size = format_params(params)
    return f"{size} (size class {escape_markdown(size_class)})" if size_class else size


def quality_markdown(item: dict[str, Any] | None) -> str:
    """A quality figure with its metric and where it comes from: "91.3 SST-2 accuracy (%) ↑ — published, <source>"."""
    if item is None:
        return strings.NO_QUALITY_FIGURE
    partial = f" (first {item['limit']} examples only: not compared)" if item.get("limit") else ""
    if item.get("off_reference_because"):
        partial += f" ({escape_markdown(item['off_reference_because'])}: not compared)"
    return (
        f"**{format_amount(item['value'])}** {escape_markdown(item['label'])}{partial} — "
        f"{escape_markdown(item['provenance'])}, {source_markdown(item['source'])}"
    )


def quality_facts(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The model page's quality rows: the figure the board compares, then any other figure."""
    facts = [("Quality", quality_markdown(entry.get("quality")))]
    for item in entry.get("other_quality") or []:
        facts.append((strings.OTHER_QUALITY_FIGURE, quality_markdown(item)))
    return facts


def provenance_markdown(entry: dict[str, Any]) -> str:
    """Who stands behind the figure, what the submitter stated, and what reproductions found."""
    text = escape_markdown(entry.get("provenance") or "measured")
    attestation = entry.get("attestation")
    if attestation:
        text += (f" by {escape_markdown(attestation['by'])} on {escape_markdown(attestation['at'][:10])}, who "
                 f"stated: {escape_markdown(' '.join(attestation['statements']))}")
    verification = entry.get("verification")
    if verification:
        checks = "; ".join(
            f"run {escape_markdown(c['run_id'])}: {format_wh(c['reproduction_wh'])} against "
            f"{format_wh(c['original_wh'])} ({c['ratio']:.3f}×, {'agrees' if c['agrees'] else 'disagrees'})"
            for c in verification["reproductions"])
        badge = strings.VERIFICATION_BADGES.get(verification["status"], "")
        text += f" · {badge} by a reproduction on the same GPU model ({checks})"
    return text


def serving_markdown(serving: dict[str, Any]) -> str:
    """How an engine served the model, with ML.ENERGY's figures: J per output token and median ITL."""
    protocol = serving["protocol"] + (f", max_num_seqs {serving['max_num_seqs']}" if serving["max_num_seqs"] else "")
    parts = [f"{escape_markdown(serving['engine'])} ({protocol}; {serving['server']} server)"]
    if serving["j_per_output_token"] is not None:
        parts.append(f"{format_amount(serving['j_per_output_token'])} GPU J per output token")
    if serving["itl_median_ms"] is not None:
        parts.append(f"median ITL {format_amount(serving['itl_median_ms'])} ms")
    if serving["ttft_median_ms"] is not None:
        parts.append(f"median TTFT {format_amount(serving['ttft_median_ms'])} ms")
    if serving["stable"] is not None:
        window = f"steady state over {format_amount(serving['window_s'])} s at {serving['occupancy']:.0%} occupancy"
        parts.append(window if serving["stable"] else
                     f"⚠ **{strings.SERVED_UNSTABLE}**: {escape_markdown(serving['unstable_because'] or '')}")
    return " · ".join(parts)


def configuration_markdown(entry: dict[str, Any]) -> str:
    """How the run was made: the reference (rated) or its configuration (unrated, with the stars it
    would earn), and why a run on a few samples or another dataset stands apart."""
    key = entry.get("configuration_key") or REFERENCE_KEY
    text = strings.REFERENCE_RUN_TEXT if key == REFERENCE_KEY else strings.OTHER_RUN_TEXT.format(
        key=escape_markdown(key)
    )
    if entry.get("would_be_stars"):
        text += " · " + strings.WOULD_BE_STARS.format(stars=STAR_FILLED * entry["would_be_stars"])
    if entry.get("not_comparable_because"):
        text += " · " + strings.NOT_COMPARABLE.format(reason=escape_markdown(entry["not_comparable_because"]))
    return text


def entry_markdown(entry: dict[str, Any], grid: GridIntensity) -> str:
    """One task of the model page."""
    effort = f" (effort {escape_markdown(entry['reasoning_effort'])})" if entry.get("reasoning_effort") else ""
    title = f"### {escape_markdown(entry['task_name'])}{effort} · {escape_markdown(entry['hardware'])}"
    key = entry.get("configuration_key") or REFERENCE_KEY
    if key not in (REFERENCE_KEY, ZERO_SHOT_KEY):  # zero-shot alone shows as its badge, as on the board
        title += " · " + strings.CONFIGURATION_BADGE.format(key=escape_markdown(key))
    if entry.get("zero_shot"):
        title += " · " + strings.ZERO_SHOT_BADGE
    rows = [
        ("Run configuration", configuration_markdown(entry)),
        ("GPU energy per 1,000 queries", energy_markdown(entry)),
        ("Everyday scale", escape_markdown(everyday_text(entry["gpu_wh_per_1k_queries"], grid))),
        *quality_facts(entry),
    ]
    rows += output_token_facts(entry)
    if entry.get("serving"):
        rows.append(("Served", serving_markdown(entry["serving"])))
    if entry["total_wh_per_1k_queries"] is not None:
        shared = entry.get("total_shared_with") or 0
        note = strings.TOTAL_SHARED_NOTE.format(others=shared) if shared else ""
        rows.append(
            ("Total energy (GPU + CPU + RAM)",
             f"{format_wh(entry['total_wh_per_1k_queries'])} Wh per 1,000 queries{note}")
        )
    rows += [
        ("Latency", latency_markdown(entry)),
        ("Parameters", _params_text(entry["params"], entry["size_class"])),
        ("Hardware", _hardware_markdown(entry)),
        ("Software", _software_markdown(entry["software"])),
        ("Measured", f"{entry['created_at'][:10]} · run {escape_markdown(entry['run_id'])}"),
        ("Provenance", provenance_markdown(entry)),
        ("Stars from", escape_markdown(entry.get("release") or "")),
        ("Source", source_markdown(entry["source"])),
    ]
    facts = "\n".join(f"- **{name}:** {value}" for name, value in rows)
    rating = f"{stars_markdown(entry['stars'], entry['rating_flag'])} · {rank_markdown(entry)}"
    if entry.get("warning"):
        rating += f" · ⚠ **{escape_markdown(entry['warning'])}**"
    parts = [title, rating, facts]
    if entry["phases"]:
        samples = entry["num_samples"]
        parts.append(f"**Phases** (mean over runs of {samples} samples; the score is the sum of the GPU column)")
        parts.append(phases_markdown(entry["phases"]))
    else:
        parts.append(strings.PUBLISHED_NOTE)
    return "\n\n".join(parts)


def model_page_markdown(page: dict[str, Any]) -> str:
    grid = get_grid(page["grid"])
    provider = escape_markdown(page["provider"]) if page["provider"] else "not given in the model id"
    n = len(page["entries"])
    head = (
        f"## {model_markdown(page['model_id'])}\n"
        f"Provider: **{provider}** · {n} result{'s' if n != 1 else ''} · "
        f"CO₂e on the {escape_markdown(grid.name)} grid ({grid.g_co2e_per_kwh:g} g/kWh; sources in About)"
    )
    parts = [head, *(entry_markdown(entry, grid) for entry in page["entries"])]
    if page.get("reasoning_on_off"):
        parts.append(on_off_sentences_markdown(page["reasoning_on_off"]))
    if page.get("history"):
        parts.append(history_markdown(page["history"]))
    return "\n\n".join(parts)


def history_markdown(history: list[dict[str, Any]]) -> str:
    """The model across releases: one table row per release entry (provisional ones marked)."""
    lines = [
        f"### {strings.HISTORY_TITLE}",
        "| Release | Task | Hardware | GPU Wh / 1,000 queries | Stars |",
        "|---|---|---|---|---|",
    ]
    for item in history:
        stars = stars_markdown(item["stars"], None) + (" (provisional)" if item["provisional"] else "")
        lines.append(
            f"| {escape_markdown(item['release'])} | {escape_markdown(item['task'])} | "
            f"{escape_markdown(item['hardware'])} | {format_wh(item['gpu_wh_per_1k_queries'])} | {stars} |"
        )
    return "\n".join(lines)


def _column(rows: list[dict[str, Any]], render: Any) -> str:
    return " | ".join(render(row) for row in rows)


def compare_markdown(result: dict[str, Any]) -> str:
    """The comparison: the ratio sentences, then one column per model."""
    if not result["rows"]:
        return f"**{escape_markdown(result['message'])}**"
    grid = get_grid(result["grid"])
    rows = result["rows"]
    title = f"### {escape_markdown(_task_name(result))} on {escape_markdown(result['hardware'])}"
    sentences = [f"- **{escape_markdown(r['sentence'])}**" for r in result["ratios"]]
    if result["message"]:
        sentences.append(f"- {escape_markdown(result['message'])}")
    phase_names = [p["phase"] for p in rows[0]["phases"]] if all(r["phases"] for r in rows) else []
    lines = [
        "| | " + _column(rows, _model_header) + " |",
        "|---|" + "---|" * len(rows),
        "| Stars | " + _column(rows, lambda r: stars_markdown(r["stars"], r["rating_flag"])) + " |",
        "| Rank | " + _column(rows, lambda r: f"{r['rank']} of {r['rank_of']}" if r["rank"] else "unrated") + " |",
        "| GPU Wh / 1,000 queries | " + _column(rows, energy_markdown) + " |",
        "| Everyday scale | "
        + _column(rows, lambda r: escape_markdown(everyday_text(r["gpu_wh_per_1k_queries"], grid)))
        + " |",
        "| Latency | " + _column(rows, latency_markdown) + " |",
        "| Quality | " + _column(rows, lambda r: quality_markdown(r.get("quality"))) + " |",
    ]
    for name in phase_names:
        label = escape_markdown(next(p["phase_name"] for p in rows[0]["phases"] if p["phase"] == name))
        lines.append(f"| Phase: {label} (GPU Wh / 1k) | " + _column(rows, lambda r, n=name: _phase_wh(r, n)) + " |")
    others = [s for s in result["shared"] if (s["task"], s["hardware"]) != (result["task"], result["hardware"])]
    parts = [title, "\n".join(sentences), "\n".join(lines)]
    if others:
        listing = "; ".join(f"{escape_markdown(s['task_name'])} on {escape_markdown(s['hardware'])}" for s in others)
        parts.append(f"*Also shared: {listing}. Pick the task above to switch.*")
    return "\n\n".join(parts)


def _model_header(row: dict[str, Any]) -> str:
    effort = row.get("reasoning_effort")
    return model_markdown(row["model_id"]) + (f" ({escape_markdown(effort)} effort)" if effort else "")


def _phase_wh(row: dict[str, Any], name: str) -> str:
    for phase in row["phases"]:
        if phase["phase"] == name:
            return format_wh(phase["gpu_wh_per_1k_queries"])
    return "–"


def _task_name(result: dict[str, Any]) -> str:
    return next(s["task_name"] for s in result["shared"] if s["task"] == result["task"])


def frontier_markdown(view: dict[str, Any]) -> str:
    """The frontier's models, fastest first, and what was left out."""
    points = {p["model_id"]: p for p in view["points"]}
    lines = []
    if not points:
        more = (f" {view['n_other_hardware']} more result(s) on other hardware: pick it above."
                if view.get("n_other_hardware") else "")
        return strings.TRADEOFF_EMPTY + more
    if view["frontier"]:
        lines.append(
            "**Pareto frontier** — no other model on this hardware is both faster and more frugal (fastest first):"
        )
        for position, model_id in enumerate(view["frontier"], start=1):
            point = points[model_id]
            lines.append(
                f"{position}. {model_markdown(model_id)} — {format_seconds(point['latency_s_per_query'])} per query, "
                f"{format_wh(point['gpu_wh_per_1k_queries'])} Wh per 1,000 queries"
            )
    else:
        lines.append("*No result of this task has both a measured latency and a GPU energy on this hardware yet.*")
    if view["note"]:
        lines.append(f"\n*{escape_markdown(view['note'])}*")
    if view["n_other_hardware"]:
        n = view["n_other_hardware"]
        lines.append(f"*{n} more result{'s were' if n > 1 else ' was'} measured on other hardware: pick it above.*")
    return "\n".join(lines)
