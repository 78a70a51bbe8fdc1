// Package kube builds the Kubernetes manifests that run one streamcap
// benchmark as N exact slices: a ConfigMap holding the scenario and an
// Indexed Job whose pods each run `streamcap bench` as worker
// $JOB_COMPLETION_INDEX of N, all from the same t0. Kubernetes itself
// schedules, indexes and retries the workers; nothing else coordinates
// them. The objects are the upstream API types, so what is printed is
// what the API server would accept.
package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// Defaults for Options.
const (
	DefaultName      = "streamcap-bench"
	DefaultNamespace = "default"
	DefaultCPU       = "1"
	DefaultMemory    = "512Mi"
	// MaxWorkers bounds Options.Workers.
	MaxWorkers = 10_000
	// ScenarioDir is where the scenario ConfigMap is mounted in each pod.
	ScenarioDir = "/etc/streamcap"
	// InstanceLabel labels every object and pod of one Job with its name;
	// JobLogs selects the Job's pods by it.
	InstanceLabel = "app.kubernetes.io/instance"
	// ResultsDir is where a results volume is mounted (Options.ResultsClaim).
	ResultsDir = "/results"
	// IndexEnv is the variable Kubernetes sets to a pod's completion index.
	IndexEnv = "JOB_COMPLETION_INDEX"
	// Container is the name of the benchmark container.
	Container = "bench"
)

// ErrInvalid marks options that cannot make a valid manifest.
var ErrInvalid = errors.New("invalid kube options")

// Options describe one distributed run.
type Options struct {
	// Name names the Job and ConfigMap (a DNS-1123 label). Default
	// DefaultName.
	Name string
	// Namespace. Default DefaultNamespace.
	Namespace string
	// Image is the container image holding the streamcap binary as its
	// entry point (required).
	Image string
	// Workers is N: the Job's completions and parallelism.
	Workers int
	// ScenarioFile and Scenario are the scenario's file name and YAML
	// text, held in the ConfigMap; empty Scenario means a flags-only run.
	ScenarioFile string
	Scenario     []byte
	// StartAt is t0, the same for every worker.
	StartAt time.Time
	// Args are further `streamcap bench` flags, passed through unchanged.
	Args []string
	// RunFor bounds how long the whole run may take after t0 (warm-up,
	// duration and drain); the Job's active deadline is the wait until t0
	// plus RunFor plus a minute of slack.
	RunFor time.Duration
	// Now is when the manifest is made (for the active deadline).
	Now time.Time
	// CPU and Memory are each pod's requests and limits. Defaults
	// DefaultCPU and DefaultMemory.
	CPU, Memory string
	// ResultsClaim, when set, mounts that PersistentVolumeClaim at
	// ResultsDir and each worker also writes its result there; results
	// always come back on the marked log line too.
	ResultsClaim string
}

func (o *Options) defaults() error {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.CPU == "" {
		o.CPU = DefaultCPU
	}
	if o.Memory == "" {
		o.Memory = DefaultMemory
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	// The Job's pods carry the name in a label, so it must be a label.
	if errs := validation.IsDNS1123Label(o.Name); len(errs) > 0 {
		return bad("name %q: %s", o.Name, strings.Join(errs, "; "))
	}
	if errs := validation.IsDNS1123Label(o.Namespace); len(errs) > 0 {
		return bad("namespace %q: %s", o.Namespace, strings.Join(errs, "; "))
	}
	switch {
	case strings.TrimSpace(o.Image) == "":
		return bad("image: required (an image whose entry point is the streamcap binary; see the Dockerfile)")
	case o.Workers < 1 || o.Workers > MaxWorkers:
		return bad("workers %d: must be between 1 and %d", o.Workers, MaxWorkers)
	case o.StartAt.IsZero():
		return bad("start-at: required (the shared t0)")
	case o.RunFor <= 0:
		return bad("run-for %v: must be more than 0s", o.RunFor)
	}
	for _, q := range []struct{ name, v string }{{"cpu", o.CPU}, {"memory", o.Memory}} {
		if _, err := resource.ParseQuantity(q.v); err != nil {
			return bad("%s %q: not a Kubernetes quantity (e.g. 500m, 2, 512Mi, 1Gi)", q.name, q.v)
		}
	}
	if o.ResultsClaim != "" {
		if errs := validation.IsDNS1123Subdomain(o.ResultsClaim); len(errs) > 0 {
			return bad("results claim %q: %s", o.ResultsClaim, strings.Join(errs, "; "))
		}
	}
	for _, a := range o.Args {
		for _, owned := range []string{"--workers", "--worker-index", "--start-at", "--emit-result"} {
			if a == owned || strings.HasPrefix(a, owned+"=") {
				return bad("bench flag %s: set by the manifest itself; leave it out", owned)
			}
		}
	}
	return nil
}

// Manifests returns the objects of one distributed run, in the order to
// apply them: the scenario ConfigMap (when there is a scenario) and the
// Indexed Job.
func Manifests(o Options) ([]runtime.Object, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	labels := map[string]string{
		"app.kubernetes.io/name":       "streamcap",
		"app.kubernetes.io/component":  "bench",
		InstanceLabel:                  o.Name,
		"app.kubernetes.io/managed-by": "streamcap",
	}
	meta := metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace, Labels: labels}
	var objs []runtime.Object

	args := []string{"bench"}
	var mounts []corev1.VolumeMount
	var volumes []corev1.Volume
	if len(o.Scenario) > 0 {
		file := o.ScenarioFile
		if file == "" {
			file = "scenario.yaml"
		}
		objs = append(objs, &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: meta,
			Data:       map[string]string{file: string(o.Scenario)},
		})
		args = append(args, ScenarioDir+"/"+file)
		mounts = append(mounts, corev1.VolumeMount{Name: "scenario", MountPath: ScenarioDir, ReadOnly: true})
		volumes = append(volumes, corev1.Volume{Name: "scenario", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: o.Name}},
		}})
	}
	args = append(args, o.Args...)
	args = append(args,
		"--workers", strconv.Itoa(o.Workers),
		"--start-at", o.StartAt.UTC().Format(time.RFC3339Nano),
		"--emit-result", "--quiet")
	if o.ResultsClaim != "" {
		args = append(args, "--out", ResultsDir+"/"+o.Name+"-{index}.json")
		mounts = append(mounts, corev1.VolumeMount{Name: "results", MountPath: ResultsDir})
		volumes = append(volumes, corev1.Volume{Name: "results", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: o.ResultsClaim},
		}})
	}

	n := int32(o.Workers)
	zero := int32(0)
	wait := max(0, o.StartAt.Sub(o.Now))
	deadline := int64((wait + o.RunFor + time.Minute).Seconds())
	ttl := int32(24 * 3600) // keep pods (and their logs) a day for `bench collect`
	indexed := batchv1.IndexedCompletion
	yes, no := true, false
	uid := int64(65532) // distroless "nonroot"
	resources := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(o.CPU),
		corev1.ResourceMemory: resource.MustParse(o.Memory),
	}
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta,
		Spec: batchv1.JobSpec{
			CompletionMode: &indexed,
			Completions:    &n,
			Parallelism:    &n,
			// A worker that fails is not retried: a retry would start late
			// and send its slice twice. Its index fails and the others run
			// on; bench merge then names the missing worker.
			BackoffLimitPerIndex: &zero,
			MaxFailedIndexes:     &n,
			PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{
				{
					// Exit 2 is bad usage: every worker would fail the same way.
					Action: batchv1.PodFailurePolicyActionFailJob,
					OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{
						ContainerName: ptr(Container), Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{2},
					},
				},
				{
					// Exit 1 is a measured failure (SLO missed, nothing acked):
					// the result is on the log line; fail just that index.
					Action: batchv1.PodFailurePolicyActionFailIndex,
					OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{
						ContainerName: ptr(Container), Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{1},
					},
				},
			}},
			ActiveDeadlineSeconds:   &deadline,
			TTLSecondsAfterFinished: &ttl,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy:                corev1.RestartPolicyNever,
					AutomountServiceAccountToken: &no,
					// One worker a node where possible: workers on one node
					// compete for its cores and network.
					TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{
						MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.ScheduleAnyway,
						LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{InstanceLabel: o.Name}},
					}},
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid,
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					Containers: []corev1.Container{{
						Name:  Container,
						Image: o.Image,
						Args:  args,
						Env: []corev1.EnvVar{{
							// GOMAXPROCS follows the CPU limit, not the node's cores.
							Name: "GOMAXPROCS", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{
								ContainerName: Container, Resource: "limits.cpu", Divisor: resource.MustParse("1"),
							}},
						}},
						Resources:    corev1.ResourceRequirements{Requests: resources, Limits: resources},
						VolumeMounts: mounts,
						SecurityContext: &corev1.SecurityContext{
							AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
							Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
						},
						TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
					}},
					Volumes: volumes,
				},
			},
		},
	}
	objs = append(objs, job)
	return objs, nil
}

func ptr[T any](v T) *T { return &v }

// WriteYAML writes objs as one YAML stream, documents separated by ---.
func WriteYAML(w io.Writer, objs []runtime.Object) error {
	var buf bytes.Buffer
	for i, obj := range objs {
		b, err := yaml.Marshal(obj)
		if err != nil {
			return fmt.Errorf("manifest %d: %w", i+1, err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteJSON writes objs as one v1 List, the form `kubectl apply -f`
// takes as JSON.
func WriteJSON(w io.Writer, objs []runtime.Object) error {
	list := struct {
		APIVersion string           `json:"apiVersion"`
		Kind       string           `json:"kind"`
		Items      []runtime.Object `json:"items"`
	}{"v1", "List", objs}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}

// JobLogs returns the whole logs of the pods of the Job named job in
// namespace, through kubectl (the command named kubectl, found on PATH),
// each line prefixed with its pod as `kubectl logs --prefix` does:
// `bench collect` reads the workers' result lines from them. kubectl's own
// messages go to stderr.
func JobLogs(ctx context.Context, kubectl, namespace, job string, stderr io.Writer) ([]byte, error) {
	cmd := exec.CommandContext(ctx, kubectl, "logs", "--namespace", namespace,
		"--selector", InstanceLabel+"="+job, "--tail=-1", "--max-log-requests", strconv.Itoa(MaxWorkers), "--prefix")
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("kubectl logs for job %s/%s: %w", namespace, job, err)
	}
	return out, nil
}
