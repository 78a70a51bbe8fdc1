package reports

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/streamcap/streamcap/model"
)

// TestRenderReshardJSON checks the streamcap.reshard/v1 contract:
// {schema, from, to, steps, calls, windows_24h} for 2 → 3000.
func TestRenderReshardJSON(t *testing.T) {
	r, err := model.PlanReshard(model.ReshardOptions{From: 2, To: 3000}, model.DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := RenderReshardJSON(&buf, &r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema          string
		From, To, Calls int
		Steps           []int
		Windows         int `json:"windows_24h"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := []int{4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3000}
	if doc.Schema != "streamcap.reshard/v1" || doc.From != 2 || doc.To != 3000 || doc.Calls != 11 || doc.Windows != 2 || !slices.Equal(doc.Steps, want) {
		t.Errorf("document %+v", doc)
	}
	buf.Reset()
	if err := RenderReshardText(&buf, &r); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); !strings.Contains(s, "11 UpdateShardCount calls over 2 rolling 24-hour window(s)") || !strings.Contains(s, "2048 → 3000") {
		t.Errorf("text:\n%s", s)
	}
}
