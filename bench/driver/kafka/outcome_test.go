package kafka

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// produceAnswer builds the answer to a produce request: every partition
// with base offset off and error code code.
func produceAnswer(req kmsg.Request, off int64, code int16) kmsg.Response {
	pr := req.(*kmsg.ProduceRequest)
	resp := pr.ResponseKind().(*kmsg.ProduceResponse)
	for _, t := range pr.Topics {
		rt := kmsg.NewProduceResponseTopic()
		rt.Topic = t.Topic
		rt.TopicID = t.TopicID
		for _, p := range t.Partitions {
			rp := kmsg.NewProduceResponseTopicPartition()
			rp.Partition = p.Partition
			rp.BaseOffset = off
			rp.ErrorCode = code
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

// TestEveryOutcomeCountedOnce runs the benchmark against a kfake broker
// whose produce answers are faulty (no offset, a non-retriable error code,
// never answered, the connection closed) and checks each send ends in
// exactly one outcome, faulty answers are never acks, and the verdict fails
// a run with nothing acknowledged. Only counts are asserted, never time.
func TestEveryOutcomeCountedOnce(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		fault  func(c *kfake.Cluster) func(kmsg.Request) (kmsg.Response, error, bool)
		acked  bool
		errMsg string
	}{
		{"ok", nil, true, ""},
		{"ack without offset", func(c *kfake.Cluster) func(kmsg.Request) (kmsg.Response, error, bool) {
			return func(req kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				return produceAnswer(req, -1, 0), nil, true
			}
		}, false, "invalid response"},
		{"error code", func(c *kfake.Cluster) func(kmsg.Request) (kmsg.Response, error, bool) {
			return func(req kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				return produceAnswer(req, 0, kerr.InvalidRecord.Code), nil, true
			}
		}, false, "INVALID_RECORD"},
		{"never answers", func(c *kfake.Cluster) func(kmsg.Request) (kmsg.Response, error, bool) {
			return func(kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				return nil, nil, true
			}
		}, false, ""},
		{"connection closed", func(c *kfake.Cluster) func(kmsg.Request) (kmsg.Response, error, bool) {
			return func(kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				return nil, errors.New("fake reset"), true
			}
		}, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCluster(t, kfake.SeedTopics(1, "outcomes"))
			if tc.fault != nil {
				c.ControlKey(int16(kmsg.Produce), tc.fault(c))
			}
			d := newDriver(t, Options{Brokers: c.ListenAddrs(), Topic: "outcomes", DeliveryTimeout: time.Second})
			res, err := bench.Run(context.Background(), bench.Options{
				Target:   Name,
				Workload: model.Workload{Rate: units.EventRate(100), Keys: model.KeySpec{Count: 10}, RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 100}},
				Duration: 300 * time.Millisecond, Warmup: bench.NoWarmup, DrainTimeout: 2 * time.Second, Seed: 1,
			}, d)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			cn := res.Counts
			if cn.Sent == 0 {
				t.Fatal("nothing sent")
			}
			if sum := cn.Acked + cn.Errors + cn.Throttles + cn.Aborted + cn.Unfinished; sum != cn.Sent {
				t.Fatalf("outcomes sum to %d, sent %d: %+v", sum, cn.Sent, cn)
			}
			v := bench.Judge("", res, &model.SLO{MaxErrorRate: 0.01})
			if tc.acked {
				if cn.Acked != cn.Sent || !v.OK {
					t.Fatalf("acked %d of %d, verdict %+v", cn.Acked, cn.Sent, v)
				}
				return
			}
			if cn.Acked != 0 || res.Failed() != cn.Sent || cn.Errors+cn.Aborted != cn.Sent {
				t.Fatalf("acked %d, failed %d of %d: %+v (errors %v)", cn.Acked, res.Failed(), cn.Sent, cn, res.Errors)
			}
			if !v.RunFailed() {
				t.Errorf("verdict passed a run with nothing acknowledged: %+v", v)
			}
			if tc.errMsg != "" && (len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, tc.errMsg)) {
				t.Errorf("errors %v; want one mentioning %q", res.Errors, tc.errMsg)
			}
		})
	}
}
