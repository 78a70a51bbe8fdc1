package reports

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// htmlTemplate is the self-contained report page: inline CSS (system
// fonts only), inline SVG charts as data URIs, and a small inline script
// that records on <body> whether every image decoded (data-images-ok),
// which the browser test reads. Nothing is fetched from the network.
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"cellClass": cellClass,
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="streamcap">
<title>{{.Title}}</title>
<style>
:root{--fg:#1d2433;--muted:#5b6478;--line:#dde2ea;--bg:#f5f7fa;--card:#fff;--accent:#0072b2;--ok:#0a7a4f;--ok-bg:#e5f5ed;--bad:#b42318;--bad-bg:#fdecea;--warn-bg:#fff6e0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 16px 48px}
header.summary{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--accent);border-radius:10px;padding:20px 24px;margin-bottom:20px}
header.summary.ok{border-left-color:var(--ok)}
header.summary.bad{border-left-color:var(--bad)}
.eyebrow{margin:0;color:var(--muted);font-size:13px;letter-spacing:.06em;text-transform:uppercase}
h1{margin:4px 0 8px;font-size:28px;line-height:1.2}
.headline{margin:0;font-size:22px;font-weight:600}
.more{margin:6px 0 0;color:var(--muted)}
.badge{display:inline-block;margin-top:12px;padding:3px 12px;border-radius:999px;font-weight:600;font-size:14px}
.badge.ok{background:var(--ok-bg);color:var(--ok)}
.badge.bad{background:var(--bad-bg);color:var(--bad)}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:16px 0 0;padding:0;list-style:none}
.stats li{background:var(--bg);border-radius:8px;padding:10px 14px}
.stats .v{display:block;font-size:22px;font-weight:700;font-variant-numeric:tabular-nums}
.stats .k{display:block;color:var(--muted);font-size:13px}
nav.toc{margin:0 0 20px;font-size:14px}
nav.toc a{color:var(--accent);margin-right:16px;text-decoration:none;white-space:nowrap}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:8px 24px 20px;margin-bottom:20px}
h2{font-size:21px;margin:16px 0 12px}
p{margin:10px 0}
.warn{background:var(--warn-bg);border-radius:6px;padding:8px 12px;margin:10px 0}
.table-wrap{overflow-x:auto;margin:12px 0}
table{border-collapse:collapse;width:100%;font-size:14px;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:0 0 6px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
tbody tr:nth-child(even) td{background:#fafbfc}
td.ok{color:var(--ok);font-weight:600;white-space:nowrap}
td.bad{color:var(--bad);font-weight:700;white-space:nowrap;background:var(--bad-bg)!important}
figure{margin:18px 0}
figure img{display:block;width:100%;height:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
figcaption{color:var(--muted);font-size:14px;margin-top:6px}
footer{color:var(--muted);font-size:13px;text-align:center}
@media (max-width:600px){main{padding:12px 8px 32px}header.summary,section{padding:12px 14px}h1{font-size:22px}.headline{font-size:18px}th,td{padding:5px 6px}}
@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0}header.summary,section{border:none;border-radius:0;padding:0;margin:0 0 12pt}nav.toc,footer{display:none}figure,table,.stats{break-inside:avoid}h2{break-after:avoid}tbody tr:nth-child(even) td{background:none}a{color:inherit}}
</style>
</head>
<body>
<main>
<header class="summary {{.Status}}">
<p class="eyebrow">streamcap report</p>
<h1>{{.Title}}</h1>
{{- range $i, $s := .Summary}}{{if eq $i 0}}
<p class="headline">{{$s}}</p>{{else}}
<p class="more">{{$s}}</p>{{end}}{{end}}
{{- with .Badge}}
<span class="badge {{$.Status}}">{{.}}</span>{{end}}
{{- if .Stats}}
<ul class="stats">{{range .Stats}}<li><span class="v">{{.Value}}</span><span class="k">{{.Label}}</span></li>{{end}}</ul>{{end}}
</header>
{{- if gt (len .Sections) 1}}
<nav class="toc">{{range .Sections}}<a href="#{{.ID}}">{{.Heading}}</a>{{end}}</nav>{{end}}
{{- range .Sections}}
<section id="{{.ID}}">
<h2>{{.Heading}}</h2>
{{- range .Blocks}}
{{- if .Text}}
<p>{{.Text}}</p>
{{- else if .Warn}}
<p class="warn"><strong>Warning:</strong> {{.Warn}}</p>
{{- else if .Table}}
<div class="table-wrap"><table>{{with .Table.Caption}}<caption>{{.}}</caption>{{end}}
<thead><tr>{{range .Table.Head}}<th{{if .Right}} class="num"{{end}}>{{.Text}}</th>{{end}}</tr></thead>
<tbody>{{range .Table.Rows}}
<tr>{{range .}}<td{{with cellClass .}} class="{{.}}"{{end}}>{{.Text}}</td>{{end}}</tr>{{end}}
</tbody></table></div>
{{- else if .Chart}}
<figure><img {{.Chart.Src}} alt="{{.Chart.Title}}" width="{{.Chart.W}}" height="{{.Chart.H}}"><figcaption>{{.Chart.Title}}</figcaption></figure>
{{- end}}
{{- end}}
</section>
{{- end}}
<footer>Generated by streamcap · a single self-contained file: charts are inline SVG, nothing is loaded from the network.</footer>
</main>
<script>
(function(){function check(){var im=document.images,ok=true;for(var i=0;i<im.length;i++){if(!(im[i].complete&&im[i].naturalWidth>0)){ok=false}}document.body.setAttribute("data-images",String(im.length));document.body.setAttribute("data-images-ok",ok?"true":"false")}if(document.readyState==="complete"){check()}else{window.addEventListener("load",check)}})();
</script>
</body>
</html>
`))

// htmlCell is one table cell with its alignment.
type htmlCell struct {
	Text  string
	Right bool
}

// cellClass returns the CSS class of a cell: num, ok or bad.
func cellClass(c htmlCell) string {
	switch {
	case strings.HasPrefix(c.Text, "✓"):
		return "ok"
	case strings.HasPrefix(c.Text, "✗"):
		return "bad"
	case c.Right:
		return "num"
	}
	return ""
}

type htmlTable struct {
	Caption string
	Head    []htmlCell
	Rows    [][]htmlCell
}

type htmlChart struct {
	Src   template.HTMLAttr // src="data:…", base64: no character needs escaping
	Title string
	W, H  int
}

type htmlBlock struct {
	Text, Warn string
	Table      *htmlTable
	Chart      *htmlChart
}

type htmlSection struct {
	ID, Heading string
	Blocks      []htmlBlock
}

type stat struct{ Label, Value string }

type htmlPage struct {
	Title    string
	Summary  []string
	Status   string
	Badge    string
	Stats    []stat
	Sections []htmlSection
}

// renderHTML writes d as one self-contained HTML page.
func renderHTML(w io.Writer, d *document, o RenderOptions) error {
	width, height := o.size()
	page := htmlPage{Title: d.title, Summary: d.summary, Status: d.status, Badge: d.badge, Stats: d.stats}
	for _, s := range d.sections {
		hs := htmlSection{ID: s.id, Heading: s.heading}
		for _, b := range s.blocks {
			var hb htmlBlock
			switch {
			case b.table != nil:
				t := &htmlTable{Caption: b.table.caption}
				right := func(i int) bool { return i < len(b.table.right) && b.table.right[i] }
				for i, h := range b.table.head {
					t.Head = append(t.Head, htmlCell{h, right(i)})
				}
				for _, r := range b.table.rows {
					row := make([]htmlCell, len(r))
					for i, c := range r {
						row[i] = htmlCell{c, right(i)}
					}
					t.Rows = append(t.Rows, row)
				}
				hb.Table = t
			case b.chart != nil:
				src, err := svgDataURI(b.chart, width, height)
				if err != nil {
					return fmt.Errorf("render report: chart %s: %w", b.chart.name, err)
				}
				// Built here from our own SVG bytes in base64: nothing to escape.
				hb.Chart = &htmlChart{Src: template.HTMLAttr(`src="` + src + `"`), Title: b.chart.title,
					W: int(width.Points() * 96 / 72), H: int(height.Points() * 96 / 72)}
			default:
				hb.Text, hb.Warn = b.text, b.warn
			}
			hs.Blocks = append(hs.Blocks, hb)
		}
		page.Sections = append(page.Sections, hs)
	}
	if err := htmlTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("render report: html: %w", err)
	}
	return nil
}
