"""The ``reflint audit --html`` page: one self-contained file, no external resources.

Safety: every value that comes from a document (paths, messages, DOIs, replacements) goes
through :func:`esc` (``html.escape`` with quotes) before it is interpolated, in text and in
attributes alike. The audit JSON embedded for tools is a ``<script type="application/json">``
block whose ``<``, ``>`` and ``&`` are ``\\u003c``-escaped, so no document text can close it.
The only JavaScript is the constant :data:`SCRIPT` below; it never builds code or markup
from document text, and a Content-Security-Policy allows that script (by its hash) and
nothing else: no other script, no inline event handler, no network request.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

from reflint import __version__
from reflint.rules import BY_CODE

RANK = {"error": 3, "warning": 2, "info": 1}
NONE = '<span class="muted">none</span>'


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def script_json(data) -> str:
    """JSON safe inside a <script> element: it can never contain ``</script>`` or ``<!--``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def rich_text(text: str) -> str:
    """Escape ``text``, then show `backticked` parts as code (safe: escaped text has no tags)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(text))


def path_html(path: str) -> str:
    """An escaped path that may wrap after a slash."""
    return esc(path).replace("/", "/<wbr>")


def health_class(score: int) -> str:
    return "ok" if score >= 90 else "warn" if score >= 60 else "bad"


# -- pieces ---------------------------------------------------------------------------------------


def cards(s: dict) -> str:
    items = [
        (f'<span class="h-{health_class(s["health"])}">{s["health"]}</span><small>/100</small>', "health"),
        (f'{s["files"]}', f'files, {s["files_with_problems"]} with problems'),
        (f'{s["references"]}', "references"),
        (f'{s["citations"]}', "in-text citations"),
        (
            f'{s["diagnostics"]}',
            "problems: "
            + (", ".join(f'{s[k]} {k}{"s" * (s[k] != 1 and k != "info")}' for k in RANK if s[k]) or "none"),
        ),
        (
            f'{s["fixable"]["safe"] + s["fixable"]["unsafe"]}',
            f'fixable: {s["fixable"]["safe"]} safe, {s["fixable"]["unsafe"]} unsafe',
        ),
        (f'{s["unknown"]}', "unknown: could not be verified"),
    ]
    return "".join(
        f'<div class="card"><div class="big">{value}</div><div class="label">' f"{esc(label)}</div></div>"
        for value, label in items
    )


def chart(rules: dict) -> str:
    """Problems by rule as horizontal bars coloured by severity: HTML rows, not a scaled
    picture, so labels keep their size on a phone (the name moves above the bar there)."""
    if not rules:
        return '<p class="empty">No problems found.</p>'
    top = max(rules.values())
    rows = []
    for code, count in rules.items():
        rule = BY_CODE.get(code)
        name, severity = (rule.name, rule.severity) if rule else ("", "error")
        width = max(0.5, round(100 * count / top, 1))
        rows.append(
            f'<div class="bar-row" role="listitem" title="{esc(code)} {esc(name)}: {count}">'
            f'<code class="code">{esc(code)}</code><span class="name">{esc(name)}</span>'
            f'<span class="track"><span class="bar sev-{esc(severity)}" style="width:{width}%"></span></span>'
            f'<span class="count">{count}</span></div>'
        )
    legend = "".join(f'<span class="key"><i class="sev-{s}"></i>{s}</span>' for s in RANK)
    return (
        f'<div id="chart" class="chart" role="list" aria-label="Problems by rule">{"".join(rows)}</div>'
        f'<p class="legend">{legend}</p>'
    )


def severity_badge(severity: str | None) -> str:
    if not severity:
        return '<span class="muted">-</span>'
    return f'<span class="sev sev-{esc(severity)}">{esc(severity)}</span>'


def meter(score: int) -> str:
    return (
        f'<span class="meter"><span class="m-{health_class(score)}" style="width:{int(score)}%">'
        f"</span></span><b>{int(score)}</b>"
    )


def documents_table(files: list[dict]) -> str:
    rows = []
    for f in files:
        codes = " ".join(f"<code>{esc(c)}</code>&times;{n}" for c, n in f["diagnostics"].items())
        rank = RANK.get(f["worst_severity"], 0)
        rows.append(
            f'<tr><td><code class="path">{path_html(f["path"])}</code></td>'
            f'<td class="num">{f["references"]}</td><td class="num">{f["citations"]}</td>'
            f'<td class="num">{f["problems"]}</td>'
            f'<td data-sort="{rank}">{severity_badge(f["worst_severity"])}</td>'
            f'<td class="health" data-sort="{int(f["health"])}">{meter(f["health"])}</td>'
            f'<td>{codes or NONE}</td></tr>'
        )
    return (
        '<table id="documents" class="sortable"><thead><tr><th>Document</th>'
        '<th class="num">References</th><th class="num">Citations</th><th class="num">Problems</th>'
        '<th>Worst</th><th data-default-sort="ascending">Health</th><th>By rule</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def fix_cell(fix: dict | None, replaced: list[str] | None = None) -> str:
    """The fix's message and each edit as ``line N: old -> new``, the text a reader compares."""
    if not fix:
        return NONE
    replaced = replaced or []
    items = []
    for i, e in enumerate(fix["edits"]):
        old = replaced[i] if i < len(replaced) else ""
        before = f'<code class="old">{esc(old)}</code> &rarr; ' if old else "insert "
        after = f'<code class="new">{esc(e["content"])}</code>' if e["content"] else "<em>delete</em>"
        items.append(f'<li><span class="pos">line {int(e["start"][0])}:</span> {before}{after}</li>')
    kind = esc(fix["applicability"])
    return (
        f'<span class="fix fix-{kind}">{kind}</span> {rich_text(fix["message"])}'
        f'<ul class="edits">{"".join(items)}</ul>'
    )


def diagnostics_table(diagnostics: list[dict], replaced: list[list[str]] | None = None) -> str:
    rows = []
    for i, d in enumerate(diagnostics):
        order = f'{d["path"]}\t{int(d["line"]):08d}\t{int(d["column"]):08d}'
        rows.append(
            f'<tr><td class="loc" data-sort="{esc(order)}"><code class="path">{path_html(d["path"])}'
            f'</code><div class="muted small">line {int(d["line"])}, column {int(d["column"])}</div></td>'
            f'<td><code>{esc(d["code"])}</code><div class="muted small">{esc(d["name"])}</div></td>'
            f'<td data-sort="{RANK.get(d["severity"], 0)}">{severity_badge(d["severity"])}</td>'
            f'<td>{rich_text(d["message"])}</td>'
            f'<td data-sort="{esc(d["fix"]["applicability"] if d["fix"] else "")}">'
            f'{fix_cell(d["fix"], replaced[i] if replaced and i < len(replaced) else None)}</td></tr>'
        )
    return (
        '<table id="diagnostics" class="sortable"><thead><tr><th>Location</th><th>Rule</th>'
        '<th>Severity</th><th>Message</th><th>Fix</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


# -- the page -------------------------------------------------------------------------------------

CSS = """
:root{--fg:#1f2933;--muted:#627d98;--line:#e4e7eb;--bg:#f4f6f9;--card:#fff;--head:#102a43;
--error:#c53030;--warning:#c05621;--info:#2b6cb0;--ok:#2f855a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",Arial,sans-serif;color:var(--fg);background:var(--bg)}
.wrap{max-width:1200px;margin:0 auto;padding:0 28px}
header{background:var(--head);color:#fff;padding:26px 0 64px}
header h1{margin:0;font-size:22px;font-weight:600;letter-spacing:.01em}
header h1 span{color:#9fb3c8;font-weight:400}
header p{margin:6px 0 0;color:#bcccdc}
.status{display:inline-block;margin-left:10px;padding:2px 10px;border-radius:12px;font-size:12px;font-weight:600;vertical-align:middle}
.status.bad{background:var(--error)}.status.ok{background:var(--ok)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin-top:-44px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px rgba(16,42,67,.06)}
.card .big{font-size:26px;font-weight:600;line-height:1.2}
.card small{font-size:13px;color:var(--muted);font-weight:400}
.card .label{color:var(--muted);font-size:12px;margin-top:2px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 22px;margin:18px 0;box-shadow:0 1px 2px rgba(16,42,67,.06)}
section h2{margin:0 0 12px;font-size:16px;font-weight:600}
section h2 small{color:var(--muted);font-weight:400;font-size:13px;margin-left:6px}
.h-ok{color:var(--ok)}.h-warn{color:var(--warning)}.h-bad{color:var(--error)}
.chart{max-width:980px;font-size:13px}
.bar-row{display:grid;grid-template-columns:5em 17em minmax(0,1fr) 3.5em;gap:4px 12px;align-items:center;padding:3px 0}
.bar-row .code{background:none;padding:0}.bar-row .name,.bar-row .count{color:var(--muted)}.bar-row .count{font-weight:600}
.track{display:block;height:18px}.bar{display:block;height:100%;border-radius:3px;min-width:2px}
.bar.sev-error,.key .sev-error{background:var(--error)}
.bar.sev-warning,.key .sev-warning{background:var(--warning)}
.bar.sev-info,.key .sev-info{background:var(--info)}
@media (max-width:640px){
.wrap{padding:0 12px}section{padding:14px 12px}
.bar-row{grid-template-columns:4.5em minmax(0,1fr) 3em;padding:5px 0}
.bar-row .name{grid-column:2/4;grid-row:1;overflow-wrap:anywhere}.bar-row .track{grid-column:1/3;grid-row:2}
.bar-row .count{grid-column:3;grid-row:2}
table{display:block;overflow-x:auto}td.loc{min-width:160px}}
.legend{margin:8px 0 0;color:var(--muted);font-size:12px}
.key{margin-right:14px}.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:11.5px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600;cursor:pointer;user-select:none;white-space:nowrap;background:#f8fafc}
th:hover{color:var(--fg)}
th::after{content:"\\2195";opacity:.35;margin-left:5px}
th[aria-sort=ascending]::after{content:"\\25B2";opacity:.8}
th[aria-sort=descending]::after{content:"\\25BC";opacity:.8}
.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:hover{background:#f8fafc}
code{font:12.5px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;background:#f0f4f8;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
code.path{background:none;padding:0;color:#243b53;overflow-wrap:normal}
td.loc{min-width:230px}td.health{white-space:nowrap}
code.new{background:#e3f9e5;color:#05400a}code.old{background:#ffe3e3;color:#610404;text-decoration:line-through}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11.5px;font-weight:600;color:#fff}
.sev.sev-error{background:var(--error)}.sev.sev-warning{background:var(--warning)}.sev.sev-info{background:var(--info)}
.fix{display:inline-block;padding:0 6px;border-radius:4px;font-size:11.5px;font-weight:600;border:1px solid}
.fix-safe{color:var(--ok)}.fix-unsafe{color:var(--warning)}.fix-display-only{color:var(--muted)}
.edits{margin:4px 0 0;padding-left:16px;color:var(--muted);font-size:12.5px}
.pos{font-variant-numeric:tabular-nums}
.meter{display:inline-block;width:72px;height:8px;background:var(--line);border-radius:4px;overflow:hidden;vertical-align:middle;margin-right:8px}
.meter span{display:block;height:100%}
.m-ok{background:var(--ok)}.m-warn{background:var(--warning)}.m-bad{background:var(--error)}
.muted{color:var(--muted)}.small{font-size:12px}.empty{color:var(--ok);font-weight:600;margin:0}
.tools{display:flex;gap:12px;align-items:center;margin-bottom:10px}
.tools input{flex:0 1 360px;padding:6px 10px;border:1px solid #cbd2d9;border-radius:6px;font:inherit}
footer{color:var(--muted);font-size:12px;padding:8px 0 32px}
"""

SCRIPT = """
(function () {
  "use strict";
  function key(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) { raw = cell.textContent.trim(); }
    var n = Number(raw);
    return raw !== "" && !isNaN(n) ? n : raw.toLowerCase();
  }
  function sortBy(th, dir) {
    var table = th.closest("table"), body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    if (!dir) { dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending"; }
    var sign = dir === "ascending" ? 1 : -1;
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return {row: row, key: key(row.cells[index]), i: i};
    });
    rows.sort(function (a, b) {
      var x = a.key, y = b.key;
      if (typeof x !== typeof y) { x = String(x); y = String(y); }
      return (x < y ? -1 : x > y ? 1 : 0) * sign || a.i - b.i;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
  }
  document.querySelectorAll("table.sortable th").forEach(function (th) {
    th.tabIndex = 0;
    th.title = "Sort";
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(th); }
    });
    var dir = th.getAttribute("data-default-sort");
    if (dir) { sortBy(th, dir); }
  });
  var data = JSON.parse(document.getElementById("reflint-data").textContent);
  var table = document.getElementById("diagnostics");
  var shown = document.getElementById("shown");
  var filter = document.getElementById("filter");
  if (table && filter) {
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase(), n = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var hit = !q || row.textContent.toLowerCase().indexOf(q) !== -1;
        row.hidden = !hit;
        n += hit ? 1 : 0;
      });
      shown.textContent = n + " of " + data.diagnostics.length;
    });
  }
  var rows = table ? table.tBodies[0].rows.length : 0;
  if (rows !== data.diagnostics.length) {
    console.error("reflint report: table and data disagree", rows, data.diagnostics.length);
    return;
  }
  document.body.setAttribute("data-ready", "true");
})();
"""


def csp() -> str:
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def scope_label(paths: list[str]) -> str:
    """What was audited, as a reader names it: ``.`` (or ``..``) is the directory's own name."""
    names = []
    for given in paths:
        trimmed = given.rstrip("/\\")
        if trimmed in (".", "..", ""):
            real = Path(given).resolve()
            names.append(real.name or str(real))  # "/" has no name
        else:
            names.append(trimmed)
    return ", ".join(names)


def render_html(report: dict, paths: list[str], replaced: list[list[str]] | None = None) -> str:
    """The page; ``replaced`` is, per diagnostic, the text each fix edit replaces."""
    s = report["summary"]
    scope = scope_label(paths)
    if s["diagnostics"]:
        status = f'<span class="status bad">{s["diagnostics"]} problems</span>'
    else:
        status = '<span class="status ok">all checks passed</span>'
    diagnostics = (
        f'<div class="tools"><input id="filter" type="search" '
        f'placeholder="Filter by path, rule or text" aria-label="Filter problems">'
        f'<span class="muted small">showing <span id="shown">{s["diagnostics"]} of '
        f'{s["diagnostics"]}</span></span></div>{diagnostics_table(report["diagnostics"], replaced)}'
        if report["diagnostics"]
        else '<p class="empty">No problems found.</p>'
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp())}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reflint {esc(__version__)}">
<title>reflint audit: {esc(scope)}</title>
<style>{CSS}</style>
</head>
<body>
<header><div class="wrap">
<h1>reflint audit <span>{esc(scope)}</span>{status}</h1>
<p>{s["files"]} files &middot; {s["references"]} references &middot; {s["citations"]} citations
&middot; {s["diagnostics"]} problems &middot; {s["unknown"]} unknown</p>
</div></header>
<main class="wrap">
<div class="cards">{cards(s)}</div>
<section id="by-rule"><h2>Problems by kind</h2>{chart(report["rules"])}</section>
<section id="by-document"><h2>Documents<small>health: 100 is clean; click a column to sort</small></h2>
{documents_table(report["files"])}</section>
<section id="problems"><h2>Problems<small>every diagnostic, with its fix</small></h2>
{diagnostics}</section>
<footer>Generated by reflint {esc(__version__)}. Health = 100 &times; (1 &minus; weighted problems /
(references + citations)); an error weighs 1, a warning 0.5, an info 0.1.
Unknown lookups are neither valid nor broken: run again online.</footer>
</main>
<script type="application/json" id="reflint-data">{script_json(report)}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""
