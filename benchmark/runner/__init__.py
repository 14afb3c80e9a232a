"""The runner: everything that needs the runner's stack (torch, transformers, optimum-benchmark, NVML)."""
