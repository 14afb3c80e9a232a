"""The Space's read side: load, validate and rate results, and show them (no torch)."""
