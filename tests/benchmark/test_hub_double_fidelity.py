"""The Hub double stands in for ``HfApi``: it must take the arguments the installed huggingface_hub takes."""

from __future__ import annotations

import inspect

import pytest
from huggingface_hub import HfApi

from tests.support.doubles.hub_double import FakeHfApi
from tests.support.doubles.jobs_double import FakeJobsHfApi

DOUBLES = (FakeHfApi, FakeJobsHfApi)
DOUBLED = sorted(
    name
    for double in DOUBLES
    for name, member in vars(double).items()
    if not name.startswith("_") and callable(member) and hasattr(HfApi, name)
)


def test_the_double_covers_every_hub_call_the_project_makes():
    assert {"create_commit", "hf_hub_download", "list_repo_files", "repo_info", "snapshot_download", "whoami",
            "model_info", "get_safetensors_metadata", "parse_safetensors_file_metadata",
            "run_job", "inspect_job", "fetch_job_logs"} <= set(DOUBLED)


@pytest.mark.parametrize("name", DOUBLED)
def test_each_doubled_call_names_only_parameters_the_real_hfapi_has(name):
    real = inspect.signature(getattr(HfApi, name)).parameters
    fake = inspect.signature(getattr(FakeJobsHfApi, name)).parameters
    named = {p for p, spec in fake.items() if p != "self" and spec.kind not in (spec.VAR_KEYWORD, spec.VAR_POSITIONAL)}
    assert named - set(real) == set()
