"""How much wall time the engine's one-at-a-time client adds per request over a bare loop of the ``openai``
client, on the same vLLM server, prompts and generation settings.

One server (vLLM's CPU build, a tiny random Llama) serves both sides, alternating round by round so machine
noise hits both alike. The runner's side is ``protocols.one_at_a_time`` as a run calls it: streaming with
per-chunk usage, a trace per request, the energy window opened and closed (NVML on a GPU, codecarbon's CPU
and RAM); the bare side is ``openai.OpenAI().chat.completions.create(stream=True)`` read to its end. Target:
median ratio ≤ 1.05.

    python scripts/speed/engine_client_overhead.py [--rounds 5] [--requests 20] [--tokens 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmark.runner.engine import server as srv
from benchmark.runner.engine.client import Endpoint, Generation
from benchmark.runner.engine.meter import Meter
from benchmark.runner.engine.protocols import one_at_a_time
from tests.benchmark.engine.helpers import build_tiny_llama
from tests.support.tiny_datasets import build_dataset

NAME = "speed/tiny-llama"


def bare_loop(url: str, prompts: list[str], tokens: int) -> float:
    """Seconds for the prompts, one streaming request at a time, with the openai client alone."""
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key="none")
    started = time.perf_counter()
    for prompt in prompts:
        stream = client.chat.completions.create(
            model=NAME, messages=[{"role": "user", "content": prompt}], max_tokens=tokens, temperature=0.0,
            stream=True, stream_options={"include_usage": True},
            extra_body={"min_tokens": tokens, "ignore_eos": True},
        )
        for _ in stream:
            pass
    return time.perf_counter() - started


def runner_loop(url: str, prompts: list[str], tokens: int, meter: Meter) -> float:
    started = time.perf_counter()
    one_at_a_time(Endpoint(url, NAME), prompts, Generation(max_tokens=tokens, min_tokens=tokens), meter)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = build_tiny_llama(root / "tiny-llama")
        rows = (build_dataset("text_generation", root, num_rows=args.requests) / "data.jsonl").read_text()
        prompts = [json.loads(line)["text"] for line in rows.splitlines()][: args.requests]
        settings = srv.ServerSettings(model_path=str(model), served_name=NAME, dtype="bfloat16", max_model_len=512,
                                      max_num_seqs=None)
        print("starting the vLLM server (about a minute on a CPU)...", flush=True)
        with srv.launched(settings, root / srv.SERVER_LOG) as server:
            meter = Meter(())
            bare_loop(server.url, prompts[:3], args.tokens)  # warm both paths
            runner_loop(server.url, prompts[:3], args.tokens, meter)
            ratios = []
            for index in range(args.rounds):
                if index % 2 == 0:
                    ours = runner_loop(server.url, prompts, args.tokens, meter)
                    bare = bare_loop(server.url, prompts, args.tokens)
                else:
                    bare = bare_loop(server.url, prompts, args.tokens)
                    ours = runner_loop(server.url, prompts, args.tokens, meter)
                ratios.append(ours / bare)
                print(f"round {index + 1}: runner {1000 * ours / len(prompts):.2f} ms per request, bare openai "
                      f"{1000 * bare / len(prompts):.2f} ms -> {ours / bare:.3f}x", flush=True)
    ratio = statistics.median(ratios)
    print(f"median ratio runner / bare openai client: {ratio:.3f} (target ≤ 1.05)")
    return 0 if ratio <= 1.05 else 1


if __name__ == "__main__":
    raise SystemExit(main())
