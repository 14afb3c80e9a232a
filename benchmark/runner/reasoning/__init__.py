"""The reasoning task: thinking on through the model's own chat template, natural-length generation.

optimum-benchmark 0.6.0's ``energy_star`` forces ``min_new_tokens = max_new_tokens``, so it cannot
measure how long a model talks. ``scenario`` subclasses its ``EnergyStarScenario`` (reached through
the scenario config's ``_target_``, so it runs in optimum-benchmark's own spawned child with its
backend, launcher and codecarbon ``EnergyTracker``) and changes only what reasoning needs: the
prompts go through the chat template with the family's thinking switch, generation stops at end of
sequence or at the cap, and the tokens generated per query are counted and returned in the report.
``thinking`` reads a model's chat template and checks the run's options before anything runs.
"""
