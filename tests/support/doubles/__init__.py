"""Test doubles at the library boundaries: the Hub (HfApi, Jobs) and NVML (pynvml)."""
