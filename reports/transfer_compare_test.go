package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamcap/streamcap/model"
)

func TestRenderTransferCompare(t *testing.T) {
	p := model.DefaultPrices()
	tr := model.Transfer{Data: 80e12, Link: 1e9}
	plan, err := model.PlanTransfer(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	devs, err := model.CompareTransfer(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	var txt, js, md bytes.Buffer
	if err := RenderTransferCompareText(&txt, &plan, devs); err != nil {
		t.Fatal(err)
	}
	for _, n := range p.DeviceNames() {
		if !strings.Contains(txt.String(), n) || !strings.Contains(txt.String(), "assumption:") {
			t.Errorf("text lacks %s or the assumptions:\n%s", n, txt.String())
		}
	}
	if err := RenderTransferCompareJSON(&js, &plan, devs); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema  string `json:"schema"`
		Compare []struct {
			Device string  `json:"device"`
			Count  int     `json:"count"`
			Days   float64 `json:"days"`
		} `json:"compare"`
		Network struct{ Days float64 } `json:"network"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "streamcap.transfer/v1" || len(doc.Compare) != len(p.Devices) || doc.Network.Days == 0 {
		t.Errorf("json: %+v", doc)
	}
	if err := RenderTransferCompareMarkdown(&md, &plan, devs); err != nil || !strings.Contains(md.String(), "| AWS Snowball 80 TB") {
		t.Errorf("markdown (%v):\n%s", err, md.String())
	}
}
