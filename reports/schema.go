package reports

import "github.com/streamcap/streamcap/bench"

// Schema names of the JSON documents streamcap writes and a report reads.
// Each document carries its name in a top-level "schema" field, so a
// reader (streamcap report) dispatches on it instead of guessing from the
// keys; the name changes when a field changes meaning. The bench result's
// is bench.SchemaVersion, a search's search.SchemaVersion.
const (
	SchemaPlan     = "streamcap.plan/v1"
	SchemaTransfer = "streamcap.transfer/v1"
	SchemaPrices   = "streamcap.prices/v1"
	SchemaVerify   = bench.SchemaVerify
)
