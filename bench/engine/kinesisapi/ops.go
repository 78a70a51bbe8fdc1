package kinesisapi

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"

	"github.com/streamcap/streamcap/bench/engine"
)

// Paging defaults and bounds of the list operations, as documented for Kinesis.
const (
	defaultDescribeLimit = 100   // DescribeStream shards per page
	maxDescribeLimit     = 10000 // DescribeStream Limit upper bound
	defaultListLimit     = 100   // ListStreams, ListStreamConsumers page size
	maxListLimit         = 10000 // ListStreams Limit, ListShards/ListStreamConsumers MaxResults upper bound
	defaultListShards    = 1000  // ListShards page size
	maxGetRecordsLimit   = 10000 // GetRecords Limit upper bound
)

// checkHashKey checks a hash key member (ExplicitHashKey, NewStartingHashKey) against the pattern
// of the HashKey shape in the Kinesis API model, 0|([1-9]\d{0,38}) (API_PutRecord,
// API_PutRecordsRequestEntry, API_SplitShard): a decimal integer without sign or leading zeros.
// "0007" or "+7" would name the same number, but Kinesis refuses them, with the
// ValidationException a model constraint raises; a value that fits the pattern but exceeds
// 2^128-1 is left to the engine (InvalidArgumentException).
func checkHashKey(field, v string) error {
	ok := v == "0" || len(v) >= 1 && len(v) <= 39 && v[0] >= '1' && v[0] <= '9'
	for i := 1; ok && i < len(v); i++ {
		ok = v[i] >= '0' && v[i] <= '9'
	}
	if !ok {
		return badRequest(engine.ErrValidation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})", v, field)
	}
	return nil
}

// empty is the body of operations that answer nothing.
type empty struct{}

// dispatch decodes the body of operation op and runs it.
func (h *Handler) dispatch(op string, rq *request) (any, error) {
	switch op {
	case "CreateStream":
		return h.createStream(rq)
	case "DeleteStream":
		return h.deleteStream(rq)
	case "DescribeStream":
		return h.describeStream(rq)
	case "DescribeStreamSummary":
		return h.describeStreamSummary(rq)
	case "ListStreams":
		return h.listStreams(rq)
	case "ListShards":
		return h.listShards(rq)
	case "PutRecord":
		return h.putRecord(rq)
	case "PutRecords":
		return h.putRecords(rq)
	case "GetShardIterator":
		return h.getShardIterator(rq)
	case "GetRecords":
		return h.getRecords(rq)
	case "SplitShard":
		return h.splitShard(rq)
	case "MergeShards":
		return h.mergeShards(rq)
	case "UpdateShardCount":
		return h.updateShardCount(rq)
	case "IncreaseStreamRetentionPeriod":
		return h.retention(rq, true)
	case "DecreaseStreamRetentionPeriod":
		return h.retention(rq, false)
	case "RegisterStreamConsumer":
		return h.registerConsumer(rq)
	case "DescribeStreamConsumer":
		return h.describeConsumer(rq)
	case "ListStreamConsumers":
		return h.listConsumers(rq)
	case "DeregisterStreamConsumer":
		return h.deregisterConsumer(rq)
	case "SubscribeToShard":
		return h.subscribeToShard(rq)
	case "DescribeLimits":
		return h.describeLimits(rq)
	}
	return nil, badRequest(ErrUnknownOperation, "operation %q: not a Kinesis operation this server supports", op)
}

// streamNameOfARN extracts the stream name from a stream ARN,
// arn:aws:kinesis:REGION:ACCOUNT:stream/NAME. An ARN of another region or account names a stream
// this server cannot hold: another region is InvalidArgumentException (the request went to the
// wrong regional endpoint), another account ResourceNotFoundException (no such stream here), as
// the API reference describes them ("A specified parameter exceeds its restrictions, is not
// supported, or can't be used"; "The requested resource could not be found").
func streamNameOfARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "kinesis" {
		return "", badRequest(engine.ErrInvalidArgument, "StreamARN %q: must look like arn:aws:kinesis:REGION:ACCOUNT:stream/NAME", arn)
	}
	name, ok := strings.CutPrefix(parts[5], "stream/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", badRequest(engine.ErrInvalidArgument, "StreamARN %q: must look like arn:aws:kinesis:REGION:ACCOUNT:stream/NAME", arn)
	}
	if parts[3] != engine.ARNRegion {
		return "", badRequest(engine.ErrInvalidArgument, "StreamARN %q: region %q is not this endpoint's region %s", arn, parts[3], engine.ARNRegion)
	}
	if parts[4] != engine.AccountID {
		return "", badRequest(engine.ErrResourceNotFound, "Stream %s under account %s not found (this server holds account %s only)", name, parts[4], engine.AccountID)
	}
	return name, nil
}

// decodeNamed decodes a request of type T and resolves the stream it names
// (by StreamName or StreamARN).
func decodeNamed[T interface{ name() (string, error) }](rq *request) (T, string, error) {
	var in T
	if err := rq.decode(&in); err != nil {
		return in, "", err
	}
	name, err := in.name()
	return in, name, err
}

// name resolves the stream a request names by StreamName or StreamARN (either, or both if they agree).
func (r streamRef) name() (string, error) {
	if r.StreamARN == "" {
		if r.StreamName == "" {
			return "", badRequest(engine.ErrValidation, "either StreamName or StreamARN must be provided")
		}
		return r.StreamName, nil
	}
	n, err := streamNameOfARN(r.StreamARN)
	if err != nil {
		return "", err
	}
	if r.StreamName != "" && r.StreamName != n {
		return "", badRequest(engine.ErrInvalidArgument, "StreamName %q and StreamARN %q name different streams", r.StreamName, r.StreamARN)
	}
	return n, nil
}

// intArg checks an optional integer member against [lo, hi]; absent means def.
func intArg(field string, v *int64, def, lo, hi int64) (int, error) {
	if v == nil {
		return int(def), nil
	}
	if *v < lo || *v > hi {
		return 0, badRequest(engine.ErrValidation, "%s %d: must be between %d and %d", field, *v, lo, hi)
	}
	return int(*v), nil
}

func required(field, v string) error {
	if v == "" {
		return badRequest(engine.ErrValidation, "%s: must be provided", field)
	}
	return nil
}

func (h *Handler) createStream(rq *request) (any, error) {
	var in createStreamInput
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	if err := required("StreamName", in.StreamName); err != nil {
		return nil, err
	}
	if in.StreamModeDetails != nil && in.StreamModeDetails.StreamMode != "" && in.StreamModeDetails.StreamMode != "PROVISIONED" {
		return nil, badRequest(engine.ErrInvalidArgument, "StreamModeDetails.StreamMode %q: only PROVISIONED is emulated", in.StreamModeDetails.StreamMode)
	}
	shards, err := intArg("ShardCount", in.ShardCount, 1, 1, 1<<31-1)
	if err != nil {
		return nil, err
	}
	maxKiB, err := intArg("MaxRecordSizeInKiB", in.MaxRecordSizeInKiB, 1024, 1024, 10240)
	if err != nil {
		return nil, err
	}
	return empty{}, h.e.CreateStream(engine.CreateStreamInput{Name: in.StreamName, ShardCount: shards, MaxRecordSize: int64(maxKiB) << 10})
}

func (h *Handler) deleteStream(rq *request) (any, error) {
	in, name, err := decodeNamed[deleteStreamInput](rq)
	if err != nil {
		return nil, err
	}
	if !in.EnforceConsumerDeletion {
		cs, err := h.e.ListConsumers(name)
		if err != nil {
			return nil, err
		}
		if len(cs) > 0 {
			return nil, badRequest(engine.ErrResourceInUse, "stream %s has %d registered consumers: deregister them or set EnforceConsumerDeletion", name, len(cs))
		}
	}
	return empty{}, h.e.DeleteStream(name)
}

func streamMode() streamModeDetails { return streamModeDetails{StreamMode: "PROVISIONED"} }

func (h *Handler) describeStream(rq *request) (any, error) {
	in, name, err := decodeNamed[describeStreamInput](rq)
	if err != nil {
		return nil, err
	}
	limit, err := intArg("Limit", in.Limit, defaultDescribeLimit, 1, maxDescribeLimit)
	if err != nil {
		return nil, err
	}
	d, err := h.e.DescribeStream(name)
	if err != nil {
		return nil, err
	}
	shards := afterShard(d.Shards, in.ExclusiveStartShardID)
	more := len(shards) > limit
	if more {
		shards = shards[:limit]
	}
	out := describeStreamOutput{StreamDescription: streamDescription{
		StreamName: d.Name, StreamARN: d.ARN, StreamStatus: d.Status, StreamModeDetails: streamMode(),
		Shards: make([]wireShard, 0, len(shards)), HasMoreShards: more, RetentionPeriodHours: d.RetentionHours,
		StreamCreationTimestamp: epochSeconds(d.CreatedAt), EnhancedMonitoring: noMetrics(), EncryptionType: "NONE",
	}}
	for _, s := range shards {
		out.StreamDescription.Shards = append(out.StreamDescription.Shards, toWireShard(s))
	}
	return out, nil
}

func noMetrics() []enhancedMetrics { return []enhancedMetrics{{ShardLevelMetrics: []string{}}} }

// afterShard returns the shards after the one with ID after (shard IDs sort by creation); "" means all.
func afterShard(shards []engine.Shard, after string) []engine.Shard {
	if after == "" {
		return shards
	}
	i := sort.Search(len(shards), func(i int) bool { return shards[i].ID > after })
	return shards[i:]
}

func (h *Handler) describeStreamSummary(rq *request) (any, error) {
	_, name, err := decodeNamed[streamRef](rq)
	if err != nil {
		return nil, err
	}
	d, err := h.e.DescribeStream(name)
	if err != nil {
		return nil, err
	}
	return describeStreamSummaryOutput{StreamDescriptionSummary: streamDescriptionSummary{
		StreamName: d.Name, StreamARN: d.ARN, StreamStatus: d.Status, StreamModeDetails: streamMode(),
		RetentionPeriodHours: d.RetentionHours, StreamCreationTimestamp: epochSeconds(d.CreatedAt),
		EnhancedMonitoring: noMetrics(), EncryptionType: "NONE", OpenShardCount: d.OpenShardCount,
		ConsumerCount: d.ConsumerCount, MaxRecordSizeInKiB: d.MaxRecordSize >> 10,
	}}, nil
}

func (h *Handler) listStreams(rq *request) (any, error) {
	var in listStreamsInput
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	limit, err := intArg("Limit", in.Limit, defaultListLimit, 1, maxListLimit)
	if err != nil {
		return nil, err
	}
	after := in.ExclusiveStartStreamName
	if in.NextToken != "" {
		if after, err = decodeToken("NextToken", in.NextToken, "streams"); err != nil {
			return nil, err
		}
	}
	names := h.e.ListStreams()
	i := sort.SearchStrings(names, after)
	if i < len(names) && names[i] == after {
		i++
	}
	names = names[i:]
	out := listStreamsOutput{StreamNames: []string{}, StreamSummaries: []streamSummary{}}
	if len(names) > limit {
		names, out.HasMoreStreams = names[:limit], true
		out.NextToken = encodeToken("streams", names[limit-1])
	}
	for _, n := range names {
		d, err := h.e.DescribeStream(n)
		if err != nil {
			continue // deleted meanwhile
		}
		out.StreamNames = append(out.StreamNames, n)
		out.StreamSummaries = append(out.StreamSummaries, streamSummary{
			StreamName: d.Name, StreamARN: d.ARN, StreamStatus: d.Status, StreamModeDetails: streamMode(),
			StreamCreationTimestamp: epochSeconds(d.CreatedAt),
		})
	}
	return out, nil
}

// Paging tokens are opaque to clients: base64url of "KIND\x00SCOPE\x00AFTER".

func encodeToken(kind string, parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + "\x00" + strings.Join(parts, "\x00")))
}

// decodeToken returns the parts of a token of the given kind.
func decodeToken(field, tok, kind string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	rest, ok := strings.CutPrefix(string(b), kind+"\x00")
	if err != nil || !ok {
		return "", badRequest(engine.ErrInvalidArgument, "%s %q: not a token this server issued for this operation", field, tok)
	}
	return rest, nil
}

func (h *Handler) listShards(rq *request) (any, error) {
	var in listShardsInput
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	limit, err := intArg("MaxResults", in.MaxResults, defaultListShards, 1, maxListLimit)
	if err != nil {
		return nil, err
	}
	var name, after string
	if in.NextToken != "" {
		rest, err := decodeToken("NextToken", in.NextToken, "shards")
		if err != nil {
			return nil, err
		}
		name, after, _ = strings.Cut(rest, "\x00")
		if in.StreamName != "" && in.StreamName != name {
			return nil, badRequest(engine.ErrInvalidArgument, "NextToken was issued for stream %s, not %s", name, in.StreamName)
		}
	} else {
		if name, err = in.name(); err != nil {
			return nil, err
		}
		after = in.ExclusiveStartShardID
	}
	d, err := h.e.DescribeStream(name)
	if err != nil {
		return nil, err
	}
	shards, err := filterShards(d.Shards, in.ShardFilter)
	if err != nil {
		return nil, err
	}
	shards = afterShard(shards, after)
	out := listShardsOutput{Shards: make([]wireShard, 0, min(len(shards), limit))}
	if len(shards) > limit {
		shards = shards[:limit]
		out.NextToken = encodeToken("shards", name, shards[limit-1].ID)
	}
	for _, s := range shards {
		out.Shards = append(out.Shards, toWireShard(s))
	}
	return out, nil
}

// filterShards applies a ListShards ShardFilter. AT_LATEST keeps the open shards; AFTER_SHARD_ID
// keeps shards created after the given one; the trim-horizon and timestamp filters keep every
// retained shard (closed shards stay listed until the stream is deleted).
func filterShards(shards []engine.Shard, f *shardFilter) ([]engine.Shard, error) {
	if f == nil || f.Type == "" {
		return shards, nil
	}
	switch f.Type {
	case "AT_LATEST":
		var open []engine.Shard
		for _, s := range shards {
			if s.EndingSequenceNumber == "" {
				open = append(open, s)
			}
		}
		return open, nil
	case "AFTER_SHARD_ID":
		if err := required("ShardFilter.ShardId", f.ShardID); err != nil {
			return nil, err
		}
		return afterShard(shards, f.ShardID), nil
	case "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_TIMESTAMP", "FROM_TIMESTAMP":
		return shards, nil
	}
	return nil, badRequest(engine.ErrValidation, "ShardFilter.Type %q: must be one of AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP", f.Type)
}

func (h *Handler) putRecord(rq *request) (any, error) {
	in, name, err := decodeNamed[putRecordInput](rq)
	if err != nil {
		return nil, err
	}
	if in.Data == nil {
		return nil, badRequest(engine.ErrValidation, "Data: must be provided")
	}
	if in.ExplicitHashKey != "" {
		if err := checkHashKey("explicitHashKey", in.ExplicitHashKey); err != nil {
			return nil, err
		}
	}
	res, err := h.e.PutRecord(name, engine.Record{PartitionKey: in.PartitionKey, ExplicitHashKey: in.ExplicitHashKey, Data: in.Data})
	if err != nil {
		return nil, err
	}
	return putRecordOutput{ShardID: res.ShardID, SequenceNumber: res.SequenceNumber, EncryptionType: "NONE"}, nil
}

func (h *Handler) putRecords(rq *request) (any, error) {
	in, ok := putRecordsInput{}, false
	if rq.codec == codecJSON {
		arena, _ := h.arenas.Get().(*[]byte)
		if arena == nil {
			arena = new([]byte)
		}
		var used []byte
		in, used, ok = decodePutRecordsFastInto(rq.body, *arena)
		defer func() { // the engine copies what it keeps, so the decoded blobs die with this call
			if cap(used) <= maxPooledArena {
				*arena = used
				h.arenas.Put(arena)
			}
		}()
	}
	if !ok {
		in = putRecordsInput{}
		if err := rq.decode(&in); err != nil {
			return nil, err
		}
	}
	return h.putRecordsIn(in)
}

// putRecordsIn runs a decoded PutRecords request.
func (h *Handler) putRecordsIn(in putRecordsInput) (any, error) {
	name, err := in.name()
	if err != nil {
		return nil, err
	}
	recs := make([]engine.Record, len(in.Records))
	for i, r := range in.Records {
		if r.Data == nil {
			return nil, badRequest(engine.ErrValidation, "Records[%d].Data: must be provided", i)
		}
		if r.ExplicitHashKey != "" {
			if err := checkHashKey(fmt.Sprintf("records.%d.member.explicitHashKey", i+1), r.ExplicitHashKey); err != nil {
				return nil, err
			}
		}
		recs[i] = engine.Record{PartitionKey: r.PartitionKey, ExplicitHashKey: r.ExplicitHashKey, Data: r.Data}
	}
	res, err := h.e.PutRecords(name, recs)
	if err != nil {
		return nil, err
	}
	out := putRecordsOutput{Records: make([]putRecordsResultEntry, len(res)), EncryptionType: "NONE"}
	for i, r := range res {
		if r.ErrorCode != "" {
			out.FailedRecordCount++
		}
		out.Records[i] = putRecordsResultEntry{SequenceNumber: r.SequenceNumber, ShardID: r.ShardID, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
	}
	return out, nil
}

func (h *Handler) getShardIterator(rq *request) (any, error) {
	in, name, err := decodeNamed[getShardIteratorInput](rq)
	if err != nil {
		return nil, err
	}
	if err := required("ShardId", in.ShardID); err != nil {
		return nil, err
	}
	typ, seq, ts, err := startOf(in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp)
	if err != nil {
		return nil, err
	}
	it, err := h.e.GetShardIterator(name, in.ShardID, typ, seq, ts)
	if err != nil {
		return nil, err
	}
	return getShardIteratorOutput{ShardIterator: it}, nil
}

func (h *Handler) getRecords(rq *request) (any, error) {
	var in getRecordsInput
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	if err := required("ShardIterator", in.ShardIterator); err != nil {
		return nil, err
	}
	// API_GetRecords: "If you specify a value that is greater than 10,000, GetRecords throws
	// InvalidArgumentException"; below the model's minimum of 1 is a ValidationException.
	if in.Limit != nil && *in.Limit > maxGetRecordsLimit {
		return nil, badRequest(engine.ErrInvalidArgument, "Limit %d: must be at most %d", *in.Limit, maxGetRecordsLimit)
	}
	limit, err := intArg("Limit", in.Limit, 0, 1, maxGetRecordsLimit)
	if err != nil {
		return nil, err
	}
	// The records are read into pooled buffers, handed back once the answer is written: a
	// consumer polling a busy shard then costs the server no fresh memory per call.
	bufs := h.reads.Get().(*engine.ReadBuffers)
	res, err := h.e.GetRecordsInto(in.ShardIterator, limit, bufs)
	rq.written = func() {
		if cap(bufs.Data) <= maxPooledReadBytes {
			clear(bufs.Records[:cap(bufs.Records)]) // no pointers into the old answer stay reachable
			h.reads.Put(bufs)
		}
	}
	if err != nil {
		return nil, err
	}
	out := getRecordsOutput{Records: toWireRecords(res.Records), MillisBehindLatest: res.MillisBehindLatest, ChildShards: toChildShards(res.ChildShards)}
	if res.NextShardIterator != "" {
		out.NextShardIterator = &res.NextShardIterator
	}
	return out, nil
}

// maxPooledReadBytes bounds the read buffers kept for reuse: a 10 MiB answer's are let go.
const maxPooledReadBytes = 2 << 20

func toWireRecords(rs []engine.StoredRecord) []wireRecord {
	out := make([]wireRecord, len(rs))
	for i, r := range rs {
		out[i] = wireRecord{SequenceNumber: r.SequenceNumber, ApproximateArrivalTimestamp: epochSeconds(r.ArrivalTime), Data: r.Data, PartitionKey: r.PartitionKey}
	}
	return out
}

func toChildShards(cs []engine.Shard) []childShard {
	var out []childShard
	for _, c := range cs {
		parents := []string{c.ParentShardID}
		if c.AdjacentParentShardID != "" {
			parents = append(parents, c.AdjacentParentShardID)
		}
		out = append(out, childShard{ShardID: c.ID, ParentShards: parents,
			HashKeyRange: hashKeyRange{StartingHashKey: c.StartingHashKey, EndingHashKey: c.EndingHashKey}})
	}
	return out
}

func (h *Handler) splitShard(rq *request) (any, error) {
	in, name, err := decodeNamed[splitShardInput](rq)
	if err != nil {
		return nil, err
	}
	if err := required("ShardToSplit", in.ShardToSplit); err != nil {
		return nil, err
	}
	if err := required("NewStartingHashKey", in.NewStartingHashKey); err != nil {
		return nil, err
	}
	if err := checkHashKey("newStartingHashKey", in.NewStartingHashKey); err != nil {
		return nil, err
	}
	return empty{}, h.e.SplitShard(name, in.ShardToSplit, in.NewStartingHashKey)
}

func (h *Handler) mergeShards(rq *request) (any, error) {
	in, name, err := decodeNamed[mergeShardsInput](rq)
	if err != nil {
		return nil, err
	}
	if err := required("ShardToMerge", in.ShardToMerge); err != nil {
		return nil, err
	}
	if err := required("AdjacentShardToMerge", in.AdjacentShardToMerge); err != nil {
		return nil, err
	}
	return empty{}, h.e.MergeShards(name, in.ShardToMerge, in.AdjacentShardToMerge)
}

func (h *Handler) updateShardCount(rq *request) (any, error) {
	in, name, err := decodeNamed[updateShardCountInput](rq)
	if err != nil {
		return nil, err
	}
	if in.TargetShardCount == nil {
		return nil, badRequest(engine.ErrValidation, "TargetShardCount: must be provided")
	}
	target, err := intArg("TargetShardCount", in.TargetShardCount, 0, 1, 1<<31-1)
	if err != nil {
		return nil, err
	}
	// ScalingType is a required member (API_UpdateShardCount: "Required: Yes"), and
	// UNIFORM_SCALING its only value.
	if in.ScalingType == "" {
		return nil, badRequest(engine.ErrValidation, "1 validation error detected: Value null at 'scalingType' failed to satisfy constraint: Member must not be null")
	}
	if in.ScalingType != "UNIFORM_SCALING" {
		return nil, badRequest(engine.ErrValidation, "ScalingType %q: must be UNIFORM_SCALING", in.ScalingType)
	}
	cur, err := h.e.UpdateShardCount(name, target)
	if err != nil {
		return nil, err
	}
	return updateShardCountOutput{StreamName: name, StreamARN: in.StreamARN, CurrentShardCount: cur, TargetShardCount: target}, nil
}

func (h *Handler) retention(rq *request, increase bool) (any, error) {
	in, name, err := decodeNamed[retentionInput](rq)
	if err != nil {
		return nil, err
	}
	if in.RetentionPeriodHours == nil {
		return nil, badRequest(engine.ErrValidation, "RetentionPeriodHours: must be provided")
	}
	hours, err := intArg("RetentionPeriodHours", in.RetentionPeriodHours, 0, 0, 1<<31-1)
	if err != nil {
		return nil, err
	}
	if increase {
		return empty{}, h.e.IncreaseRetention(name, hours)
	}
	return empty{}, h.e.DecreaseRetention(name, hours)
}

func (h *Handler) registerConsumer(rq *request) (any, error) {
	var in consumerInput
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	if err := required("StreamARN", in.StreamARN); err != nil {
		return nil, err
	}
	if err := required("ConsumerName", in.ConsumerName); err != nil {
		return nil, err
	}
	name, err := streamNameOfARN(in.StreamARN)
	if err != nil {
		return nil, err
	}
	c, err := h.e.RegisterConsumer(name, in.ConsumerName)
	if err != nil {
		return nil, err
	}
	return registerConsumerOutput{Consumer: toWireConsumer(c)}, nil
}

// consumerStream resolves the stream of a consumer request: by StreamARN, or "" when the
// consumer is named by its ARN.
func (in consumerInput) consumerStream() (string, error) {
	if in.ConsumerARN != "" {
		return "", nil
	}
	if in.StreamARN == "" || in.ConsumerName == "" {
		return "", badRequest(engine.ErrInvalidArgument, "consumer: give ConsumerARN, or both StreamARN and ConsumerName")
	}
	return streamNameOfARN(in.StreamARN)
}

func (h *Handler) describeConsumer(rq *request) (any, error) {
	var in consumerInput
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	stream, err := in.consumerStream()
	if err != nil {
		return nil, err
	}
	c, err := h.e.DescribeConsumer(stream, in.ConsumerName, in.ConsumerARN)
	if err != nil {
		return nil, err
	}
	return describeConsumerOutput{ConsumerDescription: consumerDescription{wireConsumer: toWireConsumer(c), StreamARN: c.StreamARN}}, nil
}

func (h *Handler) deregisterConsumer(rq *request) (any, error) {
	var in consumerInput
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	stream, err := in.consumerStream()
	if err != nil {
		return nil, err
	}
	return empty{}, h.e.DeregisterConsumer(stream, in.ConsumerName, in.ConsumerARN)
}

func (h *Handler) listConsumers(rq *request) (any, error) {
	var in listConsumersInput
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	if err := required("StreamARN", in.StreamARN); err != nil {
		return nil, err
	}
	name, err := streamNameOfARN(in.StreamARN)
	if err != nil {
		return nil, err
	}
	limit, err := intArg("MaxResults", in.MaxResults, defaultListLimit, 1, maxListLimit)
	if err != nil {
		return nil, err
	}
	cs, err := h.e.ListConsumers(name)
	if err != nil {
		return nil, err
	}
	if in.NextToken != "" {
		after, err := decodeToken("NextToken", in.NextToken, "consumers")
		if err != nil {
			return nil, err
		}
		i := 0
		for i < len(cs) && cs[i].ARN != after {
			i++
		}
		cs = cs[min(i+1, len(cs)):]
	}
	out := listConsumersOutput{Consumers: make([]wireConsumer, 0, min(len(cs), limit))}
	if len(cs) > limit {
		cs = cs[:limit]
		out.NextToken = encodeToken("consumers", cs[limit-1].ARN)
	}
	for _, c := range cs {
		out.Consumers = append(out.Consumers, toWireConsumer(c))
	}
	return out, nil
}

type describeLimitsOutput struct {
	ShardLimit               int `json:"ShardLimit"`
	OpenShardCount           int `json:"OpenShardCount"`
	OnDemandStreamCount      int `json:"OnDemandStreamCount"`
	OnDemandStreamCountLimit int `json:"OnDemandStreamCountLimit"`
}

// onDemandStreamCountLimit is the default number of on-demand streams per account
// (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html); the engine
// emulates provisioned streams only, so its count is always 0.
const onDemandStreamCountLimit = 50

// describeLimits reports the account shard quota the engine enforces with limits on and the open
// shards of all streams (API_DescribeLimits).
func (h *Handler) describeLimits(rq *request) (any, error) {
	var in empty
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	open, limit := h.e.ShardLimits()
	return describeLimitsOutput{ShardLimit: limit, OpenShardCount: open, OnDemandStreamCountLimit: onDemandStreamCountLimit}, nil
}
