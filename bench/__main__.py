"""``python -m bench``: the benchmark runner of :mod:`bench.run`."""

from bench.run import main

main()
