package kube

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
)

var t0 = time.Date(2026, 12, 1, 21, 0, 30, 0, time.UTC)

func testOptions() Options {
	return Options{
		Name: "kds", Namespace: "load", Image: "registry.example/streamcap:1.0", Workers: 3,
		ScenarioFile: "kds-3000x1kb.yaml", Scenario: []byte("name: kds\nrate: 3000/s\n"),
		StartAt: t0, Now: t0.Add(-30 * time.Second), RunFor: 2 * time.Minute,
		Args: []string{"--target", "kinesis", "--endpoint", "http://kinesis.load.svc:4567"},
	}
}

// strictDecoder decodes YAML or JSON into the upstream types and fails on
// any field the API does not know, as the API server's strict field
// validation does.
func strictDecoder(t *testing.T) runtime.Decoder {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := batchv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Yaml: true, Strict: true})
}

func TestManifestsDecodeStrictly(t *testing.T) {
	objs, err := Manifests(testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteYAML(&buf, objs); err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(buf.String(), "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("%d YAML documents; want 2 (ConfigMap, Job):\n%s", len(docs), buf.String())
	}
	dec := strictDecoder(t)
	cmObj, _, err := dec.Decode([]byte(docs[0]), nil, nil)
	if err != nil {
		t.Fatalf("ConfigMap: %v\n%s", err, docs[0])
	}
	cm := cmObj.(*corev1.ConfigMap)
	if cm.Name != "kds" || cm.Namespace != "load" || cm.Data["kds-3000x1kb.yaml"] != "name: kds\nrate: 3000/s\n" {
		t.Errorf("ConfigMap %s/%s data %v", cm.Namespace, cm.Name, cm.Data)
	}
	jobObj, _, err := dec.Decode([]byte(docs[1]), nil, nil)
	if err != nil {
		t.Fatalf("Job: %v\n%s", err, docs[1])
	}
	job := jobObj.(*batchv1.Job)
	s := job.Spec
	if *s.CompletionMode != batchv1.IndexedCompletion || *s.Completions != 3 || *s.Parallelism != 3 || *s.BackoffLimitPerIndex != 0 {
		t.Errorf("job spec: mode %v completions %d parallelism %d backoff per index %d", *s.CompletionMode, *s.Completions, *s.Parallelism, *s.BackoffLimitPerIndex)
	}
	if s.PodFailurePolicy == nil || len(s.PodFailurePolicy.Rules) != 2 || s.PodFailurePolicy.Rules[0].Action != batchv1.PodFailurePolicyActionFailJob {
		t.Errorf("pod failure policy %+v", s.PodFailurePolicy)
	}
	// Wait 30 s + run 120 s + 60 s slack.
	if *s.ActiveDeadlineSeconds != 210 {
		t.Errorf("active deadline %d s; want 210", *s.ActiveDeadlineSeconds)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 {
		t.Fatalf("pod: restart %v, %d containers", pod.RestartPolicy, len(pod.Containers))
	}
	c := pod.Containers[0]
	want := "bench /etc/streamcap/kds-3000x1kb.yaml --target kinesis --endpoint http://kinesis.load.svc:4567 --workers 3 --start-at 2026-12-01T21:00:30Z --emit-result --quiet"
	if got := strings.Join(c.Args, " "); got != want {
		t.Errorf("args\n %s\nwant\n %s", got, want)
	}
	if c.Image != "registry.example/streamcap:1.0" || c.VolumeMounts[0].MountPath != ScenarioDir || pod.Volumes[0].ConfigMap.Name != "kds" {
		t.Errorf("container %+v volumes %+v", c, pod.Volumes)
	}
	if *pod.SecurityContext.RunAsNonRoot != true || *c.SecurityContext.ReadOnlyRootFilesystem != true {
		t.Error("pods must run as non-root with a read-only root filesystem")
	}

	// JSON, as a v1 List, decodes strictly too.
	buf.Reset()
	if err := WriteJSON(&buf, objs); err != nil {
		t.Fatal(err)
	}
	var list corev1.List
	if _, _, err := dec.Decode(buf.Bytes(), nil, &list); err != nil {
		t.Fatalf("JSON list: %v", err)
	}
	if len(list.Items) != 2 {
		t.Fatalf("list has %d items", len(list.Items))
	}
	for i, it := range list.Items {
		if _, _, err := dec.Decode(it.Raw, nil, nil); err != nil {
			t.Errorf("list item %d: %v", i, err)
		}
	}
}

// A strict decoder is what makes the test above mean something: it
// refuses a field the API does not have.
func TestStrictDecoderRefusesUnknownFields(t *testing.T) {
	bad := "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: x\nspec:\n  completionsMode: Indexed\n"
	if _, _, err := strictDecoder(t).Decode([]byte(bad), nil, nil); err == nil || !strings.Contains(err.Error(), "completionsMode") {
		t.Fatalf("err %v; want the unknown field named", err)
	}
}

func TestResultsClaimAndFlagsOnlyRun(t *testing.T) {
	o := testOptions()
	o.Scenario, o.ResultsClaim = nil, "bench-results"
	objs, err := Manifests(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 {
		t.Fatalf("%d objects; want the Job alone without a scenario", len(objs))
	}
	pod := objs[0].(*batchv1.Job).Spec.Template.Spec
	args := strings.Join(pod.Containers[0].Args, " ")
	if !strings.HasSuffix(args, "--out /results/kds-{index}.json") || pod.Volumes[0].PersistentVolumeClaim.ClaimName != "bench-results" {
		t.Errorf("args %q volumes %+v", args, pod.Volumes)
	}
}

func TestBadOptionsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.Image = "" }, "image: required"},
		{func(o *Options) { o.Workers = 0 }, "workers 0: must be between 1 and 10000"},
		{func(o *Options) { o.Name = "Bench_1" }, `name "Bench_1"`},
		{func(o *Options) { o.Namespace = "-x" }, `namespace "-x"`},
		{func(o *Options) { o.CPU = "two" }, `cpu "two": not a Kubernetes quantity`},
		{func(o *Options) { o.StartAt = time.Time{} }, "start-at: required"},
		{func(o *Options) { o.Args = append(o.Args, "--workers=4") }, "bench flag --workers: set by the manifest itself"},
	} {
		o := testOptions()
		tc.edit(&o)
		_, err := Manifests(o)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("err %v; want %q", err, tc.want)
		}
	}
}

// JobLogs asks kubectl for the whole, pod-prefixed logs of exactly the pods
// the manifests label with the Job's name. A stand-in kubectl (a script)
// echoes the arguments it was given.
func TestJobLogsAsksKubectlForTheJobsPods(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "kubectl")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := JobLogs(t.Context(), script, "perf", "load-1", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := "logs --namespace perf --selector " + InstanceLabel + "=load-1 --tail=-1 --max-log-requests 10000 --prefix\n"
	if string(out) != want {
		t.Errorf("kubectl ran with %q, want %q", out, want)
	}
	o := testOptions()
	o.Name = "load-1"
	objs, err := Manifests(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if m, ok := o.(interface{ GetLabels() map[string]string }); ok && m.GetLabels()[InstanceLabel] != "load-1" {
			t.Errorf("%T lacks the %s label JobLogs selects by: %v", o, InstanceLabel, m.GetLabels())
		}
	}
	// kubectl logs selects pods, which carry the Job's pod-template labels.
	pods := 0
	for _, o := range objs {
		if j, ok := o.(*batchv1.Job); ok {
			pods++
			if got := j.Spec.Template.Labels[InstanceLabel]; got != "load-1" {
				t.Errorf("the Job's pod template has %s=%q, want load-1 (JobLogs would find no pod)", InstanceLabel, got)
			}
		}
	}
	if pods != 1 {
		t.Errorf("%d Jobs among the manifests, want 1", pods)
	}
	if _, err := JobLogs(t.Context(), filepath.Join(dir, "missing"), "perf", "load-1", io.Discard); err == nil || !strings.Contains(err.Error(), "kubectl logs for job perf/load-1") {
		t.Errorf("missing kubectl: %v", err)
	}
}
