"""Language models measured as they are served (the light half: no process, no network, no stack).

What an engine run adds to a record (``record``), the request traces a run's client saw and the latencies
read off them (``traces``), ML.ENERGY's steady state computed from those traces (``steady``), and the raw
evidence a run writes beside its record and how it is re-checked (``evidence``): the runner
(``benchmark.runner.engine``) writes it, and ``submit-run`` re-checks an uploaded engine run from it.
"""
