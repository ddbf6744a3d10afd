.PHONY: run test ci setup bench lint
run:        ## install and run web + worker + beat with demo data
	bash bin/run
test:       ## install and run the whole test suite
	bash bin/test
ci:         ## the suite against the local PostgreSQL and Redis
	bash .ci/run
setup:
	bash bin/setup --dev
bench:      ## every benchmark script (figures go to docs/benchmarks.md)
	for f in bench/*.py; do .venv/bin/python $$f || exit 1; done
