package model

import (
	"fmt"

	"github.com/streamcap/streamcap/model/units"
)

// PubSubOptions are the publisher and subscriber batching settings Pub/Sub
// is billed by (its 1000-byte minimum applies per request, not per
// message). Zero fields take the client libraries' defaults from the
// price table (100 messages, 1 MB, 10 ms) and one publisher.
type PubSubOptions struct {
	// BatchMessages, BatchBytes and BatchDelay bound one publish request:
	// a publisher flushes when any is reached.
	BatchMessages int            `json:"batch_messages,omitempty" yaml:"batch_messages,omitempty"`
	BatchBytes    units.Bytes    `json:"batch_bytes,omitempty" yaml:"batch_bytes,omitempty"`
	BatchDelay    units.Duration `json:"batch_delay,omitempty" yaml:"batch_delay,omitempty"`
	// Publishers share the write rate; each batches only its own messages
	// (default 1: one ingest tier publishing for the whole fleet).
	Publishers int `json:"publishers,omitempty" yaml:"publishers,omitempty"`
	// DeliveryBatch is messages per pull / streaming-pull response (default:
	// the publish batch, as messages published together arrive together).
	DeliveryBatch int `json:"delivery_batch,omitempty" yaml:"delivery_batch,omitempty"`
}

// PubSubRequestBytes is what Pub/Sub bills for one request carrying n
// messages of msgBytes each: max(minimum, n × msgBytes). Google's own
// example: 100 messages of 500 B in one request bill 50 KB; in 100
// requests, 100 × 1 KB.
func PubSubRequestBytes(n, msgBytes, minimum float64) float64 {
	return max(minimum, n*msgBytes)
}

// pubsubBatch is the realised publish batch: clamp(rate per publisher ×
// delay, 1, max messages, max bytes / message bytes).
func pubsubBatch(rate, delay, maxMsgs, maxBytes, msgBytes float64) float64 {
	return max(1, min(rate*delay, maxMsgs, maxBytes/msgBytes))
}

// planPubSub prices Google Cloud Pub/Sub per request: each message is
// body + ordering key + 20 B timestamp + message_id; publishers batch by
// messages, bytes and delay (client defaults); every publish and every
// pull response is billed at least 1000 B; delivery counts once per
// subscription; 10 GiB free; retention storage beyond 24 h, bounded by
// the 31-day maximum (a longer retention is a warning on the row).
func planPubSub(l kinesisLoad, p *Prices, o PubSubOptions) *Alternative {
	var x explainer
	ps := &p.PubSub
	a := &Alternative{System: SystemPubSub, Title: "Google Cloud Pub/Sub", Role: RoleStream}
	const tib = 1 << 40
	secs := p.secondsPerMonth()
	subs := max(1, l.shared+l.efo)
	maxMsgs, maxBytes, delay := ps.BatchMessages.Value, ps.BatchBytes.Value, ps.BatchDelaySeconds.Value
	if o.BatchMessages > 0 {
		maxMsgs = float64(o.BatchMessages)
	}
	if o.BatchBytes > 0 {
		maxBytes = float64(o.BatchBytes)
	}
	if o.BatchDelay > 0 {
		delay = o.BatchDelay.Seconds()
	}
	pubs := max(1, o.Publishers)
	x.in("publish batching", "%s messages, %sB, %ss per request; %d publisher(s)", num(maxMsgs), num(maxBytes), num(delay), pubs)
	over := l.keyBytes + ps.MessageOverheadBytes.Value + ps.MessageIDBytes.Value
	msg := x.step("message bytes", "E[size] + ordering key + 20 B timestamp + message_id", l.size.mean()+over, "B",
		"%v + %v + %v + %v", l.size.mean(), l.keyBytes, ps.MessageOverheadBytes.Value, ps.MessageIDBytes.Value)
	rate := l.avgRecords / float64(pubs)
	n := x.step("publish batch", "clamp(rate per publisher × delay, 1, max messages, max bytes / message bytes)",
		pubsubBatch(rate, delay, maxMsgs, maxBytes, msg), "messages", "clamp(%v × %v, 1, %v, %v / %v)", rate, delay, maxMsgs, maxBytes, msg)
	minReq := ps.MinRequestBytes.Value
	perReq := func(n float64) float64 {
		if n <= 1 {
			// One message per request: the minimum applies message by message.
			return l.size.meanAtLeast(over, minReq)
		}
		return PubSubRequestBytes(n, msg, minReq)
	}
	pubReqs := l.avgRecords * secs / n
	pub := x.step("published bytes", "records/month / batch × max(1000, batch × message bytes)", pubReqs*perReq(n), "B",
		"%v / %v × %v", l.avgRecords*secs, n, perReq(n))
	db := n
	if o.DeliveryBatch > 0 {
		db = float64(o.DeliveryBatch)
	}
	del := x.step("delivered bytes", "subscriptions × records/month / delivery batch × max(1000, delivery batch × message bytes)",
		float64(subs)*l.avgRecords*secs/db*perReq(db), "B", "%v × %v / %v × %v", float64(subs), l.avgRecords*secs, db, perReq(db))
	free := min(ps.FreeBytes.Value, pub+del)
	items := []LineItem{
		newItem(fmt.Sprintf("publish throughput (%s msgs/request)", num(round3(n))), pub/tib, "TiB", ps.ThroughputTiBUSD.Value),
		newItem(fmt.Sprintf("delivery throughput (%d subscriptions, %s msgs/response)", subs, num(round3(db))), del/tib, "TiB", ps.ThroughputTiBUSD.Value),
		newItem("free tier (10 GiB)", -free/tib, "TiB", ps.ThroughputTiBUSD.Value),
	}
	ret := l.w.Retention.Seconds()
	if maxRet := ps.MaxRetentionSeconds.Value; ret > maxRet {
		a.Warnings = append(a.Warnings, fmt.Sprintf("Pub/Sub retains messages at most %s days; the workload asks for %s: priced at %s days, and a new subscriber cannot replay from day zero (no Pub/Sub setting raises the bound)",
			num(maxRet/86400), l.w.Retention, num(maxRet/86400)))
		ret = maxRet
	}
	if ret > 86400 {
		stored := x.step("retained GiB", "records/s × message bytes × retention / GiB", l.avgRecords*msg*ret/(1<<30), "GiB",
			"%v × %v × %v / %v", l.avgRecords, msg, ret, float64(1<<30))
		items = append(items, newItem("topic retention storage", stored, "GiB-month", ps.StorageGiBMonthUSD.Value))
	}
	a.Sizing = map[string]float64{"subscriptions": float64(subs), "publish_batch_messages": round3(n), "delivery_batch_messages": round3(db),
		"billed_bytes_per_message": round3(pub / (l.avgRecords * secs))}
	a.Notes = append(a.Notes, fmt.Sprintf("billed per request (at least %sB each): %s messages per publish request with %d publisher(s) at the client defaults unless set; message_id counted", num(minReq), num(round3(n)), pubs))
	a.Notes = append(a.Notes, assumptions(NamedFigure{"pubsub.message_id_bytes", ps.MessageIDBytes})...)
	return a.finish(items, &x)
}
