# Pai Tor (ไปต่อ). The two commands a newcomer needs: `make run` and `make test`.
GO          ?= go
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
STATICCHECK_VERSION ?= v0.8.2
BENCHTIME   ?= 1x

.PHONY: run test test-short bench lint build tidy

## run: the bot and its local chat simulator on the embedded default (http://localhost:8080/dev/chat)
run:
	$(GO) run ./cmd/paitor

## test: unit and integration tests with the race detector (PostgreSQL and Redis on localhost; see README)
test:
	$(GO) test -race -count=1 ./...

## test-short: the same without the race detector, for a quick loop
test-short:
	$(GO) test -count=1 ./...

## bench: performance figures (webhook acknowledgement, turn latency, journey, ranking, import, ...), printed
bench:
	$(GO) test -run='^$$' -bench=. -benchtime=$(BENCHTIME) -benchmem ./bot/... ./content/... ./cmd/...
	$(GO) test -run='^$$' -bench='Rank|Search|Find' -benchtime=300x -benchmem ./guidance/... ./content/place/
	$(GO) test -run='^$$' -bench='CatalogMemory|Quality|UnderstandTestSets|PlaceTestSet' -benchtime=1x -benchmem ./guidance/...

## lint: go vet and staticcheck (installed on first use)
lint:
	$(GO) vet ./...
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(STATICCHECK) ./...

## build: the paitor binary in ./bin
build:
	$(GO) build -ldflags "-X main.version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o bin/paitor ./cmd/paitor
