"""``python -m benchmark submit-run``, ``review`` and ``reproduce``.

- ``submit-run RUN_DIR|RUN.zip [--attest]``: check a run folder measured elsewhere from its own evidence and
  keep it for a maintainer's review in the configured results store (``RESULTS_REPO`` / ``RESULTS_DIR``),
  as the logged-in Hub user (or the local user). Without ``--attest`` the three statements are shown and
  asked on a terminal, and refused elsewhere.
- ``review [--approve ID | --reject ID --reason TEXT]``: the pending uploads, or a maintainer's decision.
- ``reproduce RUN_ID|RUN_DIR|RECORD_JSON``: run an entry again exactly as its record says, print both figures,
  their ratio and whether the new one agrees, naming every software version that differs.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from benchmark.errors import UserInputError
from benchmark.hub_client import HubError
from benchmark.store import HubStore, Store, results_store


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def submitter(store: Store) -> str:
    """Who submits: the Hub user of the token for a Hub store, the local user for a folder."""
    if isinstance(store, HubStore):
        if not store.client.has_token:
            raise UserInputError("submitting to the Hub needs HF_TOKEN (the submitter is its user)")
        return store.client.whoami()
    return f"local:{getpass.getuser()}"


def statements(attest: bool) -> list[str]:
    """The statements made: all, with ``--attest``; asked on a terminal otherwise."""
    from benchmark.uploads.review import ATTESTATIONS

    if attest:
        return list(ATTESTATIONS)
    if not sys.stdin.isatty():
        raise UserInputError("an upload needs the submitter's statements: pass --attest (no terminal to ask on)")
    print("Submitting a run states, with your user name and the time:")
    for statement in ATTESTATIONS:
        print(f"  - {statement}")
    if input("Do you state all three? [y/N] ").strip().lower() not in ("y", "yes"):
        raise UserInputError("the statements were not made: nothing was submitted")
    return list(ATTESTATIONS)


def cmd_submit_run(args: argparse.Namespace) -> int:
    from benchmark.queue.checks import submissions_per_day
    from benchmark.uploads.archive import opened
    from benchmark.uploads.evidence import check_run
    from benchmark.uploads.review import describe, receive

    store = results_store()
    try:
        with opened(Path(args.run)) as folder:
            checked = check_run(folder)
            made = statements(args.attest)
            user = submitter(store)
            limit = submissions_per_day() if isinstance(store, HubStore) else None
            upload = receive(store, folder, checked, user, made, per_day=limit)
    except (UserInputError, HubError, OSError) as exc:
        return _error(str(exc))
    print(f"received {describe(upload)}")
    print(f"in {store.name}: waiting for a maintainer's review (python -m benchmark review)")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from benchmark.queue.checks import require_maintainer
    from benchmark.uploads.review import PENDING, approve, describe, reject, uploads

    store = results_store()
    try:
        if args.approve or args.reject:
            by = require_maintainer(store.client.whoami()) if isinstance(store, HubStore) else submitter(store)
            done = approve(store, args.approve, by) if args.approve else reject(store, args.reject, by, args.reason)
            print(describe(done) + (f": {done.record_path}" if done.record_path else f": {done.reason}"))
            return 0
        for upload in uploads(store):
            if args.all or upload.status == PENDING:
                print(describe(upload))
    except (UserInputError, HubError, OSError) as exc:
        return _error(str(exc))
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    from benchmark.run_spec import check_run_spec
    from benchmark.uploads.reproduce import agreement, load_entry, reproduction_spec, version_differences

    try:
        original, _ = load_entry(args.run, results_store())
        spec = reproduction_spec(original, Path(args.output), args.device, args.model, args.dataset)
        check_run_spec(spec)
    except (UserInputError, HubError, OSError) as exc:
        return _error(str(exc))
    from benchmark.runs import quiet

    with quiet.stack_output():
        from benchmark.runner.run import BenchmarkError, run_benchmark

    try:
        result = run_benchmark(spec)
    except BenchmarkError as exc:
        return _error(f"{exc}" + (f" (details in {exc.run_dir})" if exc.run_dir else ""))
    agreed = agreement(original, result.record)
    print(f"reproduction of {original.run_id} ({original.model_id} on {original.task}): {agreed.sentence()}")
    for difference in version_differences(original.software, result.record.software):
        print(f"  version differs: {difference}")
    print(f"record: {result.run_dir / 'record.json'}")
    if args.push:
        from benchmark.runs.push import push_runs

        return push_runs([result.run_dir])
    return 0


def register(sub: Any) -> None:
    submit = sub.add_parser("submit-run", help="submit a run measured elsewhere for review (checked from its reports)")
    submit.add_argument("run", help="a run folder as `benchmark run` writes it, or a zip of one")
    submit.add_argument("--attest", action="store_true",
                        help="state that the data may be published, was produced by this benchmark unmodified, "
                             "and the model is the one named and served")
    submit.set_defaults(func=cmd_submit_run)

    review = sub.add_parser("review", help="maintainers: the uploads waiting for review, approve or reject one")
    decision = review.add_mutually_exclusive_group()
    decision.add_argument("--approve", metavar="UPLOAD_ID", help="publish it as self-reported")
    decision.add_argument("--reject", metavar="UPLOAD_ID", help="refuse it (with --reason)")
    review.add_argument("--reason", default="", help="why it is rejected (shown to the submitter)")
    review.add_argument("--all", action="store_true", help="list reviewed uploads too")
    review.set_defaults(func=cmd_review)

    reproduce = sub.add_parser("reproduce", help="run an entry again exactly as its record says and compare")
    reproduce.add_argument("run", help="a run id (in RESULTS_REPO / RESULTS_DIR), a run folder or a record JSON")
    reproduce.add_argument("--device", help="cuda or cpu (default: cuda when present)")
    reproduce.add_argument("--model", help="a local copy of the model (its recorded id is kept)")
    reproduce.add_argument("--dataset", help="a local copy of the dataset the record names")
    reproduce.add_argument("--output", default="runs", help="folder for the new run folder (default: runs)")
    reproduce.add_argument("--push", action="store_true", help="publish the reproduction (it verifies the entry)")
    reproduce.set_defaults(func=cmd_reproduce)
