"""What an engine run adds to a result record (pure pydantic: the Space reads it).

``EngineSettings`` is how the model was served (in ``settings.engine``), ``ServingLatency`` the
latencies a visitor of a served model cares about, and ``SteadyState`` ML.ENERGY's steady-state figures:
GPU energy over the window in which the server ran at its batch, divided by the output tokens generated
in it. A steady state is **unstable** when its window is shorter than ``min_window_s`` or its mean
occupancy (running requests ÷ ``max_num_seqs``) is under ``MIN_OCCUPANCY``: kept and shown, never rated
or chosen.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from benchmark.validation import MAX_LIST_ITEMS, Count, NonNegativeFloat, PositiveCount, ShortText

PROTOCOLS = ("one-at-a-time", "steady-state")
ONE_AT_A_TIME, STEADY_STATE = PROTOCOLS
SERVERS = ("launched", "external")
LAUNCHED, EXTERNAL = SERVERS
# ML.ENERGY v3's data pipeline keeps a steady state of at least 20 s whose mean batch is ≥ 85 % of B
MIN_WINDOW_S = 20.0
MIN_OCCUPANCY = 0.85
# more running requests than the server admits can only be the client reading its streams late
MAX_OCCUPANCY = 1.05


class EngineSettings(BaseModel):
    """How the model was served: the engine, the protocol, and the server's own settings."""

    model_config = ConfigDict(extra="allow")

    name: Literal["vllm"] = "vllm"
    protocol: Literal["one-at-a-time", "steady-state"]
    # steady state: the server's most running requests (vLLM --max-num-seqs); None one at a time
    max_num_seqs: PositiveCount | None = None
    # launched by the runner, or a server the user already ran (``--engine-url``: AI Energy Score's way)
    server: Literal["launched", "external"] = "launched"
    dtype: ShortText | None = None
    max_model_len: PositiveCount | None = None
    tensor_parallel_size: PositiveCount | None = None
    # the NVML indices of the GPUs whose energy the figures sum (empty on a CPU)
    gpus: list[Count] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    # one at a time: the requests sent before the measured ones, not measured
    warmup_requests: Count = 0
    # chat completions through the model's chat template, or plain completions for a model without one
    api: Literal["chat", "completions"] = "chat"


class ServingLatency(BaseModel):
    """Latencies over every measured request (ms): time to first token, time per output token after the
    first, and inter-token latency (each chunk's gap spread evenly over the tokens it carries)."""

    ttft_median_ms: NonNegativeFloat
    ttft_p90_ms: NonNegativeFloat
    tpot_median_ms: NonNegativeFloat | None = None
    itl_median_ms: NonNegativeFloat | None = None
    itl_p90_ms: NonNegativeFloat | None = None
    itl_p99_ms: NonNegativeFloat | None = None


class SteadyState(BaseModel):
    """ML.ENERGY's steady state of one run at ``max_num_seqs`` (B) with ``requests`` (N) sent at once: the
    window runs from the moment B requests have their first token until N − B − 1 have finished."""

    max_num_seqs: PositiveCount
    requests: PositiveCount
    start_s: NonNegativeFloat  # from the moment the requests were sent
    duration_s: NonNegativeFloat
    output_tokens: Count  # generated within the window
    gpu_energy_j: NonNegativeFloat | None = None  # None on a CPU
    total_energy_j: NonNegativeFloat | None = None  # GPU + CPU + RAM (codecarbon's CPU and RAM)
    # GPU J per output token (on a CPU: CPU + RAM, the only energy there is)
    energy_per_output_token_j: NonNegativeFloat | None = None
    occupancy: NonNegativeFloat  # mean running requests in the window ÷ B
    occupancy_source: Literal["prometheus", "client"] = "client"
    itl_median_ms: NonNegativeFloat | None = None
    itl_p90_ms: NonNegativeFloat | None = None
    itl_p99_ms: NonNegativeFloat | None = None
    ttft_median_ms: NonNegativeFloat | None = None
    tpot_median_ms: NonNegativeFloat | None = None
    min_window_s: NonNegativeFloat = MIN_WINDOW_S
    stable: bool
    unstable_because: ShortText | None = None
