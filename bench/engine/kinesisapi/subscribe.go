package kinesisapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/streamcap/streamcap/bench/engine"
)

// subscriptionLifetime is how long a SubscribeToShard stream lasts before the server ends it;
// Kinesis ends every subscription after 5 minutes and clients subscribe again from the
// continuation sequence number.
const subscriptionLifetime = 5 * time.Minute

// eventStreamContentType is the media type of an AWS event stream response body.
const eventStreamContentType = "application/vnd.amazon.eventstream"

type startingPosition struct {
	Type           string        `json:"Type"`
	SequenceNumber string        `json:"SequenceNumber"`
	Timestamp      *epochSeconds `json:"Timestamp"`
}

type subscribeToShardInput struct {
	ConsumerARN      string            `json:"ConsumerARN"`
	ShardID          string            `json:"ShardId"`
	StartingPosition *startingPosition `json:"StartingPosition"`
}

type subscribeToShardEvent struct {
	Records                    []wireRecord `json:"Records"`
	ContinuationSequenceNumber string       `json:"ContinuationSequenceNumber"`
	MillisBehindLatest         int64        `json:"MillisBehindLatest"`
	ChildShards                []childShard `json:"ChildShards,omitempty"`
}

// streamResponse is an operation result written as a stream rather than one JSON document.
type streamResponse func(w http.ResponseWriter)

// subscribeToShard opens an enhanced fan-out subscription and returns the function that streams
// it. Errors found before the stream starts (unknown consumer, a subscription already open, a bad
// starting position) are ordinary JSON errors; errors after it started are exception events.
//
// The events are AWS event stream messages: an initial-response event, then one
// SubscribeToShardEvent per engine push (records, or a heartbeat about every 5 seconds).
// The stream is an ordinary response body, so it works over HTTP/1.1 (which the Go SDK uses for
// http:// endpoints) as well as HTTP/2.
func (h *Handler) subscribeToShard(rq *request) (any, error) {
	ctx := rq.ctx
	var in subscribeToShardInput
	if err := rq.decode(&in); err != nil {
		return nil, err
	}
	if err := required("ConsumerARN", in.ConsumerARN); err != nil {
		return nil, err
	}
	if err := required("ShardId", in.ShardID); err != nil {
		return nil, err
	}
	if in.StartingPosition == nil {
		return nil, badRequest(engine.ErrValidation, "StartingPosition: must be provided")
	}
	typ, seq, ts, err := startOf(in.StartingPosition.Type, in.StartingPosition.SequenceNumber, in.StartingPosition.Timestamp)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, subscriptionLifetime)
	stop := context.AfterFunc(h.subs, cancel) // server shutdown ends subscriptions
	ch, err := h.e.Subscribe(ctx, in.ConsumerARN, in.ShardID, typ, seq, ts)
	if err != nil {
		stop()
		cancel()
		return nil, err
	}
	return streamResponse(func(w http.ResponseWriter) {
		defer cancel()
		defer stop()
		defer func() {
			for range ch { // let the engine's pump finish
			}
		}()
		w.Header().Set("Content-Type", eventStreamContentType)
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		enc := eventstream.NewEncoder()
		send := func(msg eventstream.Message) bool {
			if err := enc.Encode(w, msg); err != nil {
				return false
			}
			return rc.Flush() == nil
		}
		if !send(event("initial-response", contentType, []byte("{}"))) {
			return
		}
		for {
			var ev engine.SubscribeEvent
			var ok bool
			select {
			case ev, ok = <-ch:
			case <-ctx.Done():
				return
			}
			if !ok {
				return
			}
			if ev.Err != nil {
				send(exception(ev.Err))
				return
			}
			payload, err := json.Marshal(toSubscribeEvent(ev))
			if err != nil || !send(event("SubscribeToShardEvent", "application/json", payload)) {
				return
			}
		}
	}), nil
}

// startOf validates a starting position shared by GetShardIterator and SubscribeToShard.
func startOf(typeName, seq string, ts *epochSeconds) (engine.IteratorType, string, time.Time, error) {
	typ := engine.IteratorType(typeName)
	switch typ {
	case engine.TrimHorizon, engine.Latest:
	case engine.AtSequenceNumber, engine.AfterSequenceNumber:
		if seq == "" {
			return "", "", time.Time{}, badRequest(engine.ErrInvalidArgument, "StartingSequenceNumber: must be provided with type %s", typ)
		}
	case engine.AtTimestamp:
		if ts == nil {
			return "", "", time.Time{}, badRequest(engine.ErrInvalidArgument, "Timestamp: must be provided with type AT_TIMESTAMP")
		}
		return typ, seq, time.Time(*ts), nil
	default:
		return "", "", time.Time{}, badRequest(engine.ErrValidation, "starting position type %q: must be one of AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP", typeName)
	}
	return typ, seq, time.Time{}, nil
}

func toSubscribeEvent(ev engine.SubscribeEvent) subscribeToShardEvent {
	out := subscribeToShardEvent{
		Records:                    toWireRecords(ev.Records),
		ContinuationSequenceNumber: ev.ContinuationSequenceNumber,
		MillisBehindLatest:         ev.MillisBehindLatest,
		ChildShards:                toChildShards(ev.ChildShards),
	}
	return out
}

func event(eventType, ct string, payload []byte) eventstream.Message {
	var m eventstream.Message
	m.Headers.Set(":message-type", eventstream.StringValue("event"))
	m.Headers.Set(":event-type", eventstream.StringValue(eventType))
	m.Headers.Set(":content-type", eventstream.StringValue(ct))
	m.Payload = payload
	return m
}

// exception is the event stream message that ends a subscription with a Kinesis error.
func exception(err error) eventstream.Message {
	code, msg := ErrInternalFailure, err.Error()
	var ee *engine.Error
	if errors.As(err, &ee) {
		code, msg = ee.Code, ee.Message
	}
	payload, _ := json.Marshal(map[string]string{"message": msg})
	var m eventstream.Message
	m.Headers.Set(":message-type", eventstream.StringValue("exception"))
	m.Headers.Set(":exception-type", eventstream.StringValue(code))
	m.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	m.Payload = payload
	return m
}
