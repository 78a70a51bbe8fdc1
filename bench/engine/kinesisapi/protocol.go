package kinesisapi

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/streamcap/streamcap/bench/engine"
)

// Wire shapes of the Kinesis JSON 1.1 protocol (service Kinesis_20131202). Field names are the
// exact member names of the Kinesis API model; blobs are base64 strings (encoding/json does that
// for []byte) and timestamps are epoch seconds, possibly fractional.

// epochSeconds is a timestamp encoded as epoch seconds with millisecond precision, as Kinesis does.
type epochSeconds time.Time

// MarshalJSON writes the time as epoch seconds with up to three decimals (1700000000.123).
func (t epochSeconds) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	sec, frac := ms/1000, ms%1000
	if frac < 0 {
		sec, frac = sec-1, frac+1000
	}
	if frac == 0 {
		return fmt.Appendf(nil, "%d", sec), nil
	}
	return []byte(strings.TrimRight(fmt.Sprintf("%d.%03d", sec, frac), "0")), nil
}

// UnmarshalJSON accepts epoch seconds as a JSON number (what the SDKs and the CLI send).
func (t *epochSeconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("timestamp %s: must be epoch seconds as a number", b)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return fmt.Errorf("timestamp %s: must be epoch seconds between 0 and 1e11", b)
	}
	sec, frac := math.Modf(f)
	*t = epochSeconds(time.Unix(int64(sec), int64(math.Round(frac*1e9))))
	return nil
}

// streamRef is the pair of members by which most operations name a stream.
type streamRef struct {
	StreamName string `json:"StreamName"`
	StreamARN  string `json:"StreamARN"`
}

type createStreamInput struct {
	StreamName         string             `json:"StreamName"`
	ShardCount         *int64             `json:"ShardCount"`
	StreamModeDetails  *streamModeDetails `json:"StreamModeDetails"`
	MaxRecordSizeInKiB *int64             `json:"MaxRecordSizeInKiB"`
	Tags               map[string]string  `json:"Tags"`
}

type streamModeDetails struct {
	StreamMode string `json:"StreamMode"`
}

type deleteStreamInput struct {
	streamRef
	EnforceConsumerDeletion bool `json:"EnforceConsumerDeletion"`
}

type describeStreamInput struct {
	streamRef
	Limit                 *int64 `json:"Limit"`
	ExclusiveStartShardID string `json:"ExclusiveStartShardId"`
}

type hashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

type sequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

type wireShard struct {
	ShardID               string              `json:"ShardId"`
	ParentShardID         string              `json:"ParentShardId,omitempty"`
	AdjacentParentShardID string              `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          hashKeyRange        `json:"HashKeyRange"`
	SequenceNumberRange   sequenceNumberRange `json:"SequenceNumberRange"`
}

func toWireShard(s engine.Shard) wireShard {
	return wireShard{
		ShardID: s.ID, ParentShardID: s.ParentShardID, AdjacentParentShardID: s.AdjacentParentShardID,
		HashKeyRange:        hashKeyRange{StartingHashKey: s.StartingHashKey, EndingHashKey: s.EndingHashKey},
		SequenceNumberRange: sequenceNumberRange{StartingSequenceNumber: s.StartingSequenceNumber, EndingSequenceNumber: s.EndingSequenceNumber},
	}
}

type enhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

type streamDescription struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails `json:"StreamModeDetails"`
	Shards                  []wireShard       `json:"Shards"`
	HasMoreShards           bool              `json:"HasMoreShards"`
	RetentionPeriodHours    int               `json:"RetentionPeriodHours"`
	StreamCreationTimestamp epochSeconds      `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics `json:"EnhancedMonitoring"`
	EncryptionType          string            `json:"EncryptionType"`
}

type describeStreamOutput struct {
	StreamDescription streamDescription `json:"StreamDescription"`
}

type streamDescriptionSummary struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails `json:"StreamModeDetails"`
	RetentionPeriodHours    int               `json:"RetentionPeriodHours"`
	StreamCreationTimestamp epochSeconds      `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics `json:"EnhancedMonitoring"`
	EncryptionType          string            `json:"EncryptionType"`
	OpenShardCount          int               `json:"OpenShardCount"`
	ConsumerCount           int               `json:"ConsumerCount"`
	MaxRecordSizeInKiB      int64             `json:"MaxRecordSizeInKiB"`
}

type describeStreamSummaryOutput struct {
	StreamDescriptionSummary streamDescriptionSummary `json:"StreamDescriptionSummary"`
}

type listStreamsInput struct {
	Limit                    *int64 `json:"Limit"`
	ExclusiveStartStreamName string `json:"ExclusiveStartStreamName"`
	NextToken                string `json:"NextToken"`
}

type streamSummary struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails `json:"StreamModeDetails"`
	StreamCreationTimestamp epochSeconds      `json:"StreamCreationTimestamp"`
}

type listStreamsOutput struct {
	StreamNames     []string        `json:"StreamNames"`
	HasMoreStreams  bool            `json:"HasMoreStreams"`
	NextToken       string          `json:"NextToken,omitempty"`
	StreamSummaries []streamSummary `json:"StreamSummaries"`
}

type shardFilter struct {
	Type      string        `json:"Type"`
	ShardID   string        `json:"ShardId"`
	Timestamp *epochSeconds `json:"Timestamp"`
}

type listShardsInput struct {
	streamRef
	NextToken               string        `json:"NextToken"`
	ExclusiveStartShardID   string        `json:"ExclusiveStartShardId"`
	MaxResults              *int64        `json:"MaxResults"`
	StreamCreationTimestamp *epochSeconds `json:"StreamCreationTimestamp"`
	ShardFilter             *shardFilter  `json:"ShardFilter"`
}

type listShardsOutput struct {
	Shards    []wireShard `json:"Shards"`
	NextToken string      `json:"NextToken,omitempty"`
}

type putRecordInput struct {
	streamRef
	Data                      []byte `json:"Data"`
	PartitionKey              string `json:"PartitionKey"`
	ExplicitHashKey           string `json:"ExplicitHashKey"`
	SequenceNumberForOrdering string `json:"SequenceNumberForOrdering"`
}

type putRecordOutput struct {
	ShardID        string `json:"ShardId"`
	SequenceNumber string `json:"SequenceNumber"`
	EncryptionType string `json:"EncryptionType"`
}

type putRecordsRequestEntry struct {
	Data            []byte `json:"Data"`
	PartitionKey    string `json:"PartitionKey"`
	ExplicitHashKey string `json:"ExplicitHashKey"`
}

type putRecordsInput struct {
	streamRef
	Records []putRecordsRequestEntry `json:"Records"`
}

type putRecordsResultEntry struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ShardID        string `json:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

type putRecordsOutput struct {
	FailedRecordCount int                     `json:"FailedRecordCount"`
	Records           []putRecordsResultEntry `json:"Records"`
	EncryptionType    string                  `json:"EncryptionType"`
}

type getShardIteratorInput struct {
	streamRef
	ShardID                string        `json:"ShardId"`
	ShardIteratorType      string        `json:"ShardIteratorType"`
	StartingSequenceNumber string        `json:"StartingSequenceNumber"`
	Timestamp              *epochSeconds `json:"Timestamp"`
}

type getShardIteratorOutput struct {
	ShardIterator string `json:"ShardIterator"`
}

type getRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         *int64 `json:"Limit"`
	StreamARN     string `json:"StreamARN"`
}

type wireRecord struct {
	SequenceNumber              string       `json:"SequenceNumber"`
	ApproximateArrivalTimestamp epochSeconds `json:"ApproximateArrivalTimestamp"`
	Data                        []byte       `json:"Data"`
	PartitionKey                string       `json:"PartitionKey"`
}

type childShard struct {
	ShardID      string       `json:"ShardId"`
	ParentShards []string     `json:"ParentShards"`
	HashKeyRange hashKeyRange `json:"HashKeyRange"`
}

type getRecordsOutput struct {
	Records            []wireRecord `json:"Records"`
	NextShardIterator  *string      `json:"NextShardIterator,omitempty"`
	MillisBehindLatest int64        `json:"MillisBehindLatest"`
	ChildShards        []childShard `json:"ChildShards,omitempty"`
}

type splitShardInput struct {
	streamRef
	ShardToSplit       string `json:"ShardToSplit"`
	NewStartingHashKey string `json:"NewStartingHashKey"`
}

type mergeShardsInput struct {
	streamRef
	ShardToMerge         string `json:"ShardToMerge"`
	AdjacentShardToMerge string `json:"AdjacentShardToMerge"`
}

type updateShardCountInput struct {
	streamRef
	TargetShardCount *int64 `json:"TargetShardCount"`
	ScalingType      string `json:"ScalingType"`
}

type updateShardCountOutput struct {
	StreamName        string `json:"StreamName"`
	StreamARN         string `json:"StreamARN,omitempty"`
	CurrentShardCount int    `json:"CurrentShardCount"`
	TargetShardCount  int    `json:"TargetShardCount"`
}

type retentionInput struct {
	streamRef
	RetentionPeriodHours *int64 `json:"RetentionPeriodHours"`
}

type consumerInput struct {
	StreamARN    string `json:"StreamARN"`
	ConsumerName string `json:"ConsumerName"`
	ConsumerARN  string `json:"ConsumerARN"`
}

type wireConsumer struct {
	ConsumerName              string       `json:"ConsumerName"`
	ConsumerARN               string       `json:"ConsumerARN"`
	ConsumerStatus            string       `json:"ConsumerStatus"`
	ConsumerCreationTimestamp epochSeconds `json:"ConsumerCreationTimestamp"`
}

type registerConsumerOutput struct {
	Consumer wireConsumer `json:"Consumer"`
}

type consumerDescription struct {
	wireConsumer
	StreamARN string `json:"StreamARN"`
}

type describeConsumerOutput struct {
	ConsumerDescription consumerDescription `json:"ConsumerDescription"`
}

type listConsumersInput struct {
	StreamARN               string        `json:"StreamARN"`
	NextToken               string        `json:"NextToken"`
	MaxResults              *int64        `json:"MaxResults"`
	StreamCreationTimestamp *epochSeconds `json:"StreamCreationTimestamp"`
}

type listConsumersOutput struct {
	Consumers []wireConsumer `json:"Consumers"`
	NextToken string         `json:"NextToken,omitempty"`
}

func toWireConsumer(c engine.Consumer) wireConsumer {
	return wireConsumer{ConsumerName: c.Name, ConsumerARN: c.ARN, ConsumerStatus: c.Status, ConsumerCreationTimestamp: epochSeconds(c.CreatedAt)}
}
