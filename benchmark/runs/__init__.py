"""A run folder and what becomes of it, in the light contract (no runner stack): the names of its
files (``files``), its raw optimum-benchmark reports turned into repeats and the score (``scoring``,
the runner's own code, so anyone can score a run again from its reports), and publishing it to a
results store (``publish``)."""
