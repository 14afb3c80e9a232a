"""Run configurations: how a model was run is part of what was measured.

Light contract (pydantic only, no torch), read by the runner, the queue and the leaderboard. A task
of the registry says which options a run may change (``TaskSpec.options``) and its defaults are the
**reference configuration**. A run's ``RunConfiguration`` holds the overrides actually applied and
a stable, readable ``key`` (``"reference"``, ``"batch_size=8"``, ``"dtype=bfloat16+attn=sdpa"``).

Settings that are not a configuration choice (fewer samples than the task's, another dataset or
split) make a record *not comparable*: it is kept and shown on the model's page, never rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict

from benchmark.errors import UserInputError
from benchmark.tasks import REASONING_EFFORTS, TaskSpec
from benchmark.validation import PositiveCount, ShortText

REFERENCE_KEY = "reference"
ALL_CONFIGURATIONS = "all"
ZERO_SHOT_KEY = "zero_shot"  # the key of a run whose only override is zero-shot prompting
ENGINES = ("vllm",)
# what an engine run may change besides the engine: the server's dtype and, at steady state, its batch
ENGINE_OPTIONS = ("engine", "max_num_seqs", "dtype")

DTYPES = ("float32", "float16", "bfloat16")
ATTN_IMPLEMENTATIONS = ("eager", "sdpa", "flash_attention_2")
# Weight quantization methods: bitsandbytes needs CUDA; torchao int8 weight-only runs on a CPU too.
QUANTIZATIONS = ("bnb-4bit", "bnb-8bit", "torchao-int8wo")
CUDA_ONLY_QUANTIZATIONS = ("bnb-4bit", "bnb-8bit")
# float16 on a CPU is unsupported for many ops or orders of magnitude slower: the reference's
# float16 falls back to float32 there (recorded as the configuration's ``fallback``).
CPU_FALLBACK_DTYPES = {"float16": "float32"}
# new tokens a zero-shot (text-to-text) run generates: the task's own figure where it has one
ZERO_SHOT_NEW_TOKENS = 10


@dataclass(frozen=True)
class Option:
    """One option a run may change: its CLI flag, its name in keys, the values it takes."""

    name: str
    flag: str
    key_name: str
    values: tuple[str, ...] | None  # None: a positive integer (batch size) or a switch
    switch: bool = False
    description: str = ""
    many: bool = False  # the command line takes several values (one run each), e.g. --max-num-seqs 8,64


OPTIONS: tuple[Option, ...] = (
    Option("dtype", "--dtype", "dtype", DTYPES, description="weights and activations dtype"),
    Option("batch_size", "--batch-size", "batch_size", None, description="queries per forward pass"),
    Option("attn_implementation", "--attn-implementation", "attn", ATTN_IMPLEMENTATIONS,
           description="attention kernel"),
    Option("torch_compile", "--torch-compile", "torch_compile", None, switch=True,
           description="compile the model's forward with torch.compile"),
    Option("quantization", "--quantization", "quant", QUANTIZATIONS, description="weight quantization"),
    Option("zero_shot", "--zero-shot", "zero_shot", None, switch=True,
           description="zero-shot prompting of a text-to-text model (T5 family)"),
    # measured as served (``benchmark.engine``): one query at a time (AI Energy Score's protocol), or at
    # steady state with at most ``max_num_seqs`` running requests (ML.ENERGY's): a key part each
    Option("engine", "--engine", "engine", ENGINES, description="the serving engine that serves the model"),
    Option("max_num_seqs", "--max-num-seqs", "max_num_seqs", None, many=True,
           description="steady state: the engine's most running requests (vLLM --max-num-seqs; B[,B2,...]: one "
                       "run each)"),
)
OPTION_BY_NAME: Mapping[str, Option] = {option.name: option for option in OPTIONS}


class ConfigurationError(UserInputError):
    pass


class RunConfiguration(BaseModel):
    """The overrides of the task's reference a run applied (``None``: the reference's value)."""

    model_config = ConfigDict(extra="allow")

    dtype: ShortText | None = None
    batch_size: PositiveCount | None = None
    attn_implementation: ShortText | None = None
    torch_compile: bool | None = None
    quantization: ShortText | None = None
    zero_shot: bool | None = None
    engine: ShortText | None = None
    max_num_seqs: PositiveCount | None = None
    key: ShortText = REFERENCE_KEY
    # what the device changed of the reference, e.g. "dtype float16 → float32 on cpu"
    fallback: ShortText | None = None

    def overrides(self) -> dict[str, Any]:
        return {o.name: getattr(self, o.name) for o in OPTIONS if not _unset(getattr(self, o.name))}

    @property
    def is_reference(self) -> bool:
        return self.key == REFERENCE_KEY


def _unset(value: Any) -> bool:
    # identity, not equality: a batch size of 0 is a bad value, not "unset"
    return value is None or value is False


def configuration_key(overrides: Mapping[str, Any]) -> str:
    """``"reference"`` without overrides, else ``name=value`` parts in option order, joined by ``+``."""
    parts = []
    for option in OPTIONS:
        value = overrides.get(option.name)
        if _unset(value):
            continue
        parts.append(option.key_name if option.switch else f"{option.key_name}={value}")
    return "+".join(parts) or REFERENCE_KEY


def check_configuration(text: str | None) -> str:
    """A board's configuration choice: ``"reference"`` (empty), ``"all"`` or a well-formed key."""
    chosen = (text or "").strip() or REFERENCE_KEY
    if chosen in (REFERENCE_KEY, ALL_CONFIGURATIONS):
        return chosen
    names = {option.key_name: option for option in OPTIONS}
    for part in chosen.split("+"):
        name, _, value = part.partition("=")
        option = names.get(name)
        if option is None or (option.switch and value) or (not option.switch and not value):
            raise ConfigurationError(
                f"unknown configuration {chosen!r}: use reference, all or a key such as batch_size=8"
            )
    return chosen


def reference_dtype(spec: TaskSpec, device: str) -> str:
    """The reference's dtype on ``device`` (float16 falls back to float32 on a CPU)."""
    return CPU_FALLBACK_DTYPES.get(spec.dtype, spec.dtype) if device == "cpu" else spec.dtype


def _refuse(option: Option, message: str) -> ConfigurationError:
    return ConfigurationError(f"{option.flag}: {message}")


def check_requested(spec: TaskSpec, requested: Mapping[str, Any]) -> dict[str, Any]:
    """The requested options with the task's and the values' rules applied (no device rules)."""
    chosen: dict[str, Any] = {}
    for name, value in requested.items():
        if _unset(value):
            continue
        option = OPTION_BY_NAME.get(name)
        if option is None:
            raise ConfigurationError(f"unknown run option {name!r}: choose among {', '.join(OPTION_BY_NAME)}")
        if name not in spec.options:
            admitted = ", ".join(OPTION_BY_NAME[n].flag for n in spec.options) or "none"
            raise _refuse(option, f"task {spec.key} does not admit this option (it admits: {admitted})")
        if option.switch:
            if value is not True:
                raise _refuse(option, f"is a switch, got {value!r}")
        elif option.values is None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise _refuse(option, f"must be a positive integer, got {value!r}")
        elif value not in option.values:
            raise _refuse(option, f"unknown value {value!r}: choose one of {', '.join(option.values)}")
        chosen[name] = value
    _check_engine_options(chosen)
    return chosen


def _check_engine_options(chosen: Mapping[str, Any]) -> None:
    """An engine run changes only what the engine's server takes: its dtype and, at steady state, its batch."""
    if chosen.get("max_num_seqs") is not None and not chosen.get("engine"):
        raise _refuse(OPTION_BY_NAME["max_num_seqs"], "is the serving engine's batch: it needs --engine vllm")
    if chosen.get("engine"):
        others = [OPTION_BY_NAME[name].flag for name in chosen if name not in ENGINE_OPTIONS]
        if others:
            raise _refuse(OPTION_BY_NAME["engine"], f"the engine serves the model its own way: {', '.join(others)} "
                                                    "cannot be combined with it (only --dtype and --max-num-seqs)")


def check_device(requested: Mapping[str, Any], device: str, has_flash_attn: bool) -> None:
    """Refuse what ``device`` cannot do, before anything runs."""
    quantization = requested.get("quantization")
    if device != "cuda" and quantization in CUDA_ONLY_QUANTIZATIONS:
        raise _refuse(OPTION_BY_NAME["quantization"], f"{quantization} (bitsandbytes) needs a CUDA GPU, not {device}")
    attn = requested.get("attn_implementation")
    if attn == "flash_attention_2":
        if device != "cuda":
            raise _refuse(OPTION_BY_NAME["attn_implementation"], f"flash_attention_2 needs a CUDA GPU, not {device}")
        if not has_flash_attn:
            raise _refuse(OPTION_BY_NAME["attn_implementation"], "flash_attention_2 needs the flash-attn package")
    if device == "cpu" and requested.get("dtype") == "float16":
        raise _refuse(OPTION_BY_NAME["dtype"], "float16 does not run on a CPU: choose bfloat16 or float32")


def resolve_configuration(spec: TaskSpec, requested: Mapping[str, Any], device: str) -> RunConfiguration:
    """The configuration a run applies: requested overrides that differ from the reference on ``device``."""
    chosen = check_requested(spec, requested)
    ref_dtype = reference_dtype(spec, device)
    if chosen.get("dtype") == ref_dtype:
        del chosen["dtype"]
    if chosen.get("batch_size") == spec.batch_size:
        del chosen["batch_size"]
    fallback = None
    if "dtype" not in chosen and ref_dtype != spec.dtype:
        fallback = f"dtype {spec.dtype} → {ref_dtype} on {device}"
    return RunConfiguration(**chosen, key=configuration_key(chosen), fallback=fallback)


def applied_dtype(spec: TaskSpec, configuration: RunConfiguration, device: str) -> str:
    return configuration.dtype or reference_dtype(spec, device)


def effective_task(spec: TaskSpec, configuration: RunConfiguration) -> TaskSpec:
    """The task as this configuration runs it: batch size, and zero-shot text-to-text prompting."""
    changes: dict[str, Any] = {}
    if configuration.batch_size:
        changes["batch_size"] = configuration.batch_size
    if configuration.dtype:
        changes["dtype"] = configuration.dtype
    if configuration.zero_shot:
        prompt = dict(spec.zero_shot_prompt)
        columns = dict(spec.columns)
        # optimum-benchmark's text2text preprocessing writes the prompt into the text column
        columns.setdefault("text_column_name", next(iter(columns.values())))
        generate = dict(spec.generate_kwargs) or {
            "max_new_tokens": ZERO_SHOT_NEW_TOKENS, "min_new_tokens": ZERO_SHOT_NEW_TOKENS
        }
        changes.update(
            ob_task="text2text-generation",
            columns=columns,
            inference_phases=("prefill", "decode"),
            generate_kwargs=generate,
            scenario_options={**dict(spec.scenario_options), **prompt},
        )
    return replace(spec, **changes) if changes else spec


def record_configuration(record: Any, spec: TaskSpec) -> RunConfiguration:
    """A record's configuration; records written before configurations existed are read from their
    settings (the reference where they equal the registry's)."""
    stored = getattr(record, "configuration", None)
    if stored is not None:
        return stored
    settings = record.settings
    device = record.hardware.device
    overrides: dict[str, Any] = {}
    if settings.dtype != reference_dtype(spec, device) and settings.dtype != spec.dtype:
        overrides["dtype"] = settings.dtype
    if settings.batch_size != spec.batch_size:
        overrides["batch_size"] = settings.batch_size
    fallback = None
    if "dtype" not in overrides and settings.dtype != spec.dtype:
        fallback = f"dtype {spec.dtype} → {settings.dtype} on {device}"
    return RunConfiguration(**overrides, key=configuration_key(overrides), fallback=fallback)


def not_comparable_reason(record: Any, spec: TaskSpec) -> str | None:
    """Why a record cannot stand beside the task's other runs (None when it can)."""
    settings = record.settings
    if settings.num_samples < spec.num_samples:
        return f"{settings.num_samples} samples, fewer than the task's {spec.num_samples:,}"
    dataset = getattr(settings, "dataset_id", None) or settings.dataset
    if dataset != spec.dataset_id:
        return f"dataset {dataset}, not the task's {spec.dataset_id}"
    if settings.dataset_split != spec.dataset_split:
        return f"dataset split {settings.dataset_split}, not the task's {spec.dataset_split}"
    cap = getattr(settings, "max_new_tokens", None)
    task_cap = spec.control_variables().get("max_new_tokens")
    if cap is not None and task_cap is not None and cap != task_cap:
        return f"a cap of {cap:,} new tokens, not the task's {task_cap:,}"
    return None


def add_option_arguments(parser: Any) -> None:
    """Every option of ``OPTIONS`` as an ``argparse`` flag (``benchmark run``, ``benchmark enqueue``):
    a switch is ``store_true``, a value-less option a positive integer, the others a string the run's
    checks refuse when it is not one of the option's values."""
    for option in OPTIONS:
        if option.switch:
            parser.add_argument(option.flag, dest=option.name, action="store_true", help=option.description)
        elif option.many:
            from benchmark.engine.arguments import positive_list

            parser.add_argument(option.flag, dest=option.name, type=positive_list, help=option.description)
        elif option.values is None:
            parser.add_argument(option.flag, dest=option.name, type=int,
                                help=f"{option.description} (default: the task's)")
        else:
            parser.add_argument(option.flag, dest=option.name,
                                help=f"{option.description}: {', '.join(option.values)} (default: the task's)")


def options_from_args(args: Any) -> dict[str, Any]:
    """The options ``add_option_arguments`` parsed, by option name (unset ones as None or False)."""
    return {option.name: getattr(args, option.name, None) for option in OPTIONS}


EFFORT_FLAG = "--reasoning-effort"


def add_effort_argument(parser: Any) -> None:
    """The reasoning task's ``--reasoning-effort`` (``benchmark run``, ``benchmark enqueue``): not a
    configuration option (each level is its own rated row), checked by the run or the queue's rule."""
    parser.add_argument(
        EFFORT_FLAG,
        dest="reasoning_effort",
        help=f"reasoning: the effort level ({', '.join(REASONING_EFFORTS)}) of a model whose template takes one",
    )
