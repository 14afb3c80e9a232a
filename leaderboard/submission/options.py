"""The Submit form's run options: which ones the chosen task offers, their choices, and the form's
values as a request's options. Plain values, no Gradio: ``tabs.py`` turns each field into a widget.

Every field comes from ``benchmark.configuration.OPTIONS`` (declared once, as for ``benchmark run``
and ``benchmark enqueue``); a task offers the options of its registry entry (``TaskSpec.options``).
Each field's default is the task's reference configuration (an empty choice, no number, unticked).
The reasoning task's effort level is a field of its own (``EFFORT_FIELD``): not a configuration
option (each level is its own rated row), offered only where the task takes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from benchmark.configuration import OPTIONS, Option
from benchmark.tasks import REASONING_EFFORTS, TASKS

REFERENCE_CHOICE = "Task default (reference)"
CHOICE, NUMBER, SWITCH = "choice", "number", "switch"


@dataclass(frozen=True)
class OptionField:
    """One run option on the form: its name (an ``OPTIONS`` name), label, help and widget kind."""

    name: str
    label: str
    info: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()  # (label, value) of a choice; the first is the reference

    @property
    def default(self) -> Any:
        return {CHOICE: "", NUMBER: "", SWITCH: False}[self.kind]


def _field(option: Option) -> OptionField:
    label = option.name.replace("_", " ").capitalize()
    info = f"{option.description} ({option.flag} of benchmark run)"
    if option.switch:
        return OptionField(option.name, label, info, SWITCH)
    if option.values is None:
        return OptionField(option.name, label, f"{info}; empty: the task's", NUMBER)
    return OptionField(option.name, label, info, CHOICE, ((REFERENCE_CHOICE, ""), *((v, v) for v in option.values)))


FIELDS: tuple[OptionField, ...] = tuple(_field(option) for option in OPTIONS)
FIELD_NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS)


def offered_options(task: str | None) -> tuple[str, ...]:
    """The options the form offers for ``task``: its registry entry's (none for an unknown task)."""
    spec = TASKS.get(task or "")
    return tuple(name for name in FIELD_NAMES if spec is not None and name in spec.options)


def _value(value: Any) -> Any:
    """A widget's value as the request holds it: empty → None, a whole number (typed, or Gradio's float) → int;
    anything else as typed, for the submission's rule to refuse in words."""
    if isinstance(value, str):
        value = value.strip()
        if value.isdigit():
            return int(value)
    if value is None or value == "" or value is False:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def form_options(values: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The form's values by field name as ``(dtype, other options)`` for ``submit_request``; unset
    fields are left out. Values are not checked here: the submission's rule does that."""
    chosen = {name: _value(values.get(name)) for name in FIELD_NAMES}
    dtype = chosen.pop("dtype")
    return dtype, {name: value for name, value in chosen.items() if value is not None}


EFFORT_NONE_CHOICE = "none"
EFFORT_FIELD = OptionField(
    "reasoning_effort",
    "Effort level",
    "Only models whose chat template takes an effort level (e.g. gpt-oss) accept one; none: the model's default.",
    CHOICE,
    ((EFFORT_NONE_CHOICE, ""), *((level, level) for level in REASONING_EFFORTS)),
)


def effort_offered(task: str | None) -> bool:
    """Whether the form offers an effort level for ``task`` (the reasoning task only)."""
    spec = TASKS.get(task or "")
    return spec is not None and spec.reasoning


def form_effort(value: Any) -> str | None:
    """The effort box's value as the request holds it: none (empty) → None. Checked by the rule."""
    return _value(value)
