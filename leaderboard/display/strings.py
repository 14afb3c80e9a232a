"""Short texts shown in the app (titles, intros, empty states). The About page is ``about.md``."""

from __future__ import annotations

TITLE = "Green AI Leaderboard"

INTRO = (
    "# Green AI Leaderboard\n"
    "How much **GPU energy** does a model use to answer **1,000 queries**? Measured on the same "
    "hardware with the same settings for every model, and rated from ★ (most energy-hungry) to "
    "★★★★★ (most frugal) within each task. Pick a task below; the About tab explains the method."
)

OVERVIEW_INTRO = (
    "Every task at a glance: how many models, their typical GPU energy per 1,000 queries and the "
    "spread between the most and the least efficient. Star colours in the plot are ratings within "
    "each model's own task."
)

TASK_INTRO = (
    "{description} One query is one {query_unit}. Dataset: [{dataset}](https://huggingface.co/datasets/{dataset})."
)

EMPTY_TASK = (
    "### No results for {name} yet\n"
    "No model has been measured on this task here. To add one, submit a Hub model for "
    "`{key}` (Submit tab), or measure it yourself on an NVIDIA H100 and publish the result:\n\n"
    "```bash\npython -m benchmark run --model <owner/name> --task {key} --push\n```\n"
    "The settings it uses are listed in the About tab."
)

NO_MATCH = "**No models match these filters.** Clear the search or widen the hardware and size-class choices."

COLUMNS_HELP = "Columns to show (the model column always is)."
SEARCH_HELP = "Part of a model id; separate several with ;"
FILTER_EMPTY_MEANS_ALL = "Empty: all"
SORT_HELP = (
    "The table starts with the most efficient model; sort by any column from its header menu (⋮). "
    "**± Wh** is the standard deviation over repeated runs (blank for single published figures)."
)
