"""``python -m benchmark worker`` and ``python -m benchmark requeue``.

``register(subparsers)`` adds both subcommands to the main CLI; each sets ``func(args) -> int``
(the exit code). ``python -m benchmark.queue.cli`` runs them on their own. The stores come from
the environment: ``REQUESTS_REPO`` / ``REQUESTS_DIR`` for the queue, ``RESULTS_REPO`` /
``RESULTS_DIR`` for results (see ``benchmark.store``).
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from benchmark.hub_client import HubError, redact
from benchmark.queue import operations as queue
from benchmark.queue.checks import NotAuthorizedError, require_maintainer
from benchmark.queue.steps import RunFn, WorkerConfig, benchmark_and_publish
from benchmark.queue.worker import RedactTokenFilter, Worker
from benchmark.store import HubStore, Store, requests_store
from benchmark.tasks import TASK_KEYS

log = logging.getLogger("benchmark.queue")


def add_worker_options(parser: argparse.ArgumentParser) -> None:
    """How a worker takes and runs requests: ``worker`` runs one here, ``dispatch`` places many alike."""
    parser.add_argument("--lease-seconds", type=float, default=600.0,
                        help="how long a request stays ours without a heartbeat (default 600)")
    parser.add_argument("--max-attempts", type=int, default=queue.DEFAULT_MAX_ATTEMPTS,
                        help="failed attempts before a request stays FAILED (default 3)")
    parser.add_argument("--poll-seconds", type=float, default=30.0, help="wait between polls of an empty queue")
    parser.add_argument("--repeats", type=int, default=3, help="runs per request (default 3)")
    parser.add_argument("--output-dir", type=Path, default=Path("runs"), help="where run folders go")
    parser.add_argument("--datasets-dir", type=Path,
                        help="local copies of the test sets, one folder per task key (offline GPU machines)")
    parser.add_argument("--num-samples", type=int,
                        help="measure fewer queries than the task's 1,000 (smoke tests only: not comparable)")
    parser.add_argument("--quality-limit", type=int,
                        help="the quality step on the first N examples only (smoke tests only: not comparable)")


def worker_config(args: argparse.Namespace, device: str) -> WorkerConfig:
    """The ``add_worker_options`` of ``args`` as a worker's config (absolute folders: a worker placed by
    ``dispatch`` may start elsewhere)."""
    return WorkerConfig(
        device=device,
        lease_seconds=args.lease_seconds,
        max_attempts=args.max_attempts,
        poll_seconds=args.poll_seconds,
        repeats=args.repeats,
        output_dir=args.output_dir.absolute(),
        datasets_dir=args.datasets_dir.absolute() if args.datasets_dir else None,
        num_samples=args.num_samples,
        quality_limit=getattr(args, "quality_limit", None),
    )


def register(subparsers: Any) -> None:
    worker = subparsers.add_parser("worker", help="run queued benchmark requests")
    mode = worker.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="take at most one request, then exit")
    mode.add_argument("--drain", action="store_true", help="take requests until none is pending, then exit")
    worker.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    add_worker_options(worker)
    worker.add_argument("--worker-id", help="name in the queue (default host-pid-random)")
    worker.add_argument("--run-fn", metavar="MODULE:FUNCTION",
                        help="run requests with this function instead of the benchmark runner (tests, custom runs)")
    worker.set_defaults(func=cmd_worker)

    requeue = subparsers.add_parser("requeue", help="maintainers: put finished requests back in the queue")
    what = requeue.add_mutually_exclusive_group(required=True)
    what.add_argument("--model", metavar="OWNER/NAME", help="one model's latest request on --task")
    what.add_argument("--all-models", action="store_true", help="the latest request of every model on --task")
    what.add_argument("--failed", action="store_true", help="every FAILED request (of --task, if given)")
    requeue.add_argument("--task", choices=TASK_KEYS)
    requeue.add_argument("--configuration", metavar="KEY",
                         help="only this run configuration, e.g. reference or batch_size=8 (default: every)")
    requeue.add_argument("--step", choices=("energy", "quality", "both"),
                         help="what to run again (default: what each request asked for)")
    requeue.set_defaults(func=cmd_requeue)


def setup_logging() -> None:
    """Log to stderr (unless the caller configured logging) with the token scrubbed."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # A worker is a long-lived service: its claims and outcomes are worth a line each.
    package = logging.getLogger("benchmark")
    if package.level == logging.NOTSET:
        package.setLevel(logging.INFO)
    for handler in root.handlers:
        if not any(isinstance(f, RedactTokenFilter) for f in handler.filters):
            handler.addFilter(RedactTokenFilter())


def load_run_fn(spec: str) -> RunFn:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"--run-fn must be MODULE:FUNCTION, got {spec!r}")
    return getattr(importlib.import_module(module_name), attr)


def cmd_worker(args: argparse.Namespace, store: Store | None = None) -> int:
    setup_logging()
    config = worker_config(args, args.device)
    if args.worker_id:
        config.worker_id = args.worker_id
    run_fn = load_run_fn(args.run_fn) if args.run_fn else benchmark_and_publish
    store = store or requests_store()
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (docker stop, systemd) gives the running request back instead of waiting for its lease.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    log.info("worker %s on %s (device %s)", config.worker_id, store.name, config.device)
    try:
        taken = Worker(store, run_fn, config).run(once=args.once, drain=args.drain)
    except KeyboardInterrupt:
        return 130
    except (HubError, queue.QueueBusyError, OSError) as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return 1
    log.info("worker %s done: %d request(s) taken", config.worker_id, taken)
    return 0


def requester(store: Store) -> str:
    """Who is asking. On the Hub: the token's user, who must be a maintainer. On a local folder:
    the OS user; whoever can write the folder can edit its files anyway."""
    if isinstance(store, HubStore):
        if not store.client.has_token:
            raise NotAuthorizedError("requeue on the Hub needs HF_TOKEN of a maintainer")
        return require_maintainer(store.client.whoami())
    return f"local:{getpass.getuser()}"


def cmd_requeue(args: argparse.Namespace, store: Store | None = None) -> int:
    setup_logging()
    if (args.model or args.all_models) and not args.task:
        print("error: --model and --all-models need --task", file=sys.stderr)
        return 2
    step = getattr(args, "step", None)
    selection = queue.RequeueSelection(
        model_id=args.model, task=args.task, failed_only=args.failed,
        configuration=getattr(args, "configuration", None),
        steps=(("energy", "quality") if step == "both" else (step,)) if step else None,
    )
    store = store or requests_store()
    try:
        by = requester(store)
        changed = queue.requeue(store, selection, by)
    except (NotAuthorizedError, queue.NothingToRequeueError, HubError, queue.QueueBusyError) as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return 1
    for record in changed:
        print(f"requeued {record.request_id}: {record.model_id} on {record.task} ({record.run_label})")
    print(f"{len(changed)} request(s) requeued by {by}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.queue.cli")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
