"""Each field rule a reader relies on holds at its edge: a one-line model id, dates pandas can hold, counts
bounded above, and the coarse-counter note at 5 %. Each case is a record or request as written by hand, one
field changed, and the reason the reader must give (or that it is kept)."""

from __future__ import annotations

import json

import pytest

from benchmark.board.records import DROP_DATE, DROP_OUT_OF_RANGE, DROP_SCHEMA, parse_record
from benchmark.queue.request_record import RequestRecord
from benchmark.runs.counter import coarse_resolution_pct
from tests.support.leaderboard_fixtures import make_record
from tests.support.queue_helpers import make_request


def _record(change) -> bytes:
    data = json.loads(make_record("org/a", "text_classification", 1.0, params=1_000_000).to_json())
    change(data)
    return json.dumps(data).encode()


RECORD_CASES = {
    "a newline in the model id": (lambda d: d.update(model_id="org/a\nInjected line"), DROP_SCHEMA),
    "a tab in the model id": (lambda d: d.update(model_id="org/a\tb"), DROP_SCHEMA),
    "a date past pandas' 2262 but before 2300": (lambda d: d.update(created_at="2250-01-01T00:00:00Z"), DROP_DATE),
    "a date at the bound (2200)": (lambda d: d.update(created_at="2200-01-01T00:00:00Z"), DROP_DATE),
    "13-digit samples": (lambda d: d["settings"].update(num_samples=10**13), DROP_OUT_OF_RANGE),
    "13-digit GPU count": (lambda d: d["hardware"].update(gpu_count=10**13), DROP_OUT_OF_RANGE),
    "a parameter count past 10^15": (lambda d: d.update(params=10**16), DROP_OUT_OF_RANGE),
}


@pytest.mark.parametrize("case", list(RECORD_CASES))
def test_a_record_outside_a_field_rule_is_dropped_by_its_reason(case):
    change, reason = RECORD_CASES[case]
    assert parse_record(_record(change)) == reason


def test_the_records_just_inside_the_rules_are_kept():
    for change in (lambda d: d.update(created_at="2199-12-31T23:00:00Z"),
                   lambda d: d["settings"].update(num_samples=10**12), lambda d: d.update(model_id="org/a.b-c_d")):
        assert not isinstance(parse_record(_record(change)), str)


REQUEST_CASES = {
    "attempts past 10^12": {"attempts": 10**13},
    "a newline in the model id": {"model_id": "org/a\nb"},
    "a date past 2200": {"submitted_at": "2250-01-01T00:00:00Z"},
}


@pytest.mark.parametrize("case", list(REQUEST_CASES))
def test_a_request_outside_a_field_rule_is_refused(case):
    data = json.loads(make_request("org/a").to_bytes())
    data.update(REQUEST_CASES[case])
    with pytest.raises(ValueError):
        RequestRecord.model_validate_json(json.dumps(data))


def test_the_runner_calls_a_figure_coarse_above_5_percent_of_its_energy():
    assert coarse_resolution_pct([0.4, 4.9, None]) is None
    assert coarse_resolution_pct([0.4, 6.0]) == 6.0
    assert coarse_resolution_pct([40.0, 6.0, None]) == 40.0
