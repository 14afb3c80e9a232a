"""The results: load and validate records, keep the latest per identity, rate them, refresh them live."""
