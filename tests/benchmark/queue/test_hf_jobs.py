"""``dispatch --engine hf-jobs`` against a double of the exact ``huggingface_hub`` jobs calls: what
each job is started with (the token only as a secret), job ids written on the requests the jobs
claimed, and a failed job's log tail fetched into the request it held."""

from __future__ import annotations

from datetime import timedelta

from benchmark.cli import build_parser
from benchmark.hub_client import HubClient
from benchmark.queue import operations as queue
from benchmark.queue.dispatch_cli import cmd_dispatch
from benchmark.queue.request_record import RequestStatus
from tests.support.doubles.jobs_double import FakeJobsHfApi
from tests.support.queue_helpers import REQUESTS_REPO, T0, fake_hub_store, hub_digest, make_request, seed

TOKEN = "hf_jobs_secret_token_123"
RESULTS_REPO = "energy/results"


def _args(*extra: str):
    return build_parser().parse_args(["dispatch", "--engine", "hf-jobs", "--poll-seconds", "0.01", *extra])


def test_jobs_start_with_the_token_as_a_secret_and_a_failed_jobs_logs_reach_its_request(monkeypatch, capsys):
    monkeypatch.setenv("REQUESTS_REPO", REQUESTS_REPO)
    monkeypatch.setenv("RESULTS_REPO", RESULTS_REPO)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    api = FakeJobsHfApi()
    store, _ = fake_hub_store(api, token=TOKEN)
    done, doomed = seed(store, [
        make_request("org/done", submitted_at=T0), make_request("org/doomed", submitted_at=T0 + timedelta(seconds=1)),
    ])

    def claim_and_complete(worker_id: str) -> None:
        claimed = queue.claim_next(store, worker_id, 600)
        queue.complete(store, claimed, "run-1", "records/x.json")

    def claim_only(worker_id: str) -> None:
        queue.claim_next(store, worker_id, 600)

    api.scripts = [
        ([("RUNNING", claim_and_complete), ("COMPLETED", None)], []),
        ([("RUNNING", None), ("RUNNING", claim_only), ("ERROR", None)],
         ["cloning", f"token {TOKEN} must never show", "torch.OutOfMemoryError: CUDA out of memory"]),
    ]

    code = cmd_dispatch(
        _args("--flavor", "l40sx1", "--workers", "2", "--code-space", "energy/leaderboard", "--repeats", "2"),
        store=store, client=HubClient(api=api, token=TOKEN),
    )

    captured = capsys.readouterr()
    assert code == 1  # one job ended in error
    assert len(api.jobs) == 2
    for index, job in enumerate(api.jobs):
        kwargs = job.kwargs
        assert kwargs["flavor"] == "l40sx1" and kwargs["secrets"] == {"HF_TOKEN": TOKEN}
        assert kwargs["env"] == {"REQUESTS_REPO": REQUESTS_REPO, "RESULTS_REPO": RESULTS_REPO, "PYTHONUNBUFFERED": "1"}
        assert kwargs["name"].endswith(f"-j{index}") and kwargs["labels"] == {"benchmark-worker": kwargs["name"]}
        bash, flag, script = kwargs["command"]
        assert (bash, flag) == ("bash", "-c")
        assert "git clone --depth 1 https://huggingface.co/spaces/energy/leaderboard" in script
        assert f"python -m benchmark worker --drain --device cuda --worker-id {kwargs['name']} --repeats 2" in script
        assert TOKEN not in repr({k: v for k, v in kwargs.items() if k not in ("secrets", "token")})
    assert TOKEN not in captured.out + captured.err

    final = {r.model_id: r for r in queue.read_requests(store).values()}
    assert final["org/done"].status is RequestStatus.COMPLETED and final["org/done"].job_id == api.jobs[0].id
    failed = final["org/doomed"]
    assert failed.request_id == doomed.request_id and failed.job_id == api.jobs[1].id
    assert failed.status is RequestStatus.PENDING and failed.attempts == 1  # back in the queue for another try
    assert failed.error == f"job {api.jobs[1].id} ended ERROR: torch.OutOfMemoryError: CUDA out of memory"
    assert failed.job_log_tail.splitlines()[-1] == "torch.OutOfMemoryError: CUDA out of memory"
    assert TOKEN not in failed.job_log_tail and "token *** must never show" in failed.job_log_tail
    assert done.request_id in captured.out and f"job {api.jobs[1].id}: ERROR" in captured.out


def test_jobs_without_a_token_are_refused_in_one_line_and_start_nothing(monkeypatch, capsys):
    monkeypatch.setenv("REQUESTS_REPO", REQUESTS_REPO)
    monkeypatch.setenv("RESULTS_REPO", RESULTS_REPO)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    api = FakeJobsHfApi()
    store, _ = fake_hub_store(api, token="")
    seed(store, [make_request("org/waiting")])
    before = hub_digest(api)

    code = cmd_dispatch(_args("--flavor", "a10g-small", "--workers", "2", "--code-space", "energy/leaderboard"),
                        store=store, client=HubClient(api=api, token=""))

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == ["error: --engine hf-jobs needs HF_TOKEN (a token that may run jobs and write the repos)"]
    assert api.jobs == [] and hub_digest(api) == before


def test_jobs_need_hub_stores_because_a_job_cannot_see_local_folders(monkeypatch, capsys):
    monkeypatch.delenv("REQUESTS_REPO", raising=False)
    monkeypatch.setenv("RESULTS_REPO", RESULTS_REPO)
    api = FakeJobsHfApi()

    code = cmd_dispatch(_args("--flavor", "a10g-small", "--code-space", "energy/leaderboard"),
                        client=HubClient(api=api, token=TOKEN))

    assert code == 1 and api.jobs == []
    assert capsys.readouterr().err.strip() == (
        "error: --engine hf-jobs needs REQUESTS_REPO: a job cannot see local folders"
    )
