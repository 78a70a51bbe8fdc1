package kinesisapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// awsCLI is Debian's AWS CLI v2 (package awscli). It is called by absolute path because an `aws`
// earlier on PATH may be a pip-installed v1.
const awsCLI = "/usr/bin/aws"

// targetRecorder remembers the X-Amz-Target and Content-Type of every request it passes on.
type targetRecorder struct {
	next http.Handler
	mu   sync.Mutex
	seen map[string]string // operation → content type
}

func (rec *targetRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.seen[strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)] = r.Header.Get("Content-Type")
	rec.mu.Unlock()
	rec.next.ServeHTTP(w, r)
}

// TestAWSCLI drives the server with the real AWS CLI v2: create, put, get, split, merge, list,
// delete, asserting its JSON output. It is skipped when /usr/bin/aws is missing, unless
// STREAMCAP_REQUIRE_AWSCLI=1 (CI), where that is a failure.
func TestAWSCLI(t *testing.T) {
	if _, err := os.Stat(awsCLI); err != nil {
		if os.Getenv("STREAMCAP_REQUIRE_AWSCLI") == "1" {
			t.Fatalf("STREAMCAP_REQUIRE_AWSCLI=1 but %s is missing (apt-get install -y awscli): %v", awsCLI, err)
		}
		t.Skipf("%s not installed (apt-get install -y awscli); set STREAMCAP_REQUIRE_AWSCLI=1 to make this a failure", awsCLI)
	}
	t.Parallel()
	rec := &targetRecorder{seen: map[string]string{}}
	// SigV4 checking is on: every CLI call (signed by botocore, a second implementation besides the
	// Go SDK's) must verify against the credentials x / y.
	ts := newTestServer(t, serverConfig{opts: HandlerOptions{Auth: &Credentials{AccessKeyID: "x", SecretAccessKey: "y"}}, wrap: func(h http.Handler) http.Handler { rec.next = h; return rec }})
	home := t.TempDir()

	aws := func(args ...string) map[string]any {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		full := append([]string{"--endpoint-url", ts.srv.URL, "--output", "json", "--no-cli-pager", "kinesis"}, args...)
		cmd := exec.CommandContext(ctx, awsCLI, full...)
		cmd.Env = []string{
			"HOME=" + home, "PATH=/usr/bin:/bin",
			"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=" + home + "/config", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/credentials",
			"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=",
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("aws kinesis %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr.String())
		}
		out := map[string]any{}
		if s := bytes.TrimSpace(stdout.Bytes()); len(s) > 0 {
			if err := json.Unmarshal(s, &out); err != nil {
				t.Fatalf("aws kinesis %s: output %q is not JSON: %v", args[0], s, err)
			}
		}
		return out
	}
	str := func(v any) string { return fmt.Sprint(v) }

	aws("create-stream", "--stream-name", "cli", "--shard-count", "2")
	shards := aws("list-shards", "--stream-name", "cli")["Shards"].([]any)
	if len(shards) != 2 {
		t.Fatalf("list-shards after create: %d shards, want 2", len(shards))
	}
	put := aws("put-record", "--stream-name", "cli", "--partition-key", "k", "--explicit-hash-key", "0",
		"--cli-binary-format", "raw-in-base64-out", "--data", "hello")
	if str(put["ShardId"]) != shard0 || str(put["SequenceNumber"]) == "" {
		t.Fatalf("put-record = %v, want shard %s and a sequence number", put, shard0)
	}
	it := aws("get-shard-iterator", "--stream-name", "cli", "--shard-id", shard0, "--shard-iterator-type", "TRIM_HORIZON")
	got := aws("get-records", "--shard-iterator", str(it["ShardIterator"]))
	recs := got["Records"].([]any)
	if len(recs) != 1 {
		t.Fatalf("get-records = %v, want one record", got)
	}
	r := recs[0].(map[string]any)
	// The CLI prints blobs base64-encoded: "hello" is aGVsbG8=.
	if str(r["Data"]) != "aGVsbG8=" || str(r["PartitionKey"]) != "k" || str(r["SequenceNumber"]) != str(put["SequenceNumber"]) {
		t.Fatalf("record = %v, want Data aGVsbG8=, key k, sequence %v", r, put["SequenceNumber"])
	}
	aws("split-shard", "--stream-name", "cli", "--shard-to-split", shard0, "--new-starting-hash-key", "85070591730234615865843651857942052864")
	aws("merge-shards", "--stream-name", "cli", "--shard-to-merge", shard2, "--adjacent-shard-to-merge", shard3)
	shards = aws("list-shards", "--stream-name", "cli")["Shards"].([]any)
	var lineage []string
	for _, s := range shards {
		m := s.(map[string]any)
		lineage = append(lineage, fmt.Sprintf("%v<%v+%v", m["ShardId"], m["ParentShardId"], m["AdjacentParentShardId"]))
	}
	want := []string{
		shard0 + "<<nil>+<nil>", shard1 + "<<nil>+<nil>", shard2 + "<" + shard0 + "+<nil>",
		shard3 + "<" + shard0 + "+<nil>", shard4 + "<" + shard2 + "+" + shard3,
	}
	if strings.Join(lineage, " ") != strings.Join(want, " ") {
		t.Fatalf("lineage after split and merge\n got %v\nwant %v", lineage, want)
	}
	aws("delete-stream", "--stream-name", "cli")
	if names := aws("list-streams")["StreamNames"].([]any); len(names) != 0 {
		t.Fatalf("list-streams after delete = %v, want none", names)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for op, ct := range rec.seen {
		t.Logf("aws cli sent %s as %q", op, ct)
		if ct != contentType {
			t.Errorf("aws cli sent %s with Content-Type %q, want %s", op, ct, contentType)
		}
	}
}
