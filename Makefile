# tfxc: the two commands of the README.
#   make example   runs the bundled taxi pipeline's data stages (generates its data first)
#   make test      runs every test, vet, gofmt and short fuzz runs
SHELL := /bin/bash
GO    ?= go
BIN   := bin

.PHONY: all build install example test deps testdeps prism vet fmtcheck unit fuzz bench clean

all: build

deps:
	$(GO) mod download

# What the tests need beyond the build: TensorFlow's module, whose ops.pbtxt
# is the op registry every emitted graph is checked against, and the pinned
# TF.js packages the conformance tests run graphs in.
testdeps: deps prism
	$(GO) mod download github.com/tensorflow/tensorflow@v2.18.0+incompatible
	npm ci --prefix tfjs --no-audit --no-fund

# A standalone Prism job server, built from the Beam module in go.mod; the
# job-server tests of internal/beamrun run jobs on it (or on $TFXC_PRISM).
prism: deps
	$(GO) build -o $(BIN)/prism github.com/apache/beam/sdks/v2/go/cmd/prism

# tfxc and tfxc-beam side by side: tfxc run finds tfxc-beam beside itself.
build: deps
	$(GO) build -o $(BIN)/ ./cmd/tfxc ./cmd/tfxc-beam

install: deps
	$(GO) install ./cmd/...

examples/taxi/data/taxi.csv:
	$(GO) run ./examples/taxi/gendata -rows 20000 -seed 1 -o $@

example: build examples/taxi/data/taxi.csv
	$(BIN)/tfxc check examples/taxi/taxi.tfxl
	$(BIN)/tfxc run examples/taxi/taxi.tfxl

test: testdeps vet fmtcheck unit fuzz

vet:
	$(GO) vet ./...

fmtcheck:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@out=$$($(GO) run ./cmd/tfxc fmt -l $$(git ls-files 'examples/*.tfxl')); \
	if [ -n "$$out" ]; then echo "tfxc fmt would change:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test ./...

# Short fuzz runs of every fuzz target: no input may make them panic. The
# budgets are counts, not durations: with a duration, Go 1.26's fuzzing
# coordinator can report a spurious "context deadline exceeded" when the
# time runs out mid-execution (golang/go#75804, fixed in Go 1.27). Each is
# about ten seconds here.
fuzz:
	$(GO) test ./parser   -run '^$$' -fuzz '^FuzzParse$$'  -fuzztime 8000x
	$(GO) test ./frontend -run '^$$' -fuzz '^FuzzCheck$$'  -fuzztime 40000x
	$(GO) test ./schema   -run '^$$' -fuzz '^FuzzParse$$'  -fuzztime 100000x
	$(GO) test ./format   -run '^$$' -fuzz '^FuzzFormat$$' -fuzztime 30000x
	$(GO) test ./runtime/examplegen -run '^$$' -fuzz '^FuzzParse$$'   -fuzztime 20000x
	$(GO) test ./runtime/examplegen -run '^$$' -fuzz '^FuzzReadCSV$$' -fuzztime 3000x
	$(GO) test ./runtime/examplegen -run '^$$' -fuzz '^FuzzWireDecoder$$' -fuzztime 50000x

bench:
	$(GO) test ./frontend ./parser -run '^$$' -bench . -benchmem
	$(GO) test ./runtime/train ./runtime/job -run '^$$' -bench 'Epoch|Evaluate' -benchtime 5x

# The data stages of tfxc run against the same work without Beam, on
# generated taxi-like CSVs: ROWS=1000000 RUNS=3 make bench-run.
bench-run: build
	bench/run.sh $${ROWS:-1000000} $${RUNS:-3}

clean:
	rm -rf $(BIN)
