package model

// PipelineOptions are the settings of the systems and consumers a plan
// compares beside Kinesis. Zero fields take their defaults.
type PipelineOptions struct {
	PubSub PubSubOptions `json:"pubsub,omitempty" yaml:"pubsub,omitempty"`
}
