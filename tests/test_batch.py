"""Batch processing: failure isolation, kill-and-resume, manifest, Dask scale-out."""

from __future__ import annotations

import argparse
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import pytest

from layout.batch import (
    FAULTS_ENV,
    MANIFEST_NAME,
    BatchError,
    _locked,
    add_batch_arguments,
    categorize,
    cmd_batch,
    discover,
    output_bases,
    read_manifest,
    run_batch,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PDF = ROOT / "samples" / "la-precinct-bulletin-2014-p1.pdf"


# ----------------------------------------------------------------------- inputs


def page_dict(tag: str, columns: int = 2) -> dict:
    """A small two-column page: a headline and six body lines per column."""
    lines = []
    for c in range(columns):
        x = 50 + c * 400
        lines.append({"id": f"h{c}", "text": f"Headline {c} on page {tag}", "bbox": [x, 20, x + 300, 45]})
        for i in range(6):
            y = 60 + i * 20
            lines.append({"id": f"l{c}_{i}", "text": f"Body line {i} of column {c} tells story {tag}.", "bbox": [x, y, x + 300, y + 15]})
    return {"schema": "pagestitch/page@1", "width": 800, "height": 400, "lines": lines}


def write_page(path: Path, tag: str) -> Path:
    path.write_text(json.dumps(page_dict(tag)), encoding="utf-8")
    return path


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("L", (width, height), 255).save(buf, "PNG")
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png() -> bytes:
    """A valid PNG header claiming 50000 x 50000 pixels, with almost no data."""
    ihdr = struct.pack(">IIBBBBB", 50000, 50000, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.radial_gradient("L").save(buf, "JPEG")
    return buf.getvalue()


def encrypted_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt="pw")
    c.drawString(72, 720, "Secret page")
    c.save()


XXE = """<?xml version="1.0"?>
<!DOCTYPE alto [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page ID="p1" WIDTH="100" HEIGHT="100">
<PrintSpace><TextBlock ID="b1"><TextLine ID="t1"><String CONTENT="&xxe;" HPOS="1" VPOS="1" WIDTH="9" HEIGHT="9"/>
</TextLine></TextBlock></PrintSpace></Page></Layout></alto>
"""


def seed_bad_inputs(d: Path) -> dict[str, str]:
    """One file per kind of bad input; returns name -> expected category."""
    good_pdf = SAMPLE_PDF.read_bytes()
    (d / "empty.pdf").write_bytes(b"")
    (d / "truncated.pdf").write_bytes(good_pdf[: len(good_pdf) // 3])
    encrypted_pdf(d / "encrypted.pdf")
    (d / "garbage.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    (d / "word.pdf").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml" + b"\x00" * 200)  # .docx bytes
    (d / "truncated.png").write_bytes(png_bytes()[:60])
    (d / "wrongmagic.png").write_bytes(b"\x89PNX\r\n\x1a\n" + png_bytes()[8:])
    (d / "cut.jpg").write_bytes(jpeg_bytes()[:700])
    (d / "bomb.png").write_bytes(bomb_png())
    (d / "garbage.tif").write_bytes(b"II*\x00" + b"\xff\x00\x13" * 300)
    with (d / "huge.tif").open("wb") as fh:  # sparse: costs no disk, but 2 GiB by size
        fh.truncate(2 << 30)
    (d / "invalid.json").write_text('{"schema": "pagestitch/page@1", "width": ', encoding="utf-8")
    (d / "wrongschema.json").write_text(json.dumps({"schema": "someone/else@3", "width": 1, "height": 1, "lines": []}), encoding="utf-8")
    bad_box = page_dict("bad")
    bad_box["lines"][0]["bbox"] = [300, 40, 10, 20]
    (d / "badbbox.json").write_text(json.dumps(bad_box), encoding="utf-8")
    (d / "broken.xml").write_text("<alto><Layout><Page></Layout>", encoding="utf-8")
    (d / "xxe.xml").write_text(XXE, encoding="utf-8")
    (d / "x.png").mkdir()
    (d / "dangling.pdf").symlink_to(d / "nowhere" / "gone.pdf")
    os.mkfifo(d / "fifo.pdf")
    write_page(d / "hang.json", "hang")
    write_page(d / "crash.json", "crash")
    return {
        "empty.pdf": "empty file",
        "truncated.pdf": "corrupt or truncated",
        "encrypted.pdf": "encrypted",
        "garbage.pdf": "corrupt or truncated",
        "word.pdf": "unknown file type",
        "truncated.png": "corrupt or truncated",
        "wrongmagic.png": "unknown file type",
        "cut.jpg": "corrupt or truncated",
        "bomb.png": "too large",
        "garbage.tif": "corrupt or truncated",
        "huge.tif": "too large",
        "invalid.json": "invalid page JSON",
        "wrongschema.json": "invalid page JSON",
        "badbbox.json": "invalid page JSON",
        "broken.xml": "invalid XML",
        "xxe.xml": "invalid XML",
        "x.png": "not a regular file",
        "dangling.pdf": "missing file",
        "fifo.pdf": "not a regular file",
        "hang.json": "timeout",
        "crash.json": "worker crash",
    }


def seed_good_inputs(d: Path, n: int = 3) -> dict[str, int]:
    """Good inputs -> pages each: page JSONs, a two-page JSON, a born-digital PDF."""
    good = {}
    for i in range(n):
        write_page(d / f"good-{i}.json", f"g{i}")
        good[f"good-{i}.json"] = 1
    sub = d / "sub"
    sub.mkdir()
    (sub / "two.json").write_text(json.dumps({"pages": [page_dict("a"), page_dict("b")]}), encoding="utf-8")
    good["sub/two.json"] = 2
    (d / "bulletin.pdf").write_bytes(SAMPLE_PDF.read_bytes())
    good["bulletin.pdf"] = 1
    return good


def done_records(manifest: Path) -> Counter:
    counts: Counter = Counter()
    for raw in manifest.read_bytes().splitlines():
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        if rec.get("kind") == "input" and rec.get("status") == "done":
            counts[rec["input"]] += 1
    return counts


def _gone(pid: int, wait: float = 5.0) -> bool:
    """The process has exited (a zombie waiting for init counts as exited)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def assert_outputs_whole(out: Path, records: dict) -> None:
    """Every output a done record names exists and is complete; no temp files left."""
    for rec in records.values():
        if rec["status"] != "done":
            continue
        for page in rec["pages"]:
            for name in page["outputs"]:
                path = out / name
                text = path.read_text(encoding="utf-8")
                if name.endswith(".json"):
                    assert json.loads(text)["schema"] == "pagestitch/page@1"
                else:
                    assert text.endswith("\n") and "## " in text
    assert not list(out.rglob("*.tmp"))


# ----------------------------------------------------------------------- tests


def test_bad_inputs_are_reported_and_good_pages_all_produced(tmp_path, monkeypatch):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    bad = seed_bad_inputs(src)
    good = seed_good_inputs(src)
    (src / "memo.docx").write_bytes(b"PK\x03\x04 not a page")
    monkeypatch.setenv(FAULTS_ENV, "hang:hang.json,crash:crash.json")

    # The hang fault never returns, so any timeout shows it; 15 s leaves a real PDF
    # (bulletin.pdf) room on a machine busy with other jobs, where 3 s timed it out.
    summary = run_batch(src, out, workers=2, timeout=15, progress=False)

    records = read_manifest(out / MANIFEST_NAME)
    for key, pages in good.items():
        assert records[key]["status"] == "done", records[key]
        assert len(records[key]["pages"]) == pages
    assert_outputs_whole(out, records)
    assert (out / "sub" / "two-p001.md").exists() and (out / "sub" / "two-p002.json").exists()
    got = {key: records[key].get("category") for key in bad}
    assert got == bad, {k: records[k]["reason"] for k in bad if got[k] != bad[k]}
    assert all(records[key]["status"] == "failed" and records[key]["reason"] for key in bad)
    assert records["memo.docx"]["status"] == "skipped"
    assert "timed out" in records["hang.json"]["reason"] and "worker process died" in records["crash.json"]["reason"]
    assert (summary.done, summary.failed, summary.skipped, summary.pages) == (len(good), len(bad), 1, sum(good.values()))
    assert summary.exit_code == 1
    report = summary.format()
    assert "failures by reason:" in report and "encrypted (1):" in report and "timeout (1):" in report


def test_sigkill_midway_then_resume_does_every_page_once(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    keys = [write_page(src / f"page-{i:02d}.json", str(i)).name for i in range(14)]
    env = {**os.environ, FAULTS_ENV: "slow:0.4"}
    code = "import sys; from layout.batch import run_batch; run_batch(sys.argv[1], sys.argv[2], workers=2, progress=False)"
    proc = subprocess.Popen([sys.executable, "-c", code, str(src), str(out)], cwd=ROOT, env=env)
    manifest = out / MANIFEST_NAME
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest.exists() and sum(done_records(manifest).values()) >= 4:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "batch finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    first = done_records(manifest)
    assert 4 <= sum(first.values()) < len(keys)
    workers = {int(r["worker"].rsplit(":", 1)[1]) for r in read_manifest(manifest).values()}
    assert workers and all(_gone(pid) for pid in workers), "workers outlived the killed batch"
    # What a kill in the middle of a write leaves: a cut manifest line and a temp file.
    with manifest.open("ab") as fh:
        fh.write(b'{"kind": "input", "input": "page-13.json", "sta')
    (out / ".page-13.json.x1y2.tmp").write_text('{"cut', encoding="utf-8")

    summary = run_batch(src, out, workers=2, progress=False)

    assert summary.exit_code == 0
    assert summary.reused == sum(first.values()) and summary.processed == len(keys) - summary.reused
    final = done_records(manifest)
    assert final == Counter({k: 1 for k in keys})
    assert_outputs_whole(out, read_manifest(manifest))
    again = run_batch(src, out, workers=2, progress=False)
    assert (again.processed, again.reused, again.exit_code) == (0, len(keys), 0)


def test_failed_inputs_are_kept_until_retried_or_changed(tmp_path, monkeypatch):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    write_page(src / "ok.json", "ok")
    write_page(src / "flaky.json", "flaky")
    (src / "fixme.json").write_text("{oops", encoding="utf-8")
    monkeypatch.setenv(FAULTS_ENV, "hang:flaky.json")
    first = run_batch(src, out, workers=2, timeout=1, progress=False)
    assert (first.done, first.failed, first.exit_code) == (1, 2, 1)

    monkeypatch.delenv(FAULTS_ENV)
    write_page(src / "fixme.json", "fixed")  # changed file: tried again without asking
    second = run_batch(src, out, workers=1, progress=False)
    assert (second.processed, second.done, second.failed) == (1, 2, 1)
    assert "earlier run" in second.failures[0].reason

    third = run_batch(src, out, workers=1, retry_failed=True, progress=False)
    assert (third.processed, third.done, third.failed, third.exit_code) == (1, 3, 0, 0)
    fresh = run_batch(src, out, workers=2, resume=False, progress=False)
    assert (fresh.processed, fresh.reused) == (3, 0)


def test_cli_arguments_and_exit_codes(tmp_path, capsys):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    write_page(src / "a.json", "a")
    (src / "list.txt").write_text("a.json\n# a comment\nmissing.json\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_batch_arguments(parser)
    args = parser.parse_args([str(src / "list.txt"), "-o", str(out), "--workers", "1", "--format", "json,txt", "--no-progress"])
    assert cmd_batch(args) == 1
    err = capsys.readouterr().err
    assert "missing file (1):" in err and "missing.json: file not found" in err
    assert (out / "a.json").exists() and (out / "a.txt").exists()
    args = parser.parse_args([str(src / "a.json"), "-o", str(tmp_path / "out2"), "--workers", "1", "--no-progress"])
    assert cmd_batch(args) == 0


def test_discover_walks_skips_and_names_outputs(tmp_path):
    src = tmp_path / "in"
    (src / "deep" / "er").mkdir(parents=True)
    (src / ".hidden").mkdir()
    (src / "x.tif").mkdir()
    for name in ("a.pdf", "a.png", "b.lines.json", "b.truth.json", "notes.md", ".DS_Store", "deep/er/c.xml", ".hidden/d.pdf"):
        (src / name).write_bytes(b"x")
    out = src / "out"
    out.mkdir()
    (out / "e.json").write_bytes(b"{}")
    entries = {e.key: e for e in discover(src, exclude=out.resolve())}
    assert sorted(entries) == ["a.pdf", "a.png", "b.lines.json", "b.truth.json", "deep/er/c.xml", "notes.md", "x.tif"]
    assert entries["notes.md"].skip_reason and entries["b.truth.json"].skip_reason
    assert entries["x.tif"].skip_reason is None  # a folder named like a page is reported, not walked
    bases = output_bases([e for e in entries.values() if e.skip_reason is None])
    assert bases == {"a.pdf": "a.pdf", "a.png": "a.png", "b.lines.json": "b", "deep/er/c.xml": "deep/er/c", "x.tif": "x"}
    with pytest.raises(BatchError):
        discover(tmp_path / "absent")


def test_manifest_tolerates_cut_lines_and_lock_is_exclusive(tmp_path):
    manifest = tmp_path / MANIFEST_NAME
    good = {"kind": "input", "input": "a.json", "status": "failed"}
    later = {"kind": "input", "input": "a.json", "status": "done"}
    manifest.write_text(json.dumps(good) + "\nnot json\n" + json.dumps(later) + '\n{"kind": "inp', encoding="utf-8")
    assert read_manifest(manifest)["a.json"]["status"] == "done"
    with _locked(tmp_path):
        with pytest.raises(BatchError, match="another batch"):
            run_batch(tmp_path, tmp_path, workers=1, progress=False)


@pytest.mark.parametrize(
    "reason, category",
    [
        ("timed out after 4 s (limit 3 s per page, 1 page(s)); worker replaced", "timeout"),
        ("encrypted PDF: a password is needed", "encrypted"),
        ("not valid JSON: Expecting value at line 1 column 1", "invalid page JSON"),
        ("image too large (decompression bomb?): ...", "too large"),
        ("something new", "other error"),
    ],
)
def test_categories(reason, category):
    assert categorize(reason) == category


def test_dask_cluster_gives_the_same_outputs_and_manifest(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    import dask
    from distributed import LocalCluster

    src = tmp_path / "in"
    src.mkdir()
    good = seed_good_inputs(src, n=2)
    (src / "invalid.json").write_text("{", encoding="utf-8")
    encrypted_pdf(src / "encrypted.pdf")
    write_page(src / "hang.json", "hang")
    write_page(src / "crash.json", "crash")
    monkeypatch.setenv(FAULTS_ENV, "hang:hang.json,crash:crash.json")
    # One death is enough to call a task a crasher; the default retries it three times.
    # 15 s a page: with other jobs on this 2-core machine a Dask worker took over 5 s for
    # the real PDF and was killed as hung; the hung page costs the limit itself.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True) as cluster:
            on_dask = run_batch(src, tmp_path / "dask", scheduler=cluster.scheduler_address, timeout=15, progress=False)
            deadline = time.monotonic() + 120  # a restarted worker imports everything anew
            while len(cluster.scheduler.workers) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(cluster.scheduler.workers) == 2  # crashed and hung workers were replaced
    local = run_batch(src, tmp_path / "local", workers=2, timeout=15, progress=False)

    d, l = read_manifest(tmp_path / "dask" / MANIFEST_NAME), read_manifest(tmp_path / "local" / MANIFEST_NAME)
    assert {k: (r["status"], r.get("category")) for k, r in d.items()} == {k: (r["status"], r.get("category")) for k, r in l.items()}
    assert {k: [p["outputs"] for p in r["pages"]] for k, r in d.items()} == {k: [p["outputs"] for p in r["pages"]] for k, r in l.items()}
    assert (on_dask.done, on_dask.failed, on_dask.exit_code) == (local.done, local.failed, 1) == (len(good), 4, 1)
    for rec in d.values():
        for page in rec["pages"]:
            for name in page["outputs"]:
                a, b = (tmp_path / "dask" / name).read_text(), (tmp_path / "local" / name).read_text()
                if name.endswith(".json"):  # timings differ between runs; the content must not
                    a, b = (_without_timings(json.loads(t)) for t in (a, b))
                assert a == b, name


def _without_timings(page: dict) -> dict:
    page.get("provenance", {}).pop("timings", None)
    return page
