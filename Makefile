# The two commands of the README:
#   make main   set up, run the main experiment (every strategy of the essay) and write the charts under results/
#   make test   set up, lint and run the whole test suite
.PHONY: main test setup

setup:
	bash scripts/setup.sh

main: setup
	.venv/bin/sim main

test: setup
	.venv/bin/ruff check sim tests benchmarks experiments
	.venv/bin/python -m pytest
