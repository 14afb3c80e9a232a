"""The names of the files in a run folder (``runs/<run_id>/``), written by the runner, read by ``push``.

    runs/<run_id>/record.json              the result record (``RECORD_FILE``)
    runs/<quality_id>/quality.json         a quality run's record (``QUALITY_FILE``)
    runs/<run_id>/error.log                the traceback of a failed run (``ERROR_FILE``)
    runs/<run_id>/repeat-<i>/report.json   optimum-benchmark's raw report of repeat i (``REPORT_FILE``)
    runs/<run_id>/repeat-<i>/benchmark.log optimum-benchmark's log of repeat i (``LOG_FILE``)
    runs/<run_id>/repeat-<i>/loaded.json   what the child really loaded (dtype, attention...) (``LOADED_FILE``)
"""

from __future__ import annotations

RECORD_FILE = "record.json"
QUALITY_FILE = "quality.json"
ERROR_FILE = "error.log"
REPORT_FILE = "report.json"
LOG_FILE = "benchmark.log"
LOADED_FILE = "loaded.json"
# what the reasoning scenario adds to optimum-benchmark's report: the tokens each answer generated
OUTPUT_TOKENS_KEY = "output_tokens_per_query"


def repeat_dir_name(index: int) -> str:
    """The folder of repeat ``index`` inside a run folder."""
    return f"repeat-{index}"
