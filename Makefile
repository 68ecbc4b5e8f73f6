# make test: unit tests, then the end-to-end checks
# against real Jupyter clients (scripts under .ci/ that skip nothing).
GO ?= go

.PHONY: build test unit e2e

build:
	$(GO) build -o bin/huntbook ./cmd/huntbook

unit:
	$(GO) test -count=1 ./...

e2e: build
	@for s in .ci/e2e-*.sh; do [ -e "$$s" ] || continue; echo "== $$s"; bash "$$s" || exit 1; done

test: unit e2e
