"""Quality beside energy, in the light contract: each task's declared benchmark (``benchmarks``) and
the quality record, a figure of its own — model, task, benchmark, metric, value, source, settings —
stored beside the results and read with the same hostile-input rules (``record``). It never changes an
energy figure or a star."""
