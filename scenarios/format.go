package scenarios

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/streamcap/streamcap/model"
)

// Format writes w as normalised scenario YAML: every field in a fixed order,
// quantities in their shortest exact form ("1KB", "3k/s", "365d"), a fixed
// record size and a uniform key distribution in their short forms. Call
// w.Defaults first to show the values a plan will use. For a valid
// workload, Parse(name, Format(w)) returns a workload equal to w.
func Format(w *model.Workload) ([]byte, error) {
	var root yaml.Node
	if err := root.Encode(w); err != nil {
		return nil, fmt.Errorf("format scenario %q: %w", w.Name, err)
	}
	if rs := lookup(&root, "record_size"); rs != nil && w.RecordSize.Kind == model.SizeFixed &&
		w.RecordSize.Min == 0 && w.RecordSize.Max == 0 && len(w.RecordSize.Weighted) == 0 {
		*rs = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: w.RecordSize.Fixed.String()}
	}
	if kd := lookup(lookup(&root, "keys"), "distribution"); kd != nil && w.Keys.Distribution == (model.KeyDist{Kind: model.KeysUniform}) {
		*kd = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(model.KeysUniform)}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, fmt.Errorf("format scenario %q: %w", w.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("format scenario %q: %w", w.Name, err)
	}
	return buf.Bytes(), nil
}

// lookup returns the value node of key in mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
