"""``python -m benchmark enqueue`` (fill the queue) and ``python -m benchmark dispatch`` (drain it on many GPUs).

``register(subparsers)`` adds both; each sets ``func(args) -> int``. Refusals are one line on
stderr and a non-zero exit, before anything is claimed or started.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from benchmark.configuration import add_effort_argument, add_option_arguments, options_from_args
from benchmark.errors import UserInputError
from benchmark.hub_client import HubClient, HubError, redact
from benchmark.queue import dispatch, enqueue
from benchmark.queue import operations as queue
from benchmark.queue.checks import NotAuthorizedError
from benchmark.queue.cli import add_worker_options, requester, setup_logging, worker_config
from benchmark.store import Store, requests_store
from benchmark.tasks import TASK_KEYS

PROGRESS_POLL_S = 2.0


def register(subparsers: Any) -> None:
    enq = subparsers.add_parser("enqueue", help="maintainers: queue models on tasks without the web form")
    enq.add_argument("--model", action="append", default=[], metavar="OWNER/NAME", help="a Hub model id (repeatable)")
    enq.add_argument("--models-file", type=Path, help="one model id per line (# comments and blank lines skipped)")
    enq.add_argument("--task", action="append", metavar="KEY", help=f"task key, repeatable: {', '.join(TASK_KEYS)}")
    enq.add_argument("--revision", help="branch, tag or commit (default main; resolved to its commit)")
    add_option_arguments(enq)  # the run options of `benchmark run`, declared once
    add_effort_argument(enq)  # --reasoning-effort, as `benchmark run` takes it
    enq.set_defaults(func=cmd_enqueue)

    dis = subparsers.add_parser("dispatch", help="run the queue's workers on many GPUs (Ray or Hugging Face Jobs)")
    dis.add_argument("--engine", required=True, help=f"one of: {', '.join(dispatch.ENGINES)}")
    dis.add_argument("--address", help="Ray: the cluster's HOST:PORT, ray://HOST:PORT or auto (default: a local one)")
    count = dis.add_mutually_exclusive_group()
    count.add_argument("--gpus", type=int, help="Ray: one worker per GPU on this many GPUs (default: all)")
    count.add_argument("--cpu-workers", type=int, help="Ray: this many workers on CPUs instead of GPUs")
    dis.add_argument("--drain", action="store_true", help="Ray: stop when the queue is empty (hf-jobs always does)")
    dis.add_argument("--flavor", help="hf-jobs: the hardware flavor (a10g-small, l40sx1, h100...)")
    dis.add_argument("--workers", type=int, default=1, help="hf-jobs: how many jobs (default 1)")
    dis.add_argument("--code-space", help="hf-jobs: the Space whose code the jobs clone (default: SPACE_ID)")
    dis.add_argument("--image", help="hf-jobs: the jobs' Docker image")
    dis.add_argument("--device", choices=("cuda", "cpu"), help="worker device (default cuda; cpu for CPU workers)")
    add_worker_options(dis)  # the options of `benchmark worker`, declared once
    dis.add_argument("--run-fn", metavar="MODULE:FUNCTION", help="Ray: run requests with this function (tests)")
    dis.set_defaults(func=cmd_dispatch)


def _error(message: str, code: int = 1) -> int:
    print(f"error: {redact(message)}", file=sys.stderr)
    return code


def cmd_enqueue(args: argparse.Namespace, store: Store | None = None, client: HubClient | None = None) -> int:
    setup_logging()
    entries = [(None, model) for model in args.model]
    try:
        if args.models_file:
            entries += enqueue.read_models_file(args.models_file)
        if not entries:
            return _error("give --model OWNER/NAME or --models-file FILE", 2)
        if not args.task:
            return _error("give at least one --task", 2)
        store = store or requests_store()
        by = requester(store)
    except (UserInputError, NotAuthorizedError, HubError) as exc:
        return _error(str(exc))
    client = client or HubClient()
    configuration = options_from_args(args)
    dtype = configuration.pop("dtype")
    # a steady-state sweep (--max-num-seqs 8,64) is one request per batch size
    sweep = [{**configuration, "max_num_seqs": size} for size in configuration.pop("max_num_seqs") or (None,)]
    refused = 0
    for line, model in entries:
        where = f"{args.models_file}:{line}: " if line else ""
        try:
            queued = [request for options in sweep for request in enqueue.enqueue_model(
                store, client, model_id=model, tasks=args.task, by=by, revision=args.revision, dtype=dtype,
                configuration=options, reasoning_effort=getattr(args, "reasoning_effort", None),
            )]
        except (UserInputError, HubError, queue.QueueBusyError) as exc:
            refused += 1
            print(f"error: {where}{redact(str(exc))}", file=sys.stderr)
            continue
        for request in queued:
            print(f"queued {request.request_id}: {request.model_id} @ {request.revision[:12]} on {request.task}"
                  f" ({request.run_label})")
    print(f"{len(entries) - refused} model(s) queued, {refused} refused, by {by}")
    return 1 if refused else 0


def cmd_dispatch(args: argparse.Namespace, store: Store | None = None, client: HubClient | None = None) -> int:
    setup_logging()
    try:
        if args.engine == "ray":
            return _dispatch_ray(args, store)
        if args.engine == "hf-jobs":
            return _dispatch_hf_jobs(args, store, client)
    except dispatch.DispatchError as exc:
        return _error(str(exc))
    return _error(f"unknown engine {args.engine!r}: choose one of {', '.join(dispatch.ENGINES)}", 2)


def _print_summary(store: Store, prefix: str) -> None:
    lines = dispatch.summary_lines(store, prefix)
    print(f"summary: {len(lines)} request(s) taken by this dispatch")
    for line in lines:
        print(f"  {line}")


def _dispatch_ray(args: argparse.Namespace, store: Store | None) -> int:
    from benchmark.queue import ray_engine

    ray = ray_engine.import_ray()
    plan = ray_engine.RayPlan(address=args.address, gpus=args.gpus, cpu_workers=args.cpu_workers, drain=args.drain)
    store = store or requests_store()
    started = ray_engine.connect(ray, plan)
    prefix = dispatch.new_prefix()
    try:
        device = args.device or ("cpu" if args.cpu_workers is not None else "cuda")
        refs, count, on_gpu = ray_engine.start_workers(
            ray, plan, worker_config(args, device), args.run_fn, prefix,
            local=not plan.address,
        )
        print(f"dispatch {prefix}: {count} worker(s) on {'GPUs' if on_gpu else 'CPUs'} via Ray")
        printer = dispatch.ProgressPrinter(store)
        pending, failures = list(refs), []
        try:
            while pending:
                done, pending = ray.wait(pending, num_returns=len(pending), timeout=PROGRESS_POLL_S)
                for ref in done:
                    try:
                        ray.get(ref)
                    except Exception as exc:  # noqa: BLE001 - a worker that gave up after its retries
                        failures.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                printer.update()
        except KeyboardInterrupt:
            for ref in pending:
                ray.cancel(ref)  # the workers give their requests back (KeyboardInterrupt in the task)
            return 130
        _print_summary(store, prefix)
        for failure in failures:
            print(f"  worker failed: {redact(failure)}")
        return 1 if failures else 0
    finally:
        if started:
            ray.shutdown()


def _dispatch_hf_jobs(args: argparse.Namespace, store: Store | None, client: HubClient | None) -> int:
    from benchmark.queue import hf_jobs

    client = client or HubClient()
    plan = hf_jobs.JobsPlan(
        flavor=args.flavor or "", workers=args.workers,
        code_space=args.code_space or hf_jobs.code_space_from_env() or "",
        image=args.image or hf_jobs.DEFAULT_IMAGE, repeats=args.repeats, lease_seconds=args.lease_seconds,
        num_samples=args.num_samples,
    )
    hf_jobs.check_plan(plan, client)
    store = store or requests_store()
    prefix = dispatch.new_prefix()
    try:
        jobs = hf_jobs.start_jobs(client, plan, prefix)
        print(f"dispatch {prefix}: {len(jobs)} job(s) on {plan.flavor}: {', '.join(jobs.values())}")
        stages = hf_jobs.watch_jobs(store, client, jobs, args.poll_seconds, dispatch.ProgressPrinter(store),
                                    sleep=time.sleep)
    except (HubError, queue.QueueBusyError) as exc:
        return _error(str(exc))
    _print_summary(store, prefix)
    for job_id, stage in stages.items():
        print(f"  job {job_id}: {stage}")
    return 0 if all(stage == "COMPLETED" for stage in stages.values()) else 1
