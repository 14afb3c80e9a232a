"""``python -m benchmark``: run a benchmark, publish records, list tasks (and the queue commands)."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import fields
from pathlib import Path

from benchmark.configuration import add_effort_argument, add_option_arguments
from benchmark.engine.arguments import add_engine_arguments
from benchmark.runs import quiet
from benchmark.runs.files import RECORD_FILE
from benchmark.tasks import REASONING_MAX_NEW_TOKENS, TASKS


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _gpu_indices(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--gpus takes comma-separated GPU indices, got {text!r}") from None


def cmd_run(args: argparse.Namespace) -> int:
    from benchmark.engine.arguments import batch_sizes
    from benchmark.errors import UserInputError
    from benchmark.run_spec import RunSpec, check_run_spec

    # `run`'s options are named as RunSpec's fields, but for --gpus, --output and --max-num-seqs (a list)
    named = {f.name: getattr(args, f.name) for f in fields(RunSpec) if hasattr(args, f.name)}
    named.pop("max_num_seqs", None)
    try:  # refused before the runner's stack is imported (seconds of torch, transformers, optimum-benchmark)
        specs = [RunSpec(**named, max_num_seqs=size, device_ids=args.gpus or (0,), gpus_all=args.gpus is None,
                         output_dir=Path(args.output)) for size in batch_sizes(args)]
        for spec in specs:
            check_run_spec(spec)
    except UserInputError as exc:
        return _error(str(exc))
    try:
        with quiet.stack_output():  # the stack's import noise goes to the run folder's stack.log
            from benchmark.runner.run import BenchmarkError, run_benchmark
    except RuntimeError as exc:  # compat.CompatError: optimum-benchmark cannot run on this transformers
        if type(exc).__name__ != "CompatError":
            raise
        return _error(str(exc))

    results = []
    for spec in specs:  # one record per steady-state batch size
        try:
            results.append(run_benchmark(spec))
        except BenchmarkError as exc:
            where = f" (details in {exc.run_dir})" if exc.run_dir else ""
            return _error(f"{exc}{where}")
        _print_result(results[-1])
    if args.push:
        from benchmark.runs.push import push_runs

        return push_runs([result.run_dir for result in results])
    return 0


def _print_result(result) -> None:  # noqa: ANN001 - a RunResult (the runner's, imported lazily)
    record = result.record
    print(
        f"{record.model_id} on {record.task}: {record.gpu_wh_per_1k_queries:.6g} "
        f"± {record.gpu_wh_per_1k_queries_std:.2g} GPU Wh per 1,000 queries "
        f"(total {record.total_wh_per_1k_queries:.6g} Wh) on {record.hardware.label}, "
        f"configuration {record.configuration.key if record.configuration else 'reference'}"
    )
    if record.output_tokens is not None:
        tokens = record.output_tokens
        print(
            f"output tokens per query: mean {tokens.per_query_mean:.1f}, median {tokens.per_query_median:g}, "
            f"p95 {tokens.per_query_p95:g}; {tokens.queries_at_cap} of {tokens.queries} answers hit the cap"
            + (" (every one: the model may not stop by itself)" if tokens.all_at_cap else "")
        )
    if record.settings.engine is not None:
        from benchmark.engine.arguments import describe

        for line in describe(record):
            print(line)
    print(f"record: {result.run_dir / RECORD_FILE}")


def cmd_push(args: argparse.Namespace) -> int:
    from benchmark.runs.files import QUALITY_FILE

    paths = [Path(p) for p in args.paths]
    quality = [p for p in paths if (p / QUALITY_FILE).is_file() or p.name == QUALITY_FILE]
    from benchmark.runs.push import push_quality, push_runs

    code = push_runs([p for p in paths if p not in quality])
    for path in quality:
        code = code or push_quality(path)
    return code


def _for_request(text: str | None) -> dict:
    """The queue worker's ``--for-request``: the request, round and attempt, the energy run and the quality id."""
    if not text:
        return {}
    import json

    from benchmark.record import RequestRef

    ref = json.loads(text)
    return {"run_id": ref.pop("run_id", None), "quality_id": ref.pop("quality_id", None),
            "request": RequestRef(**ref), "hub_id_only": True}


def cmd_quality(args: argparse.Namespace) -> int:
    from benchmark.errors import UserInputError
    from benchmark.quality.spec import QualitySpec, check_quality_spec

    if args.from_results:
        return _import_quality(args)
    if not args.model:
        return _error("quality needs --model (or --from-results FILE with --model-id)")
    queued = _for_request(args.for_request)
    spec = QualitySpec(
        model=args.model, task=args.task, revision=args.revision, model_id=args.model_id, dataset=args.dataset,
        limit=args.limit, device=args.device, output_dir=Path(args.output), batch_size=args.batch_size,
        dtype=args.dtype, reasoning_effort=args.reasoning_effort, max_new_tokens=args.max_new_tokens,
        chat_template=None if args.chat_template is None else args.chat_template == "on", **queued,
    )
    try:  # refused before the evaluation stack is imported
        check_quality_spec(spec)
    except UserInputError as exc:
        return _error(str(exc))
    with quiet.stack_output():
        from benchmark.runner.quality.run import QualityError, run_quality

    try:
        result = run_quality(spec)
    except QualityError as exc:
        where = f" (details in {exc.run_dir})" if exc.run_dir else ""
        return _error(f"{exc}{where}")
    record = result.record
    partial = f" on the first {record.settings.limit} examples (not comparable)" if record.settings.limit else ""
    print(f"{record.model_id} on {record.task}: {record.value:.6g} {record.benchmark} {record.metric}{partial}")
    print(f"record: {result.run_dir / 'quality.json'}")
    from benchmark.runs.push import push_quality

    return push_quality(result.run_dir) if args.push else 0


def _import_quality(args: argparse.Namespace) -> int:
    """``quality --from-results FILE``: the record from an lm-evaluation-harness results file, measured nowhere."""
    from benchmark.errors import UserInputError

    if not args.model_id:
        return _error("--from-results needs --model-id ORG/NAME (the model the results are of)")
    with quiet.stack_output():
        from benchmark.runner.quality.imported import import_results
    try:
        record = import_results(args.task, args.model_id, Path(args.from_results))
    except UserInputError as exc:
        return _error(str(exc))
    folder = Path(args.output) / record.quality_id
    folder.mkdir(parents=True)
    (folder / "quality.json").write_text(record.to_json())
    print(f"{record.model_id} on {record.task}: {record.value:.6g} {record.benchmark} {record.metric}")
    print(f"record: {folder / 'quality.json'}")
    from benchmark.runs.push import push_quality

    return push_quality(folder) if args.push else 0


def cmd_tasks(args: argparse.Namespace) -> int:
    for spec in TASKS.values():
        controls = ", ".join(f"{k}={v}" for k, v in spec.control_variables().items())
        print(f"{spec.key:<30} {spec.dataset_id:<36} {controls}; options: {', '.join(spec.options)}")
    return 0


# --- releases (issue 11): `release cut NAME` -------------------------------------------------


def cmd_release_cut(args: argparse.Namespace) -> int:
    from benchmark.errors import UserInputError
    from benchmark.hub_client import HubError
    from benchmark.release import cut_release
    from benchmark.store import results_store

    store = results_store()
    try:
        cut = cut_release(store, args.name, include=args.include, date=args.date, latest_only=not args.all_runs)
    except (UserInputError, HubError, OSError) as exc:
        return _error(str(exc))
    print(f"release {cut.name}: {cut.n_entries} entries, {cut.n_left_out} records left out, in {store.name}")
    for item in cut.meta["left_out"]:
        print(f"  left out {item['path']}: {item['reason']}")
    return 0


def _register_release(sub: argparse._SubParsersAction) -> None:
    release = sub.add_parser("release", help="maintainers: freeze the board as a named release")
    verbs = release.add_subparsers(dest="release_command", required=True)
    cut = verbs.add_parser("cut", help="rate the included reference runs and write releases/NAME/ (once)")
    cut.add_argument("name", help="the release name, e.g. 2026-06")
    cut.add_argument(
        "--include",
        action="append",
        metavar="PATTERN",
        help="record paths to include (fnmatch, repeatable; default: every record), e.g. 'records/text_generation/*'",
    )
    cut.add_argument("--date", help="the release date, YYYY-MM-DD (default: today, UTC)")
    cut.add_argument("--all-runs", action="store_true", help="rate every included run, not only the latest per model")
    cut.set_defaults(func=cmd_release_cut)


# --- end of releases -------------------------------------------------------------------------


def _register_quality(sub: argparse._SubParsersAction) -> None:
    quality = sub.add_parser("quality", help="measure a model's quality on its task's declared benchmark")
    quality.add_argument("--model", help="Hub model id or local folder (not with --from-results)")
    quality.add_argument("--from-results", metavar="FILE",
                         help="import the figure from an lm-evaluation-harness results JSON (with --model-id)")
    quality.add_argument("--task", required=True, help=f"one of: {', '.join(TASKS)}")
    quality.add_argument("--revision", help="model revision (branch, tag or commit) on the Hub")
    quality.add_argument("--model-id", help="the Hub id to record when --model is a local copy")
    quality.add_argument("--dataset", help="the benchmark's data: a Hub id or a local copy in its own layout")
    quality.add_argument("--limit", type=int, help="evaluate the first N examples only (not comparable)")
    quality.add_argument("--device", help="cuda or cpu (default: cuda when present)")
    quality.add_argument("--batch-size", type=int, help="examples per batch (default 8)")
    quality.add_argument("--dtype", help="weights dtype (default: the model's own)")
    add_effort_argument(quality)
    quality.add_argument("--max-new-tokens", type=int, help="generative benchmarks: the cap on new tokens per answer")
    quality.add_argument("--chat-template", choices=("on", "off"),
                         help="Open LLM Leaderboard v2: the model's chat template (default: on when it has one)")
    quality.add_argument("--output", default="runs", help="folder for quality run folders (default: runs)")
    quality.add_argument("--push", action="store_true", help="publish the quality record to RESULTS_REPO / RESULTS_DIR")
    quality.add_argument("--for-request", help=argparse.SUPPRESS)  # the queue worker's quality step
    quality.set_defaults(func=cmd_quality)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmark", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="measure a model on a task and write a result record")
    run.add_argument("--model", required=True, help="Hub model id or local folder")
    run.add_argument("--task", required=True, help=f"one of: {', '.join(TASKS)}")
    run.add_argument("--dataset", help="Hub dataset id or local folder (default: the task's 1,000-sample set)")
    run.add_argument("--dataset-split", help="dataset split (default: the task's)")
    run.add_argument("--num-samples", type=int, help="queries to measure (default: the task's, 1,000)")
    run.add_argument("--repeats", type=int, default=3, help="launches to average (default: 3)")
    run.add_argument("--device", help="cuda or cpu (default: cuda when an NVIDIA GPU is present)")
    run.add_argument("--gpus", type=_gpu_indices,
                     help="NVML GPU indices, e.g. 0 or 0,1 (default: 0; with --engine-url every visible GPU)")
    run.add_argument("--dataset-id", help="the Hub id to record when --dataset is a local copy of it")
    add_option_arguments(run)  # --dtype --batch-size --attn-implementation --torch-compile ...
    add_effort_argument(run)  # --reasoning-effort, shared with enqueue
    add_engine_arguments(run)  # --protocol --engine-url --engine-port --min-window-s
    run.add_argument(
        "--max-new-tokens",
        type=int,
        help=f"reasoning: the cap on new tokens per answer (default: {REASONING_MAX_NEW_TOKENS:,})",
    )
    run.add_argument("--revision", help="model revision (branch, tag or commit) on the Hub")
    run.add_argument("--model-id", help="the Hub id to record when --model is a local copy")
    run.add_argument("--output", default="runs", help="folder for run folders (default: runs)")
    run.add_argument("--warmup-runs", type=int, help="warm-up passes before measuring (default: 10)")
    run.add_argument(
        "--allow-shared-gpu",
        action="store_true",
        help="maintainers: measure even if other processes use the GPU (refused by default; the record says so)",
    )
    run.add_argument(
        "--push", action="store_true", help="publish the record to RESULTS_REPO (or the local RESULTS_DIR)"
    )
    run.set_defaults(func=cmd_run)

    push = sub.add_parser("push", help="publish records of earlier runs to RESULTS_REPO (or RESULTS_DIR)")
    push.add_argument("paths", nargs="+", help=f"run folders (energy or quality) or {RECORD_FILE} files")
    push.set_defaults(func=cmd_push)

    _register_quality(sub)

    tasks = sub.add_parser("tasks", help="list the tasks and their control variables")
    tasks.set_defaults(func=cmd_tasks)
    _register_release(sub)

    try:
        from benchmark.queue import cli as queue_cli
    except ImportError:
        queue_cli = None
    if queue_cli is not None:
        queue_cli.register(sub)

    # Scale-out (issue 13): fill the queue from the command line, drain it on many GPUs.
    from benchmark.queue import dispatch_cli

    dispatch_cli.register(sub)
    # Runs measured elsewhere (issue 21): submit-run, review, reproduce.
    from benchmark.uploads import cli as uploads_cli

    uploads_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.func(args)
