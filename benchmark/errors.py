"""The one base class of errors caused by what a user typed or chose (a model id, a task, a grid...).

Raising a subclass means "the input is at fault, and the message names it": the CLIs print it as one
line and exit non-zero, the tabs and API endpoints show it as a message (``leaderboard.tabs.errors``);
anything else is a bug and keeps its traceback in the logs.
"""

from __future__ import annotations


class UserInputError(ValueError):
    """A one-line, user-facing refusal of an input; ``str(error)`` is the message to show."""
