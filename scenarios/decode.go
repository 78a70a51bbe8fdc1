package scenarios

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// maxNodes bounds the YAML nodes one decode visits, so aliases that expand
// exponentially ("billion laughs") cannot stall the parser.
const maxNodes = 20000

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	sizeDistType        = reflect.TypeFor[model.SizeDist]()
	keyDistType         = reflect.TypeFor[model.KeyDist]()
)

// decoder walks a yaml.Node tree into a Go value by the yaml struct tags,
// strictly: unknown and duplicate fields, wrong node kinds and malformed
// quantities are problems with the field path and the line. It keeps going
// after a problem so one run reports them all.
//
// yaml.v3's own Decoder stops at the first TextUnmarshaler error without a
// line or a field, and Node.Decode ignores KnownFields, hence this walker.
type decoder struct {
	problems []Problem
	// lines maps each field path seen to the line of its value, so
	// Validate's problems can be pinned to a line too.
	lines map[string]int
	nodes int
}

func newDecoder() *decoder { return &decoder{lines: make(map[string]int)} }

func (d *decoder) fail(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.problems = append(d.problems, Problem{Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// child joins a field path and a key: "keys" + "count" = "keys.count".
func child(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// wrongKind reports a node of the wrong kind: `keys.count "many": must be
// a whole number` for a scalar, `headroom: must be a number, not a list`
// for a collection.
func (d *decoder) wrongKind(n *yaml.Node, path, want string) {
	name := path
	if name == "" {
		name = "scenario"
	}
	switch n.Kind {
	case yaml.MappingNode:
		d.fail(n, path, "%s: must be %s, not a mapping", name, want)
	case yaml.SequenceNode:
		d.fail(n, path, "%s: must be %s, not a list", name, want)
	default:
		d.fail(n, path, "%s %s: must be %s", name, units.Quote(n.Value), want)
	}
}

// value decodes n into v (addressable) at the given path.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	for hops := 0; n.Kind == yaml.AliasNode; hops++ {
		if n.Alias == nil || hops > 100 {
			d.fail(n, path, "%s: unresolved alias", path)
			return
		}
		n = n.Alias
	}
	d.nodes++
	if d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.fail(n, path, "document too large: more than %d YAML nodes (aliases expanded)", maxNodes)
		}
		return
	}
	if _, ok := d.lines[path]; !ok && path != "" {
		d.lines[path] = n.Line
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "field:" or "field: ~" leaves the zero value (the default)
	}

	t := v.Type()
	switch {
	case t == sizeDistType && n.Kind == yaml.ScalarNode:
		// Shorthand: "record_size: 1KB" is a fixed size.
		var b units.Bytes
		if d.text(n, &b, path) {
			v.Set(reflect.ValueOf(model.SizeDist{Kind: model.SizeFixed, Fixed: b}))
		}
		return
	case t == keyDistType && n.Kind == yaml.ScalarNode:
		// Shorthand, the --key-distribution flag syntax: "uniform",
		// "zipf:1.1", "hot:0.5:3".
		kd, err := ParseKeyDistribution(n.Value)
		if err != nil {
			d.problems = append(d.problems, Problem{Line: n.Line, Field: path, Msg: path + ": " + err.Error(), Err: err})
			return
		}
		v.Set(reflect.ValueOf(kd))
		return
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		d.text(n, v.Addr().Interface().(encoding.TextUnmarshaler), path)
		return
	}

	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.value(n, v.Elem(), path)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.wrongKind(n, path, "a list")
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.wrongKind(n, path, "a string")
			return
		}
		v.SetString(n.Value)
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.Decode(&i) != nil {
			d.wrongKind(n, path, "a whole number")
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		var f float64
		if n.Kind != yaml.ScalarNode || n.Decode(&f) != nil {
			d.wrongKind(n, path, "a number")
			return
		}
		v.SetFloat(f)
	default:
		// Only reachable if model gains a field of a new kind.
		d.fail(n, path, "%s: field of type %s is not supported in scenario files", path, t)
	}
}

// text decodes a scalar quantity with the type's own parser (the flag
// parser), reporting a parse error with the field path and accepted forms.
func (d *decoder) text(n *yaml.Node, u encoding.TextUnmarshaler, path string) bool {
	if n.Kind != yaml.ScalarNode {
		d.wrongKind(n, path, "a single value such as 1KB, 3000/s, 1Gbps or 24h")
		return false
	}
	err := u.UnmarshalText([]byte(n.Value))
	if err == nil {
		return true
	}
	var pe *units.ParseError
	msg := fmt.Sprintf("%s %s: %v", path, units.Quote(n.Value), err)
	if errors.As(err, &pe) {
		msg = fmt.Sprintf("%s %s: invalid %s: %s (accepted: %s)", path, units.Quote(n.Value), pe.Kind, pe.Reason, pe.Accepted)
	}
	d.problems = append(d.problems, Problem{Line: n.Line, Field: path, Msg: msg, Err: err})
	return false
}

// structure decodes a mapping into a struct by yaml tag names.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	name := path
	if name == "" {
		name = "scenario"
	}
	if n.Kind != yaml.MappingNode {
		d.wrongKind(n, path, "a mapping of fields ("+strings.Join(fieldNames(v.Type()), ", ")+")")
		return
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "%s: field names must be plain words, not a list or mapping", name)
			continue
		}
		field := child(path, k.Value)
		if line, dup := seen[k.Value]; dup {
			d.fail(k, field, "%s: duplicate field (first set on line %d)", field, line)
			continue
		}
		seen[k.Value] = k.Line
		idx, ok := fieldIndex(v.Type(), k.Value)
		if !ok {
			d.fail(k, field, "%s: unknown field (accepted in %s: %s)", field, name, strings.Join(fieldNames(v.Type()), ", "))
			continue
		}
		d.value(val, v.Field(idx), field)
	}
}

// yamlName is a struct field's YAML key, or "" when it has none.
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if tag == "-" || tag == "" {
		return ""
	}
	return tag
}

func fieldIndex(t reflect.Type, key string) (int, bool) {
	for i := range t.NumField() {
		if yamlName(t.Field(i)) == key {
			return i, true
		}
	}
	return 0, false
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if n := yamlName(t.Field(i)); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// lineOf finds the line of field, or of its nearest parent seen in the file.
func (d *decoder) lineOf(field string) int {
	for field != "" {
		if l, ok := d.lines[field]; ok {
			return l
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			break
		}
		field = field[:i]
	}
	return 0
}

// covers reports whether a problem at field a already explains one at b:
// the same field, or one a parent of the other.
func covers(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	short, long := a, b
	if len(short) > len(long) {
		short, long = long, short
	}
	return strings.HasPrefix(long, short) && (long[len(short)] == '.' || long[len(short)] == '[')
}

// yamlSyntax turns a yaml.v3 error ("yaml: line 3: mapping values are not
// allowed in this context") into a Problem with the line split out.
func yamlSyntax(err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(num); err == nil {
				line, msg = l, tail
			}
		}
	}
	return Problem{Line: line, Msg: "invalid YAML: " + msg, Err: err}
}
