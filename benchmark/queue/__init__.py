"""The requests queue: request records, compare-and-swap operations, the worker, maintainers, its CLI."""
