"""`reflint audit`: summary tables, the JSON schema, the HTML report, its escaping of document
text, and the page rendered by a real headless browser (Debian's Chromium)."""

from __future__ import annotations

import html
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from reflint.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)

EVIL_REFERENCES = """\
# Needling

Needling helps (Evil et al. 2020) and so does stretching [1].

## References

1. Evil A, Worse B. <script>alert(1)</script> A trial of needling. J Test. 2020;1(1):1-2. doi:10.1234/"><script>
2. Bad C. <img src=x onerror=alert(1)> A trial of stretching. J Test. 2019;2:3-4. doi:1234/x"><img src=x onerror=alert(2)>
3. Nobody <script>alert(3)</script>
"""


def run(*args):
    return CliRunner().invoke(main, ["audit", *map(str, args)])


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture
def evil(tmp_path):
    """Documents whose text and whose very paths are markup."""
    (tmp_path / "<script>alert(1)<").mkdir()
    files = [
        tmp_path / "<script>alert(1)</script>.md",
        tmp_path / "<img src=x onerror=alert(1)>.md",
        tmp_path / "evil.md",
    ]
    for path in files:
        path.write_text(EVIL_REFERENCES, "utf-8")
    return files


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes, and the text of each <script>."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def named(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]


def assert_inert(page: str) -> Elements:
    """Only reflint's own two scripts, no event handler, nothing loaded from anywhere."""
    elements = Elements(page)
    assert [attrs for attrs, _ in elements.scripts] == [{"type": "application/json", "id": "reflint-data"}, {}]
    assert not [a for _, attrs in elements.tags for a in attrs if a.lower().startswith("on")]
    for tag in ("img", "iframe", "link", "object", "embed", "base", "form"):
        assert not elements.named(tag), tag
    assert not [attrs for _, attrs in elements.tags if "src" in attrs or "href" in attrs]
    return elements


def embedded_data(elements: Elements) -> dict:
    return json.loads(elements.scripts[0][1])


# -- terminal and JSON ----------------------------------------------------------------------------


def test_summary_tables_name_every_rule_found(in_root):
    check = json.loads(CliRunner().invoke(main, ["check", "examples", "--offline", "--format", "json"]).stdout)
    codes = Counter(d["code"] for d in check["diagnostics"])
    result = run("examples", "--offline")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "Problems by rule" in out and "Problems by document" in out
    for code, count in codes.items():
        assert re.search(rf"^\s*{code}\s+\S+\s+\w+\s+{count}\b", out, re.M), code
    assert re.search(r"^\s*examples/dry-needling\.md\s+6\s+\d+\s+6\s+error\s+\d+", out, re.M)
    assert f"Found {sum(codes.values())} problems" in out
    assert "unknown" in out  # offline: every lookup is unknown, and the summary says so


def test_json_schema(in_root):
    result = run("examples", "--offline", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"version", "files", "rules", "diagnostics", "summary"}
    assert report["version"] == 1
    check = json.loads(CliRunner().invoke(main, ["check", "examples", "--offline", "--format", "json"]).stdout)
    order = lambda d: (d["path"], d["line"], d["column"], d["code"])
    assert sorted(report["diagnostics"], key=order) == sorted(check["diagnostics"], key=order)
    assert report["rules"] == dict(sorted(Counter(d["code"] for d in check["diagnostics"]).items()))
    for f in report["files"]:
        assert set(f) == {"path", "references", "citations", "diagnostics", "problems", "worst_severity", "health"}
        assert sum(f["diagnostics"].values()) == f["problems"]
        assert 0 <= f["health"] <= 100
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["examples/dry-needling.md"]["diagnostics"] == {"RL101": 6}
    assert by_path["examples/plantar-heel-pain.md"] == {
        **by_path["examples/plantar-heel-pain.md"],
        "problems": 0,
        "worst_severity": None,
        "health": 100,
    }
    summary = report["summary"]
    assert summary["files"] == check["summary"]["files"] == len(report["files"])
    assert summary["references"] == check["summary"]["references"]
    assert summary["diagnostics"] == len(report["diagnostics"])
    assert summary["error"] + summary["warning"] + summary["info"] == summary["diagnostics"]
    assert summary["unknown"] == check["summary"]["unknown"] > 0
    assert set(summary["fixable"]) == {"safe", "unsafe"}


def test_select_and_ignore(in_root):
    report = json.loads(
        run("examples", "--offline", "--json", "--select", "RL1", "--ignore", "doi-missing-prefix").stdout
    )
    assert report["rules"] and all(c.startswith("RL1") and c != "RL101" for c in report["rules"])


def test_clean_run_exits_zero(tmp_path):
    (tmp_path / "clean.md").write_text("Stretching before running is a common habit.\n", "utf-8")
    result = run(tmp_path, "--offline", "--html", tmp_path / "report.html")
    assert result.exit_code == 0, result.output
    assert "All checks passed" in result.stdout
    elements = assert_inert((tmp_path / "report.html").read_text("utf-8"))
    assert embedded_data(elements)["summary"]["diagnostics"] == 0


def test_errors_exit_two(tmp_path):
    assert run(tmp_path / "missing", "--offline").exit_code == 2
    result = run(ROOT / "examples", "--offline", "--html", tmp_path / "no" / "such" / "dir.html")
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr


def test_terminal_does_not_interpret_rich_markup_in_paths(tmp_path, monkeypatch):
    (tmp_path / "[").mkdir()
    (tmp_path / "[/]odd[red].md").write_text(EVIL_REFERENCES, "utf-8")
    monkeypatch.chdir(tmp_path)
    result = run(".", "--offline")
    assert result.exit_code == 1, result.output
    assert "[/]odd[red].md" in result.stdout


def test_progress_bar_only_on_a_terminal(in_root, monkeypatch, fake_crossref, tmp_path):
    """Online, on a real pseudo-terminal: the bar counts the lookups; piped: no bar at all."""
    monkeypatch.delenv("REFLINT_OFFLINE")
    env = {
        **os.environ,
        "REFLINT_CROSSREF_URL": fake_crossref.url,
        "REFLINT_DOI_URL": fake_crossref.url,
        "REFLINT_MAILTO": "tests@example.org",
        "COLUMNS": "120",
    }
    command = [sys.executable, "-c", "from reflint.cli import main; main()", "audit", "examples", "--json"]
    leader, follower = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, env=env) as proc:
        os.close(follower)
        terminal = b""
        while chunk := _read(leader):
            terminal += chunk
        stdout = proc.stdout.read()
    os.close(leader)
    assert proc.returncode == 1
    assert json.loads(stdout)["summary"]["unknown"] == 0  # resolved online
    counts = re.findall(r"(\d+)/(\d+)", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.decode()))
    assert "Resolving DOIs and references" in terminal.decode()
    assert counts and counts[-1][0] == counts[-1][1] and int(counts[-1][0]) > 10

    cold = {**env, "REFLINT_CACHE_DIR": str(tmp_path / "cold")}
    piped = subprocess.run(command, capture_output=True, env=cold, timeout=120)
    assert piped.returncode == 1 and b"Resolving" not in piped.stderr


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the child closed the terminal
        return b""


# -- HTML -----------------------------------------------------------------------------------------


def test_html_report_is_self_contained(in_root, tmp_path):
    out = tmp_path / "out.html"
    result = run("examples", "--offline", "--html", out)
    assert result.exit_code == 1
    assert "Problems by rule" in result.stdout  # the tables still print
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    elements = assert_inert(page)
    report = json.loads(run("examples", "--offline", "--json").stdout)
    assert embedded_data(elements) == report
    bars = [a for a in elements.named("span") if a.get("class", "").startswith("bar sev-")]
    assert len(bars) == len(report["rules"])  # one bar per rule found
    assert len(elements.named("tr")) == 1 + len(report["files"]) + 1 + len(report["diagnostics"])
    csp = elements.named("meta")[1]
    assert csp["http-equiv"] == "Content-Security-Policy"
    policy = dict(d.strip().split(" ", 1) for d in csp["content"].split(";"))
    assert policy["default-src"] == "'none'"
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", policy["script-src"])  # our script only


def test_html_escapes_everything_taken_from_documents(evil, tmp_path):
    out = tmp_path / "evil.html"
    result = run(*evil, "--offline", "--html", out)
    assert result.exit_code == 1, result.output
    page = out.read_text("utf-8")
    elements = assert_inert(page)
    # the text is there, as text
    assert "reflint audit: " in page and "&lt;script&gt;alert(1)&lt;/script&gt;.md" in page
    assert "&lt;img src=x onerror=alert(1)&gt;.md" in page
    assert "10.1234/&quot;&gt;" in page  # the DOI-ish `10.1234/"><script>` in a message
    assert f'data-sort="{html.escape(str(evil[0]))}\t' in page  # in attributes too
    data_text = elements.scripts[0][1]
    assert "<" not in data_text and ">" not in data_text and "&" not in data_text
    data = embedded_data(elements)
    assert any(
        "<script>alert(3)</script>" in json.dumps(d["data"], ensure_ascii=False) for d in data["diagnostics"]
    )  # intact after the round trip
    assert {f["path"] for f in data["files"]} == {str(p) for p in evil}


# -- a real browser -------------------------------------------------------------------------------


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("no chromium binary on PATH (Debian: apt-get install -y chromium)")
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def console_lines(stderr: str) -> list[str]:
    """Console output of the page (errors, CSP violations, uncaught exceptions)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def png_pixels(path: Path, limit: int) -> tuple[int, int, list[bytes]]:
    """Width, height and the first ``limit`` RGB rows of an 8-bit, non-interlaced RGB/RGBA PNG
    (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(min(height, limit)):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(b for j, b in enumerate(line) if j % 4 != 3))
        prev = line
    return width, height, rows


def longest_run(row: bytes, rgb: bytes) -> int:
    best = run_ = 0
    for x in range(0, len(row), 3):
        run_ = run_ + 1 if row[x : x + 3] == rgb else 0
        best = max(best, run_)
    return best


def test_report_renders_in_headless_chromium(in_root, tmp_path):
    out = tmp_path / "out.html"
    assert run("examples", "--offline", "--html", out).exit_code == 1
    report = json.loads(run("examples", "--offline", "--json").stdout)

    # the DOM after the page's script ran: it sorted a table and marked itself ready
    dom = chromium("--dump-dom", out.as_uri(), profile=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_lines(dom.stderr) == []
    dom_html = dom.stdout
    assert re.search(r'<body[^>]*\bdata-ready="true"', dom_html), "the page's script did not finish"
    assert re.search(r'<th[^>]*data-default-sort="ascending"[^>]*aria-sort="ascending"', dom_html)
    assert len(re.findall(r'<th[^>]*tabindex="0"', dom_html)) == 12  # every header is sortable
    assert len(re.findall(r'<span class="bar sev-', dom_html)) == len(report["rules"])
    assert 'id="diagnostics" class="sortable"' in dom_html

    # the picture a human looks at: tests/artifacts/audit.png
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "audit.png"
    shot.unlink(missing_ok=True)
    result = chromium(
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        "--hide-scrollbars",
        out.as_uri(),
        profile=tmp_path / "profile",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result.stderr) == []
    assert shot.stat().st_size > 20_000
    width, height, rows = png_pixels(shot, limit=1000)
    assert (width, height) == (1280, 2000)
    # the chart rendered: the longest bar (RL101, 7 problems) is a long run of the error colour
    error_red = bytes((0xC5, 0x30, 0x30))
    assert max(longest_run(row, error_red) for row in rows) > 300
    assert len(set(rows[::25])) > 20  # not a blank page


def test_hostile_document_stays_inert_in_chromium(evil, tmp_path):
    out = tmp_path / "evil.html"
    assert run(*evil, "--offline", "--html", out).exit_code == 1
    dom = chromium("--dump-dom", out.as_uri(), profile=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_lines(dom.stderr) == []  # not even a blocked injection attempt
    assert re.search(r'<body[^>]*\bdata-ready="true"', dom.stdout)
    elements = Elements(dom.stdout)
    assert len(elements.named("script")) == 2 and not elements.named("img")
    assert not [a for _, attrs in elements.tags for a in attrs if a.startswith("on")]


# -- issue 10: audit takes check's options; piped tables; the page's title, chart and fixes --------


def test_audit_takes_checks_exit_and_output_options(tmp_path):
    (tmp_path / "bad.md").write_text("See doi:1093/rheumatology/ken161 for details.\n", "utf-8")
    (tmp_path / "clean.md").write_text("Stretching: doi:10.1093/rheumatology/ken161\n", "utf-8")
    assert run(tmp_path / "bad.md", "--exit-zero").exit_code == 0
    clean = run(tmp_path / "clean.md")
    assert clean.exit_code == 0 and "1 unknown" in clean.stdout
    assert run(tmp_path / "clean.md", "--strict-network").exit_code == 1  # unknown counts as failing
    out = tmp_path / "audit.json"
    quiet = run(tmp_path / "bad.md", "--json", "-q", "--output-file", out, "--no-progress")
    assert quiet.exit_code == 1 and quiet.output == ""
    assert json.loads(out.read_text("utf-8"))["summary"]["diagnostics"] == 1


def test_audit_honours_a_baseline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.md").write_text("See doi:1093/rheumatology/ken161 for details.\n", "utf-8")
    CliRunner().invoke(main, ["check", "--write-baseline", "base.json"])
    result = run(".", "--baseline", "base.json", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["diagnostics"] == 0


def test_piped_tables_keep_long_paths_whole(tmp_path, monkeypatch):
    deep = tmp_path / "a-rather-long-directory-name" / "with-another-long-directory-name-inside"
    deep.mkdir(parents=True)
    (deep / "an-article-with-a-long-file-name.md").write_text(EVIL_REFERENCES, "utf-8")
    monkeypatch.chdir(tmp_path)
    result = run(".")
    path = "a-rather-long-directory-name/with-another-long-directory-name-inside/an-article-with-a-long-file-name.md"
    assert len(path) > 80
    assert any(path in line for line in result.stdout.splitlines())
    assert max(map(len, result.stdout.splitlines())) < 300  # wide enough, not padded to the limit


def test_html_title_names_the_directory_not_a_dot(tmp_path, monkeypatch):
    kb = tmp_path / "clinic-faq"
    kb.mkdir()
    (kb / "a.md").write_text(EVIL_REFERENCES, "utf-8")
    monkeypatch.chdir(kb)
    run(".", "--html", "report.html")
    page = (kb / "report.html").read_text("utf-8")
    assert "<title>reflint audit: clinic-faq</title>" in page
    assert "<span>clinic-faq</span>" in page


def test_html_fix_column_shows_the_text_replaced(in_root, tmp_path):
    out = tmp_path / "out.html"
    run("examples", "--html", out)
    page = out.read_text("utf-8")
    assert (
        '<code class="old">1179/jmt.2006.14.4.70E</code> &rarr; <code class="new">10.1179/jmt.2006.14.4.70E</code>'
        in page
    )
    assert not re.search(r"\d+:\d+&ndash;\d+:\d+", page)  # no raw offsets


def test_html_chart_is_made_of_rows_that_reflow_on_a_phone(in_root, tmp_path):
    out = tmp_path / "out.html"
    run("examples", "--html", out)
    page = out.read_text("utf-8")
    assert "<svg" not in page  # a scaled picture shrinks its labels to nothing on a phone
    assert "@media (max-width:640px)" in page and ".bar-row{grid-template-columns:4.5em minmax(0,1fr) 3em" in page


def test_report_chart_is_readable_at_phone_width(in_root, tmp_path):
    out = tmp_path / "out.html"
    run("examples", "--html", out)
    shot = tmp_path / "phone.png"
    result = chromium(
        f"--screenshot={shot}",
        "--window-size=390,1400",
        "--hide-scrollbars",
        out.as_uri(),
        profile=tmp_path / "profile",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    width, _, rows = png_pixels(shot, limit=1400)
    assert width == 390
    error_red = bytes((0xC5, 0x30, 0x30))
    assert max(longest_run(row, error_red) for row in rows) > 200  # the longest bar spans the phone


def test_no_progress_and_quiet_turn_the_bar_off():
    import io

    from reflint.audit import wants_progress
    from reflint.cli_options import RunOptions
    from reflint.config import Config
    from reflint.crossref import CrossrefClient
    from reflint.linter import Linter
    from reflint.resolve import Resolver

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    online = Linter(Config(), Resolver(CrossrefClient("http://127.0.0.1:9", mailto="t@example.org")))
    offline = Linter(Config(), Resolver(None))

    def opts(**given):
        values = dict(
            select=[],
            extend_select=[],
            ignore=[],
            extend_ignore=[],
            config_path=None,
            network={},
            changed_since=None,
            baseline_path=None,
            force_exclude=False,
            exit_zero=False,
            strict_network=False,
            quiet=False,
            output_file=None,
            color="auto",
            no_progress=False,
        )
        return RunOptions(**{**values, **given})

    assert wants_progress(online, opts(), Terminal())
    assert not wants_progress(online, opts(no_progress=True), Terminal())
    assert not wants_progress(online, opts(quiet=True), Terminal())
    assert not wants_progress(online, opts(), io.StringIO())  # piped
    assert not wants_progress(offline, opts(), Terminal())


def test_audit_colours_only_when_asked(tmp_path):
    (tmp_path / "bad.md").write_text("See doi:1093/rheumatology/ken161 for details.\n", "utf-8")
    plain = run(tmp_path / "bad.md")
    coloured = run(tmp_path / "bad.md", "--color", "always")
    assert "\x1b[" not in plain.stdout and "\x1b[" in coloured.stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.stdout).split() == plain.stdout.split()


def test_audit_changed_since_reports_only_changed_lines(tmp_path, monkeypatch):
    from helpers import git

    git(tmp_path, "init", "-q")
    (tmp_path / "a.md").write_text("1\ndoi:1093/rheumatology/ken161\n3\n", "utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "old problem")
    (tmp_path / "a.md").write_text("1\ndoi:1093/rheumatology/ken161\n3\ndoi:1179/jmt.2006.14.4.70E\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("--changed-since", "HEAD", "--json")
    assert result.exit_code == 1, result.output
    assert [d["line"] for d in json.loads(result.stdout)["diagnostics"]] == [4]
