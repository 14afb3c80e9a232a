"""Every user-facing sentence of the app: titles, intros, help, empty states, tab texts, error lines.

Short widget labels ("Task", "Submit") stay beside their widget in the tab modules, as layout.

The About page is ``about.md`` (filled in by ``about.py``); the texts of the submission check's
rules stay beside their rule (``benchmark.queue.checks``), one function per rule.
``error_message`` is how every tab shows a refused input (a ``benchmark.errors.UserInputError``)
or a failure on our side: one line after a cross; API endpoints raise the same text as ``gr.Error``.
"""

from __future__ import annotations

import html

TITLE = "Green AI Leaderboard"
LOADING = "Loading the results…"

INTRO = (
    "# Green AI Leaderboard\n"
    "How much **GPU energy** does a model use to answer **1,000 queries**? Same hardware and settings for "
    "every model; rated ★ (most energy-hungry) to ★★★★★ (most frugal) within a task, hardware and size class. "
    "The About tab explains the method."
)

OVERVIEW_INTRO = (
    "Every task at a glance: how many models, their typical GPU energy per 1,000 queries and the "
    "spread between the most and the least efficient. The plot gives each task its colour and marker: "
    "stars are rated within a task, so the tasks' energies are on different scales."
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
MORE_CONTROLS = "Filters, columns and a link to this view"
SEARCH_HELP = "Part of a model id; separate several with ;"
QUALITY_FILTER_LABEL = "Quality at least"
QUALITY_FILTER_LABEL_LOWER = "Quality at most ({metric}: lower is better)"
QUALITY_FILTER_HELP = "{benchmark} {metric}; empty: no limit (rows without a figure are hidden by a limit)"
QUALITY_LINE = (
    "**What the energy buys:** {label}, the task's declared quality benchmark ({library}); "
    "{n_with} of {n_rows} rows have a figure. The plot below marks the **frontier**: the models no other "
    "model on this board beats on both energy and quality. Stars rate energy only."
)
NO_QUALITY_BENCHMARK = (
    "**No quality benchmark is declared for {name} yet**: this board shows energy only. Stars rate "
    "energy alone on every task."
)
FILTER_EMPTY_MEANS_ALL = "Empty: all"
SORT_HELP = (
    "The table starts with the most efficient model; sort by any column from its header menu (⋮). "
    "**± Wh** is the sample standard deviation (n − 1) over repeated runs (blank for single published figures)."
)

# The Models tab
MODELS_INTRO = (
    "Look up one model, compare a few side by side, see which models trade energy for speed best, "
    "and download a model's energy label for its model card. Energy is GPU energy per 1,000 queries; "
    "the everyday equivalences and their sources are explained in the About tab."
)
LABEL_HELP = (
    "Download the PNG, upload it to the model's repository next to its README, and paste the Markdown "
    "into the model card. The label links to this leaderboard."
)
PICK_A_MODEL = "*Pick a model above to see every task it was measured on.*"
PICK_MODELS = "*Pick two to four models above to compare them on a task they share.*"
TOTAL_SHARED_NOTE = (
    " (shared machine: {others} other benchmark(s) ran beside it, so its CPU and RAM energy include theirs)"
)
PUBLISHED_NOTE = (
    "*A published figure: no phase breakdown, latency, spread over repeats or software versions were recorded.*"
)

# The Submit and Admin tabs
SUBMIT_TEXT = """\
### Submit a model
Sign in with Hugging Face, give the model's Hub id and pick its task. We check that the model is
public, not gated, has **safetensors** weights within the task's size limit and fits the task, then
queue it pinned to the commit of the revision you give (default `main`). A worker with the
reference GPU runs it and the result appears on the leaderboard. {per_day} submissions per user
per day.
"""

SUBMIT_RUN_TEXT = """\
### Submit a run measured elsewhere
For a model we cannot download (closed or internal), run the benchmark yourself on your own GPU
(`python -m benchmark run ...`) and upload the run folder it writes, zipped: the record, every repeat's
raw optimum-benchmark report, the codecarbon and NVML files, the logs. We recompute the figures from the
raw reports with the runner's own code and check the configuration, the energy's plausibility and, on a
GPU, the NVML counter; nothing is kept if a check fails. A maintainer then reviews it, and once approved
it is shown as **self-reported** until a reproduction on the reference hardware verifies it. From a
terminal: `python -m benchmark submit-run RUN_DIR --attest`. {per_day} uploads per user per day.
"""
UPLOADS_NEED_LOGIN = "Uploads need a login: sign in with Hugging Face first."
UPLOAD_NEEDS_FILE = "Choose the zip of a run folder to upload."
RESULTS_READ_ONLY = (
    "This app shows the bundled data only: uploads need a results store (RESULTS_REPO or RESULTS_DIR)."
)
RESULTS_UNREACHABLE = "The results store could not be updated; please try again in a minute."
REVIEW_TEXT = """\
### Maintainers: runs uploaded for review
Each upload passed every check of its evidence. Approve it to publish it as **self-reported**, or reject it
with a reason the submitter will see. Queue a reproduction of any entry by its run id: when it agrees on the
same GPU model the entry shows **verified**; when it does not, it is listed below as disputed.
"""
NO_UPLOADS = "No upload is waiting for review."
NO_DISPUTED = "No entry is disputed: every reproduction so far agreed with its entry."

RUN_OPTIONS_LABEL = "How to run it (optional: the task's reference settings by default)"
RUN_OPTIONS_HELP = (
    "Leave these as they are to measure the model the way the leaderboard rates it (the task's reference "
    "configuration). Any other choice is measured and shown beside the reference run on the model's page and "
    "in **What helps**, but never gets stars. The options offered are the chosen task's."
)

NO_LOGIN_TEXT = """\
_Sign-in with Hugging Face works on the Space. Running locally, submissions and reruns are
refused; run a benchmark directly with `python -m benchmark run`, or start the app with
`LEADERBOARD_LOCAL_LOGIN=1` on a machine logged in to the Hub._
"""

ADMIN_TEXT = """\
### Maintainers: rerun benchmarks
Put finished requests back in the queue: one model on one task, every model of a task, or every
failed request. Only maintainers can do this; each rerun is recorded with your name and the time.
"""
LOCAL_LOGIN_REFUSED = (
    "LEADERBOARD_LOCAL_LOGIN=1 off a Space serves the host's Hugging Face login to every visitor: bind the "
    "app to a loopback address (GRADIO_SERVER_NAME=127.0.0.1), not {host!r}, or run it as a Space with OAuth"
)
HALF_A_SPACE = (
    "SYSTEM=spaces is set without SPACE_ID: Gradio would then serve its mocked login and sign every visitor in "
    "as the host; set both (as a Space does) or neither"
)
LOCAL_LOGIN_SHARED = (
    "LEADERBOARD_LOCAL_LOGIN=1 off a Space signs every visitor in as the host: it cannot be served through a "
    "share link (share=True, GRADIO_SHARE or a hosted notebook); serve it on 127.0.0.1 only, or as a Space"
)
RUN_QUEUE_TEXT = """\
### Maintainers: run the queue on N GPUs
Start N Hugging Face Jobs on the chosen hardware, each a worker that drains the queue and then stops
(billed to the Space's token owner). Job ids are written on the requests they run; a failed job's
logs go into its request.
"""
JOB_FLAVORS = ("a10g-small", "l4x1", "l40sx1", "a100-large", "h100")
JOBS_UNREACHABLE = "The jobs could not be started on the Hub; please try again in a minute."
DATA_PROBLEMS_TEXT = """\
### Maintainers: data problems
Visitors see why the results could not be read in words only; here you see the full error (paths,
exception) and every file the loader dropped, with its reason.
"""
NO_MAINTAINERS_TEXT = "_No maintainers are configured (set `MAINTAINERS`): every rerun is refused._"
RERUN_ONE_MODEL = "One model on one task"
RERUN_ACTIONS = (RERUN_ONE_MODEL, "Every model of a task", "Every failed request")

# Failures on our side, shown as one line
HUB_UNREACHABLE = "The Hub could not be reached to check or queue the model; please try again in a minute."
STORE_UNREACHABLE = "The requests store could not be updated; please try again in a minute."
CRASHED = "Something went wrong on our side; please try again later."


def error_message(error: BaseException | str) -> str:
    """How every tab shows a refused input or a failure: ``❌`` and the one-line message, with HTML
    shown as text (a message may quote what the user typed)."""
    return f"❌ {html.escape(str(error), quote=False)}"

# Releases (frozen boards)
RELEASE_LABEL = "Board"
LATEST_CHOICE = "Current board"
SINCE_CHOICE = "Since {release}: provisional stars"
LIVE_CHOICE = "Live: everything rated now"
RELEASE_HELP = (
    "**Board**: the default rates every row it shows together (per task, hardware and size class); a release "
    "is a frozen board, shown as published: its stars never change, and each row says which models it was "
    "rated among."
)
RELEASE_LINE = "board: the latest release, {release}, every row rated together"
SINCE_LINE = " · {n_since} newer run{s} not yet in a release (see Board → Since {release})"
COHORTS_NOTE = (
    "*Release {release} as published keeps each row's stars from when it was rated: {counts}. Choose "
    "**Current board** to see them rated on one scale.*"
)
PROVISIONAL_NOTE = (
    "*Provisional stars: rated against the frozen edges of release {release} (clipped to 1–5), so "
    "nobody else's stars move until the next release.*"
)
HISTORY_TITLE = "Across releases"

# Run configurations (issue 10): the task tab's run choice, badges, the What helps tab
RUNS_LABEL = "Runs"
RUNS_HELP = "The board rates reference runs only; the others are shown beside them, unrated."
RUNS_CHOICES = (("Reference runs (rated)", "reference"), ("Every run configuration (others unrated)", "all"))
ZERO_SHOT_BADGE = "*zero-shot*"
# Runs measured elsewhere (issue 21)
SELF_REPORTED_BADGE = "*self-reported*"
VERIFIED_BADGE = "✓ *verified*"
DISPUTED_BADGE = "⚠ *disputed*"
PROVENANCE_BADGES = {"self-reported": SELF_REPORTED_BADGE}
VERIFICATION_BADGES = {"verified": VERIFIED_BADGE, "disputed": DISPUTED_BADGE}

# Links you can share (issue 20)
LINK_IGNORED = "Ignored in this link: {what}. Showing the default view instead."
COPY_LINK = "Copy link"
TRADEOFF_EMPTY = (
    "**No latency measured on this board yet** for this task: published figures carry none; a run of this "
    "project's runner (`python -m benchmark run`) measures it, and its models then appear here."
)
DOWNLOAD_TABLE = "Download this table (CSV)"
LINK_LABEL = "Link to this view"
COMMON_LINE = "Every row shown: {parts}"
NO_RESULTS_YET = "no results yet"

# The finder (issue 20)
CHOOSE_TITLE = "Choose: the least energy that meets your needs"
CHOOSE_BEATEN = "*beaten by {model} on energy and quality*"
CHOOSE_MISSED = "Worse than a limit (nearest first)"
CHOOSE_ABSENT = "No figure for a limit"
CHOOSE_HELP = (
    "Set the limits you need (empty: no limit). Each model is listed at its **cheapest measured configuration "
    "that meets every limit** (its reference run, or another batch size, dtype, attention kernel... measured "
    "on the same hardware), least energy first. A limit on a figure a run lacks (no latency measured, no "
    "quality figure) leaves that run out. Also as the `/choose` endpoint."
)
CHOOSE_MAX_WH = "GPU Wh per 1,000 queries at most"
CHOOSE_MAX_LATENCY = "Latency per query at most (s)"
CHOOSE_MIN_QUALITY = "Quality at least as good as ({label})"
SERVED_TITLE = "Served at steady state, against one query at a time"
SERVED_INTRO = ("The same model served by vLLM: at steady state with at most max_num_seqs running requests "
                "(ML.ENERGY's protocol) against one query at a time (AI Energy Score's). Batching trades energy per "
                "token for inter-token latency.")
SERVED_UNSTABLE = "unstable: not a steady state, never chosen"
CHOOSE_MAX_ITL = "Median inter-token latency at most (ms; served runs)"
CHOOSE_MAX_J_PER_TOKEN = "GPU J per output token at most (served runs)"
CHOOSE_CONFIGURATIONS = "Configurations"
CHOOSE_ANY = "any measured"
CHOOSE_REFERENCE = "reference only"
CHOOSE_BUTTON = "Find"
CHOOSE_NONE = "No model meets every limit."
CHOOSE_EXCLUDED_TITLE = "Why the others were left out"
CHOOSE_NONE_EXCLUDED = "Every model meets these limits."

# Quality beside energy (issue 19)
QUALITY_HEADER = "Quality"
NO_QUALITY_FIGURE = "no figure on the task's declared benchmark yet"
OTHER_QUALITY_FIGURE = "Other quality figure (not compared on the board)"
FRONTIER_MARK = "◆"
CONFIGURATION_BADGE = "*{key}*"
ZERO_SHOT_TITLE = "Zero-shot versus task-specific"
ZERO_SHOT_LINE = (
    "on {hardware}: the median of {n_zero_shot} zero-shot run(s) of text-to-text models uses **{zero_shot} Wh**, "
    "the median of {n_task_specific} task-specific model(s) **{task_specific} Wh** ({basis}): "
    "**{ratio}** as much energy."
)
ZERO_SHOT_DIFFERENT_MODELS = (
    "This compares different models (a general text-to-text model prompted for the task against models "
    "trained for it), unlike a configuration ratio, which compares one model run two ways."
)
ZERO_SHOT_MODELS = "Zero-shot: {zero_shot}. Task-specific: {task_specific}."
WHAT_HELPS_LEAD = "What each way of running a model saves, as measured on the current board, task by task."
WHAT_HELPS_INTRO = (
    "How a model is run changes what it uses. For each run configuration measured on a task (another batch "
    "size, dtype, attention kernel, torch.compile, quantization, zero-shot prompting), across every model that "
    "also has its **reference run on the same hardware**: how many models, and the median ratio of their energy "
    "per 1,000 queries to their reference run's, with its range (below 1× saves energy). On CPU-only hardware, "
    "where the GPU measures nothing, the ratio is of total (CPU + RAM) energy, and the table says so. Only "
    "reference runs get stars."
)
WHAT_HELPS_EMPTY = (
    "#### No run configuration measured on {name} yet\n"
    "Every run of this task here used the task's reference configuration. To measure what a choice saves, run a "
    "model that has a reference run on the same hardware with one option changed, and publish it:\n\n"
    "```bash\npython -m benchmark run --model <owner/name> --task {key} --batch-size 8 --push\n```\n"
    "Other options: {flags}. Or submit the model again with a run option (Submit tab → *How to run it*)."
)
WHAT_HELPS_MODELS_TITLE = "Per model: its best configuration"
SAVING_LESS = "{percent}% less"
SAVING_MORE = "{percent}% more"
REFERENCE_RUN_TEXT = "reference (the task's settings: what the board rates)"
OTHER_RUN_TEXT = "**{key}** (not the reference: never rated)"
WOULD_BE_STARS = "its energy would earn {stars} on the reference board (not given)"
NOT_COMPARABLE = "not comparable: {reason}; shown here only"

# The Reasoning tab and the reasoning parts of the model page
REASONING_TOKENS_TITLE = "### Energy against output tokens"
REASONING_NO_TOKENS = (
    "*No run on this board counted its output tokens, so there is nothing to plot yet: the published "
    "AI Energy Score reasoning figures give only the GPU energy per 1,000 queries. Runs measured here "
    "with `python -m benchmark run --task reasoning` count the tokens of every answer.*"
)
ON_OFF_TITLE = "### Thinking on versus off"
ON_OFF_INTRO = (
    "Models measured both with thinking on (this task) and off (Text Generation) on the same hardware, "
    "configuration and release: the ratio of their GPU energy per query, and of their output tokens "
    "per query where both runs counted them. Each effort level is its own row."
)
ON_OFF_NONE = "*No model on this board was measured both with thinking on and off on the same hardware.*"
REASONING_ABOUT = """## Reasoning

The **Reasoning** task runs a model with its thinking mode on and lets it answer at natural length:
generation stops at the model's end of sequence or at the cap of new tokens. Its energy is decided
by how long the model talks, so each run also records its **output tokens per query** (mean,
median, 95th percentile, and how many queries hit the cap) and its **GPU Wh per 1,000 output
tokens**; every generation task's table shows both where a run counted them (published figures
did not).

- A model that takes an effort level (low / medium / high) is measured and rated once per level:
  each level is its own row, rated within its size class like any other.
- **Thinking on versus off**: for a model measured on Reasoning and on Text Generation (thinking
  off) on the same hardware, configuration and release, the Reasoning tab, the model page and
  `/reasoning_on_off` give the ratio of their energy per query, and of their output tokens.
- A run where **every query hit the cap** is rated but flagged: the model may not stop, so its
  figure depends on the cap."""
