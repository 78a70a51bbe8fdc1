package reports

// Schema names of the JSON documents the plan, transfer and prices
// renderers write. Each document carries its name in a top-level "schema"
// field, so a reader (streamcap report) dispatches on it instead of
// guessing from the keys; the name changes when a field changes meaning.
const (
	SchemaPlan     = "streamcap.plan/v1"
	SchemaTransfer = "streamcap.transfer/v1"
	SchemaPrices   = "streamcap.prices/v1"
)
