"""The task registry: the ten AI Energy Score tasks and every variable that controls a run.

This module is data, not code paths: the runner, the submission form and the leaderboard all
read it, and adding an eleventh task is adding one entry to ``TASKS``. It imports nothing heavy
(no torch, no optimum-benchmark) so the Space can read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from benchmark.errors import UserInputError
from benchmark.quality import benchmarks as quality_benchmarks

NUM_SAMPLES = 1000
BATCH_SIZE = 1
NEW_TOKENS = 10
# optimum-benchmark's energy_star default for generate() tasks, made explicit: transcripts are
# forced to this length so every ASR model does the same amount of decoding.
ASR_NEW_TOKENS = 100
# AI Energy Score v2's cap on a reasoning answer (thinking included)
REASONING_MAX_NEW_TOKENS = 8192
DENOISING_STEPS = 30
IMAGE_SIZE_PX = 512
AUDIO_SAMPLING_RATE_HZ = 16_000

# The run options a task admits by default (see ``benchmark.configuration.OPTIONS``); the task's
# own settings are the reference configuration.
MODEL_OPTIONS = ("dtype", "batch_size", "attn_implementation", "torch_compile", "quantization")
PIPELINE_OPTIONS = ("dtype", "batch_size")
ZERO_SHOT_OPTIONS = (*MODEL_OPTIONS, "zero_shot")
# language models may also be measured as served (``benchmark.engine``)
SERVED_OPTIONS = ("engine", "max_num_seqs")


@dataclass(frozen=True)
class TaskSpec:
    """One benchmark task.

    ``columns`` maps optimum-benchmark's ``EnergyStarConfig`` column options (``text_column_name``,
    ``question_column_name``...) to the dataset's column names; ``scenario_options`` are any other
    ``EnergyStarConfig`` options the task needs. ``inference_phases`` are the phases of
    optimum-benchmark's report that make up the score, after ``preprocess``: ``prefill`` and
    ``decode`` for every task optimum-benchmark runs with ``generate()``.
    """

    key: str
    display_name: str
    ob_task: str
    modality: str
    description: str
    dataset_id: str
    dataset_split: str
    columns: Mapping[str, str]
    inference_phases: tuple[str, ...]
    query_unit: str
    pipeline_tags: tuple[str, ...]
    max_params: int
    library: str = "transformers"
    dtype: str = "float32"
    num_samples: int = NUM_SAMPLES
    batch_size: int = BATCH_SIZE
    generate_kwargs: Mapping[str, Any] = field(default_factory=dict)
    call_kwargs: Mapping[str, Any] = field(default_factory=dict)
    sampling_rate_hz: int | None = None
    size_classes: bool = False
    scenario_options: Mapping[str, Any] = field(default_factory=dict)
    # the options a run may change (names of ``benchmark.configuration.OPTIONS``)
    options: tuple[str, ...] = MODEL_OPTIONS
    # optimum-benchmark ``energy_star`` options of zero-shot text-to-text prompting (``t5_task`` and
    # its dataset prefixes), for tasks that admit ``zero_shot``
    zero_shot_prompt: Mapping[str, str] = field(default_factory=dict)
    # what the energy buys: the quality benchmark figures on this task's board are compared on (None: none yet)
    quality: quality_benchmarks.QualityBenchmark | None = None

    @property
    def reasoning(self) -> bool:
        """Thinking on at natural length: the runner's reasoning scenario, effort levels, a token cap."""
        return bool(self.scenario_options.get("reasoning"))

    @property
    def dataset_columns(self) -> tuple[str, ...]:
        return tuple(self.columns.values())

    def control_variables(self) -> dict[str, Any]:
        """The fixed settings of this task, by name with units, as shown to users."""
        controls: dict[str, Any] = {
            "num_samples": self.num_samples,
            "batch_size": self.batch_size,
            "dtype": self.dtype,
        }
        if "min_new_tokens" in self.generate_kwargs:
            controls["new_tokens"] = self.generate_kwargs["max_new_tokens"]
        elif "max_new_tokens" in self.generate_kwargs:
            # natural length (reasoning): generation stops at end of sequence or at this cap
            controls["max_new_tokens"] = self.generate_kwargs["max_new_tokens"]
        if "num_inference_steps" in self.call_kwargs:
            controls["denoising_steps"] = self.call_kwargs["num_inference_steps"]
        if "height" in self.call_kwargs:
            controls["image_height_px"] = self.call_kwargs["height"]
            controls["image_width_px"] = self.call_kwargs["width"]
        if self.sampling_rate_hz is not None:
            controls["sampling_rate_hz"] = self.sampling_rate_hz
        return controls


_GENERATE_10_TOKENS = MappingProxyType({"max_new_tokens": NEW_TOKENS, "min_new_tokens": NEW_TOKENS})

_ENTRIES = (
    TaskSpec(
        key="text_generation",
        quality=quality_benchmarks.OPEN_LLM_LEADERBOARD_V2,
        display_name="Text Generation",
        ob_task="text-generation",
        modality="text",
        description="Continue a prompt (chat and completion models).",
        dataset_id="EnergyStarAI/text_generation",
        dataset_split="train",
        columns={"text_column_name": "text"},
        inference_phases=("prefill", "decode"),
        query_unit="prompt",
        pipeline_tags=("text-generation", "text2text-generation", "image-text-to-text"),
        max_params=70_000_000_000,
        dtype="float16",
        generate_kwargs=_GENERATE_10_TOKENS,
        size_classes=True,
        options=(*MODEL_OPTIONS, *SERVED_OPTIONS),
    ),
    TaskSpec(
        key="reasoning",
        quality=quality_benchmarks.GPQA_DIAMOND,
        display_name="Reasoning",
        ob_task="text-generation",
        modality="text",
        description="Answer a prompt with the model's thinking mode on, at natural length (up to 8,192 new tokens).",
        # AI Energy Score v2's reasoning prompts (its batch runner's default dataset)
        dataset_id="scottcha/reasoning_text_generation",
        dataset_split="train",
        columns={"text_column_name": "text"},
        inference_phases=("prefill", "decode"),
        query_unit="prompt",
        pipeline_tags=("text-generation", "image-text-to-text"),
        max_params=1_000_000_000_000,
        dtype="bfloat16",
        # no min_new_tokens: natural length, stopped by the model's end of sequence or this cap
        generate_kwargs=MappingProxyType({"max_new_tokens": REASONING_MAX_NEW_TOKENS}),
        size_classes=True,
        # the runner's natural-length scenario (benchmark.runner.reasoning) with the thinking switch on
        scenario_options=MappingProxyType({"reasoning": True}),
        options=("dtype", "attn_implementation", "torch_compile", "quantization", *SERVED_OPTIONS),
    ),
    TaskSpec(
        key="summarization",
        quality=quality_benchmarks.CNN_DAILYMAIL,
        display_name="Summarization",
        # optimum-benchmark 0.6 runs "summarization" as a single forward pass; its text2text
        # task generates, which is what a summary costs.
        ob_task="text2text-generation",
        modality="text",
        description="Summarize a news article.",
        dataset_id="EnergyStarAI/summarization",
        dataset_split="train",
        columns={"text_column_name": "text"},
        inference_phases=("prefill", "decode"),
        query_unit="article",
        pipeline_tags=("summarization", "text2text-generation"),
        max_params=20_000_000_000,
        generate_kwargs=_GENERATE_10_TOKENS,
        scenario_options=MappingProxyType({"t5_task": "summarization"}),
        options=ZERO_SHOT_OPTIONS,
        zero_shot_prompt=MappingProxyType({"t5_task": "summarization", "dataset_prefix1": "summarize: "}),
    ),
    TaskSpec(
        key="question_answering",
        quality=quality_benchmarks.SQUAD_V2,
        display_name="Extractive Question Answering",
        ob_task="question-answering",
        modality="text",
        description="Find the answer to a question in a given context.",
        dataset_id="EnergyStarAI/extractive_qa",
        dataset_split="train",
        columns={"question_column_name": "question", "context_column_name": "context"},
        inference_phases=("forward",),
        query_unit="question",
        pipeline_tags=("question-answering",),
        max_params=20_000_000_000,
        options=ZERO_SHOT_OPTIONS,
        zero_shot_prompt=MappingProxyType(
            {"t5_task": "question_answering", "dataset_prefix1": "question: ", "dataset_prefix2": " context: "}
        ),
    ),
    TaskSpec(
        key="text_classification",
        quality=quality_benchmarks.SST2,
        display_name="Text Classification",
        ob_task="text-classification",
        modality="text",
        description="Label a text (sentiment, topic...).",
        dataset_id="EnergyStarAI/text_classification",
        dataset_split="train",
        columns={"text_column_name": "text"},
        inference_phases=("forward",),
        query_unit="text",
        pipeline_tags=("text-classification", "zero-shot-classification"),
        max_params=20_000_000_000,
        options=ZERO_SHOT_OPTIONS,
        zero_shot_prompt=MappingProxyType({"t5_task": "text_classification", "dataset_prefix1": "sst2 sentence: "}),
    ),
    TaskSpec(
        key="sentence_similarity",
        quality=quality_benchmarks.MTEB_STSBENCHMARK,
        display_name="Sentence Similarity",
        ob_task="sentence-similarity",
        modality="text",
        description="Score how similar two sentences are (embedding models).",
        dataset_id="EnergyStarAI/sentence_similarity",
        dataset_split="train",
        columns={"sentence1_column_name": "sentence1", "sentence2_column_name": "sentence2"},
        inference_phases=("forward",),
        query_unit="sentence pair",
        pipeline_tags=("sentence-similarity", "feature-extraction"),
        max_params=20_000_000_000,
    ),
    TaskSpec(
        key="image_classification",
        quality=quality_benchmarks.IMAGENET_1K_VAL,
        display_name="Image Classification",
        ob_task="image-classification",
        modality="image",
        description="Label an image.",
        dataset_id="EnergyStarAI/image_classification",
        dataset_split="train",
        columns={"image_column_name": "image"},
        inference_phases=("forward",),
        query_unit="image",
        pipeline_tags=("image-classification",),
        max_params=20_000_000_000,
    ),
    TaskSpec(
        key="object_detection",
        quality=quality_benchmarks.COCO_VAL2017,
        display_name="Object Detection",
        ob_task="object-detection",
        modality="image",
        description="Find and label the objects in an image.",
        dataset_id="EnergyStarAI/object_detection",
        dataset_split="train",
        columns={"image_column_name": "image"},
        inference_phases=("forward",),
        query_unit="image",
        pipeline_tags=("object-detection",),
        max_params=20_000_000_000,
    ),
    TaskSpec(
        key="automatic_speech_recognition",
        quality=quality_benchmarks.LIBRISPEECH_TEST_CLEAN,
        display_name="Automatic Speech Recognition",
        ob_task="automatic-speech-recognition",
        modality="audio",
        description="Transcribe speech to text.",
        dataset_id="EnergyStarAI/ASR",
        dataset_split="train",
        columns={"audio_column_name": "audio"},
        inference_phases=("prefill", "decode"),
        query_unit="recording",
        pipeline_tags=("automatic-speech-recognition",),
        max_params=20_000_000_000,
        generate_kwargs=MappingProxyType({"max_new_tokens": ASR_NEW_TOKENS, "min_new_tokens": ASR_NEW_TOKENS}),
        sampling_rate_hz=AUDIO_SAMPLING_RATE_HZ,
    ),
    TaskSpec(
        key="image_to_text",
        quality=quality_benchmarks.COCO_KARPATHY_TEST,
        display_name="Image Captioning",
        ob_task="image-to-text",
        modality="image",
        description="Describe an image in words.",
        dataset_id="EnergyStarAI/image_captioning",
        dataset_split="train",
        columns={"image_column_name": "image"},
        inference_phases=("prefill", "decode"),
        query_unit="image",
        pipeline_tags=("image-to-text", "image-text-to-text"),
        max_params=20_000_000_000,
        generate_kwargs=_GENERATE_10_TOKENS,
    ),
    TaskSpec(
        key="text_to_image",
        display_name="Image Generation",
        ob_task="text-to-image",
        modality="text→image",
        description="Generate an image from a prompt (diffusion pipelines).",
        dataset_id="EnergyStarAI/image_generation",
        dataset_split="train",
        columns={"text_column_name": "prompt"},
        inference_phases=("call",),
        query_unit="image",
        pipeline_tags=("text-to-image",),
        max_params=20_000_000_000,
        library="diffusers",
        options=PIPELINE_OPTIONS,
        call_kwargs=MappingProxyType(
            {"num_inference_steps": DENOISING_STEPS, "height": IMAGE_SIZE_PX, "width": IMAGE_SIZE_PX}
        ),
    ),
)

TASKS: Mapping[str, TaskSpec] = MappingProxyType({spec.key: spec for spec in _ENTRIES})
TASK_KEYS: tuple[str, ...] = tuple(TASKS)

REASONING_EFFORTS = ("low", "medium", "high")


@dataclass(frozen=True)
class ThinkingSwitch:
    """How one family of chat templates turns thinking on, recognised by ``marker`` in the template's
    text (not by the model's name): keyword arguments for the template, or a system prompt. A family
    with ``efforts`` takes a reasoning effort (measured and rated once per level)."""

    family: str
    marker: str
    template_kwargs: Mapping[str, Any] = field(default_factory=dict)
    system_prompt: str | None = None
    efforts: tuple[str, ...] = ()
    default_effort: str | None = None
    effort_kwarg: str | None = None


# First match wins: a Qwen3 template also mentions <think>, so the explicit switches come first.
THINKING_SWITCHES: tuple[ThinkingSwitch, ...] = (
    ThinkingSwitch("harmony (gpt-oss)", "reasoning_effort", efforts=REASONING_EFFORTS, default_effort="medium",
                   effort_kwarg="reasoning_effort"),
    # SmolLM3's template reads enable_thinking too (and a /think system prompt): the keyword is enough
    ThinkingSwitch("enable_thinking (Qwen3, SmolLM3)", "enable_thinking", MappingProxyType({"enable_thinking": True})),
    ThinkingSwitch("/think system prompt (Hunyuan)", "/think", system_prompt="/think"),
    ThinkingSwitch("thinks by default (DeepSeek-R1 distills)", "<think>"),
)


def _default_reasoning_effort() -> str:
    defaults = {switch.default_effort for switch in THINKING_SWITCHES if switch.efforts}
    if len(defaults) != 1:  # a request without a level is only unambiguous while the families agree
        raise ValueError(f"THINKING_SWITCHES: the families with effort levels disagree on the default: {defaults}")
    return defaults.pop()


# What a model with effort levels runs at when a request names none (so such a request and one for
# this level are the same run); a model without levels refuses any level when its request runs.
DEFAULT_REASONING_EFFORT = _default_reasoning_effort()


def same_reasoning_effort(a: str | None, b: str | None) -> bool:
    """Whether two requests' effort levels make the same run (no level = the default level)."""
    return (a or DEFAULT_REASONING_EFFORT) == (b or DEFAULT_REASONING_EFFORT)


def thinking_switch(chat_template: str) -> ThinkingSwitch | None:
    """The thinking switch a chat template's text shows; None when it shows none this table knows."""
    return next((switch for switch in THINKING_SWITCHES if switch.marker in chat_template), None)


# AI Energy Score's text-generation size classes, by parameter count (upper bounds inclusive).
SIZE_CLASS_BOUNDS: tuple[tuple[str, float], ...] = (
    ("A", 20e9),
    ("B", 66e9),
    ("C", float("inf")),
)


class UnknownTaskError(UserInputError):
    pass


def get_task(key: str) -> TaskSpec:
    """The task registered under ``key``; a one-line error naming the known keys otherwise."""
    try:
        return TASKS[key]
    except KeyError:
        raise UnknownTaskError(f"unknown task {key!r}: choose one of {', '.join(TASK_KEYS)}") from None


def size_class(params: float | None) -> str | None:
    """AI Energy Score's size class (A ≤ 20B, B ≤ 66B, C > 66B parameters); None if unknown."""
    if params is None or params != params or params <= 0:
        return None
    for name, upper in SIZE_CLASS_BOUNDS:
        if params <= upper:
            return name
    return None


def format_param_count(params: float, decimals: int | None = None) -> str:
    """A parameter count as people say it: ``7.24B``, ``110M`` (3 significant digits), or with
    ``decimals`` fixed digits after the point (``1.5B``, ``110.0M``). Lives beside the size limits
    it phrases; the leaderboard's ``display.formats.format_params`` is this function."""
    value, unit = (params / 1e9, "B") if params >= 1e9 else (params / 1e6, "M")
    return f"{value:.{decimals}f}{unit}" if decimals is not None else f"{value:.3g}{unit}"
