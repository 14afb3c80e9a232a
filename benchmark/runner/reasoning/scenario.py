"""optimum-benchmark's ``energy_star`` scenario at natural length, with thinking on.

``ReasoningConfig`` is an ``EnergyStarConfig`` whose ``_target_`` is ``ReasoningScenario``: the
spawned child unpickles the config (importing this module, and with it ``benchmark.runner.compat``)
and builds the scenario from it. The scenario keeps every phase, tracker and report of
``EnergyStarScenario`` and changes three things:

- preprocessing (still tracked as ``preprocess_dataset``) formats each prompt with the model's chat
  template and its thinking switch (``reasoning_params`` as template keyword arguments, an optional
  system prompt);
- the measured ``generate`` pass has no ``min_new_tokens``: greedy, batch 1, it stops at the model's
  end of sequence or at ``max_new_tokens``; ``prefill`` (one token) is unchanged, and ``decode`` is
  ``generate − prefill`` as for every generation task;
- the tokens generated per query in that pass are counted and returned in the report
  (``OUTPUT_TOKENS_KEY``: a list of ints, which optimum-benchmark's report carries as it is), and
  decode's efficiency and throughput use that count instead of the fixed ``max_new_tokens − 1``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from optimum_benchmark import BenchmarkReport, EnergyStarConfig
from optimum_benchmark.preprocessors import dataset_preprocessor
from optimum_benchmark.scenarios.energy_star.scenario import EnergyStarScenario

from benchmark.runner.reasoning import thinking
from benchmark.runs.files import OUTPUT_TOKENS_KEY

# the report's entry for the counted tokens, one int per measured query (order of the dataset)
NATURAL_LENGTH_DROPPED = ("min_new_tokens",)


@dataclass
class ReasoningConfig(EnergyStarConfig):
    name: str = "energy_star_reasoning"
    _target_: str = "benchmark.runner.reasoning.scenario.ReasoningScenario"
    # a system message the family's template reads as its thinking switch (e.g. "/think")
    system_prompt: str = ""

    def __post_init__(self) -> None:
        # energy_star forces (and warns) min_new_tokens = max_new_tokens: give it that, drop it after
        if "max_new_tokens" in self.generate_kwargs:
            self.generate_kwargs = {**self.generate_kwargs, "min_new_tokens": self.generate_kwargs["max_new_tokens"]}
        super().__post_init__()
        if self.input_shapes["batch_size"] != 1:
            raise ValueError("natural-length generation is measured at batch size 1")
        self.generate_kwargs = natural_length(self.generate_kwargs)


def natural_length(generate_kwargs: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in generate_kwargs.items() if key not in NATURAL_LENGTH_DROPPED}


def messages(prompt: str, system_prompt: str) -> list[dict[str, str]]:
    user = {"role": "user", "content": prompt}
    return [{"role": "system", "content": system_prompt}, user] if system_prompt else [user]


def reasoning_preprocessing(dataset: Any, pretrained_processor: Any, scenario_config: ReasoningConfig,
                            pretrained_config: Any) -> Any:
    """Prompts through the chat template with thinking on, tokenized (``input_ids``, ``attention_mask``)."""
    column = scenario_config.text_column_name
    dataset = dataset.filter(lambda example: example[column] != "")
    if scenario_config.num_samples != -1:
        dataset = dataset.select(range(scenario_config.num_samples))
    if getattr(pretrained_processor, "pad_token", None) is None:
        pretrained_processor.pad_token = pretrained_processor.eos_token
    positions = getattr(pretrained_config, "max_position_embeddings", None)
    cap = scenario_config.generate_kwargs["max_new_tokens"]
    truncation = {"truncation": True, "max_length": positions - cap} if positions else {}

    def tokenize(example: dict[str, Any]) -> dict[str, Any]:
        encoded = pretrained_processor.apply_chat_template(
            messages(example[column], scenario_config.system_prompt),
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
            **truncation,
            **scenario_config.reasoning_params,
        )
        return {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"]}

    return dataset.map(tokenize, desc="Applying the chat template, thinking on",
                       remove_columns=dataset.column_names).with_format("torch")


@contextlib.contextmanager
def _preprocessor(task: str, function: Any) -> Iterator[None]:
    table = dataset_preprocessor.TASKS_TO_PREPROCESSORS
    saved = table[task]
    table[task] = function
    try:
        yield
    finally:
        table[task] = saved


def generated_tokens(inputs: dict[str, Any], output: Any) -> int:
    """Tokens one batch-1 ``generate()`` produced: the output's length past the prompt (EOS included)."""
    return int(output.shape[-1] - inputs["input_ids"].shape[-1])


class ReasoningScenario(EnergyStarScenario):
    NAME = "energy-star-reasoning"

    def run_dataset_preprocessing_tracking(self) -> None:
        # energy_star's own tracking and report, with the reasoning preprocessor in its table
        with _preprocessor(self.backend.config.task, reasoning_preprocessing):
            super().run_dataset_preprocessing_tracking()

    def warmup_text_generation(self) -> None:
        self.config.generate_kwargs = natural_length(self.config.generate_kwargs)
        super().warmup_text_generation()

    def run_text_generation_tracking(self) -> None:
        # run() merged energy_star's defaults (min_new_tokens=100) back in: natural length again
        self.config.generate_kwargs = natural_length(self.config.generate_kwargs)
        self.output_tokens: list[int] = []
        original = self.backend.generate

        def counted(inputs: dict[str, Any], kwargs: dict[str, Any]) -> Any:
            output = original(inputs, kwargs)
            self.output_tokens.append(generated_tokens(inputs, output))
            return output

        self.backend.generate = counted  # only the measured pass: prefill calls backend.prefill
        try:
            super().run_text_generation_tracking()
        finally:
            self.backend.generate = original
        self.report = BenchmarkReport.from_dict({**self.report.to_dict(), OUTPUT_TOKENS_KEY: self.output_tokens})

    @property
    def dataset_decode_volume(self) -> int:  # tokens decode produced: all generated but prefill's first
        return sum(self.output_tokens) - len(self.output_tokens)


def reasoning_config(plan: thinking.ThinkingPlan, **scenario_kwargs: Any) -> ReasoningConfig:
    return ReasoningConfig(**{
        **scenario_kwargs,
        "reasoning": True,
        "reasoning_params": dict(plan.template_kwargs),
        "system_prompt": plan.system_prompt or "",
    })
