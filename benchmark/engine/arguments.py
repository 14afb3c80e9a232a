"""``benchmark run``'s engine arguments, their own rules, and what it prints of an engine record."""

from __future__ import annotations

import argparse
from typing import Any

from benchmark.engine.record import ONE_AT_A_TIME, PROTOCOLS, STEADY_STATE
from benchmark.errors import UserInputError


class EngineArgumentError(UserInputError):
    pass


def positive_list(text: str) -> tuple[int, ...]:
    """``8`` or ``8,16,64``: the batch sizes of a steady-state sweep (one record each)."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes positive integers separated by commas, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"takes positive integers separated by commas, got {text!r}")
    return tuple(dict.fromkeys(values))


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--protocol", choices=PROTOCOLS, help=(
        "with --engine: one-at-a-time (AI Energy Score's, the default) or steady-state (ML.ENERGY's, with "
        "--max-num-seqs B[,B2,...])"))
    parser.add_argument("--engine-url", help="measure a vLLM server you already run at this URL (nothing launched; "
                                             "--gpus names the GPUs it uses, default all)")
    parser.add_argument("--engine-port", type=int, help="the port of the launched server (default: a free one)")
    parser.add_argument("--min-window-s", type=float,
                        help="steady state: the shortest stable window in seconds (default: ML.ENERGY's 20)")


def batch_sizes(args: Any) -> tuple[int | None, ...]:
    """One run per ``--max-num-seqs`` value (a single run without one), after the protocol's rule."""
    sizes = tuple(getattr(args, "max_num_seqs", None) or ())
    protocol = getattr(args, "protocol", None)
    if protocol and not getattr(args, "engine", None):
        raise EngineArgumentError("--protocol applies to runs with --engine vllm only")
    if protocol == STEADY_STATE and not sizes:
        raise EngineArgumentError("--protocol steady-state needs --max-num-seqs B[,B2,...]: the server's batch")
    if protocol == ONE_AT_A_TIME and sizes:
        raise EngineArgumentError("--max-num-seqs is the steady state's batch: one-at-a-time sends one query at a time")
    return sizes or (None,)


def describe(record: Any) -> list[str]:
    """The lines ``benchmark run`` prints after an engine record's headline."""
    engine = record.settings.engine
    lines = [f"served by vLLM {record.software.vllm} ({engine.server} server), {engine.protocol}"
             + (f", max_num_seqs {engine.max_num_seqs}" if engine.max_num_seqs else "")]
    if record.serving is not None:
        itl = record.serving.itl_median_ms
        lines.append(f"TTFT median {record.serving.ttft_median_ms:.1f} ms"
                     + (f", ITL median {itl:.2f} ms" if itl is not None else ""))
    state = record.steady_state
    if state is not None:
        per_token = f"{state.energy_per_output_token_j:.4g} J per output token" \
            if state.energy_per_output_token_j is not None else "no energy per output token"
        lines.append(f"steady state: {per_token} over {state.duration_s:.1f} s, {state.output_tokens} tokens, "
                     f"occupancy {state.occupancy:.0%}: "
                     + ("stable" if state.stable else f"UNSTABLE ({state.unstable_because}); kept, never rated"))
    return lines
