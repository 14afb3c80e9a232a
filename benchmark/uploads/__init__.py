"""Runs measured elsewhere, in the light contract (the Space checks uploads without the runner's stack):
a zip read without trusting it (``archive``), the run folder checked from its own evidence (``evidence``),
the maintainer review list in the results store and what approving publishes (``review``), and reproducing
any entry and the rule for "the same figure" (``reproduce``)."""
