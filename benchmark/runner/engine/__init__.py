"""Language models measured as they are served: a vLLM server in its own environment (``.venv-vllm``,
made by ``bash scripts/engine.sh``), driven over its OpenAI-compatible HTTP API.

Two protocols (``protocols``): one query at a time (AI Energy Score v2's) and the steady state under load
(ML.ENERGY v3's). ``run`` checks the request, launches or reaches the server (``server``), sends the task's
prompts (``client``), reads the energy (``meter``) and makes one record per configuration, with the raw
evidence beside it (``benchmark.engine.evidence``).
"""
