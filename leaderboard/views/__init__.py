"""Plain values per feature (tables, summary, model page, compare, trade-off, Pareto, equivalences)."""
