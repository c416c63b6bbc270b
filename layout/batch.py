"""Archive batch processing: many inputs, parallel workers, a manifest, resume.

    pagestitch batch INPUT_DIR_OR_LIST... -o OUT_DIR [--workers N] [--timeout S]
                     [--retry-failed] [--no-resume] [--scheduler tcp://HOST:PORT]

The unit of work is one input file; a multi-page file yields several pages, each
recorded in the manifest. Pages never run in the parent process: a file that crashes
or hangs its reader only takes down a worker, which is killed and replaced.

The manifest (``OUT_DIR/manifest.jsonl``) is append-only JSON lines, fsynced per
record, and only the parent writes it. The last record per input wins, so a resumed
run simply appends; a line cut short by a kill is ignored when reading.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import multiprocessing as mp
import os
import signal
import socket
import sys
import threading
import time
import warnings
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

MANIFEST_NAME = "manifest.jsonl"
MANIFEST_SCHEMA = "pagestitch/batch-manifest@1"
LOCK_NAME = ".pagestitch-batch.lock"
DEFAULT_TIMEOUT = 300.0  # seconds per page; OCR of a large scan takes well under a minute
DEFAULT_MAX_FILE_MB = 1024.0
SETUP_LIMIT = 180.0  # seconds for checks and loading the OCR engine, before the page clock
FAULTS_ENV = "PAGESTITCH_TEST_FAULTS"

# File names the walker hands to readers; readers decide the real type by content.
INPUT_SUFFIXES = frozenset(
    ".pdf .png .jpg .jpeg .jpe .tif .tiff .bmp .webp .jp2 .j2k .jpx .json .xml .hocr .html .htm".split()
)
# Ground truth and paste text live beside benchmark pages; they are not pages.
SIDE_SUFFIXES = (".truth.json", ".paste.txt")
LIST_SUFFIXES = frozenset({".txt", ".lst", ".list"})

ResultCallback = Callable[["Task", dict[str, Any]], None]
Reporter = Callable[[str, int], None]


class BatchError(Exception):
    """The batch as a whole cannot run (bad OUT_DIR, another batch holds the lock...)."""


# ----------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Entry:
    """One discovered input: manifest key, file path, output path relative to OUT_DIR."""

    key: str
    path: Path
    out_rel: str
    skip_reason: str | None = None


def _input_kind(name: str, is_dir: bool) -> str | None:
    """None for an input, else why the walker skips the name."""
    lower = name.lower()
    if lower.endswith(SIDE_SUFFIXES):
        return "side file (ground truth or paste text), not a page"
    suffix = Path(lower).suffix
    if suffix in INPUT_SUFFIXES:
        return None
    if is_dir:
        return "directory"
    return f"not an input type by its name ({suffix or 'no extension'})"


def _walk(root: Path, exclude: Path | None) -> Iterator[Entry]:
    for here, dirs, files in os.walk(root):
        base = Path(here)
        keep = []
        for d in sorted(dirs):
            full = base / d
            if d.startswith(".") or (exclude is not None and full.resolve() == exclude):
                continue
            # Nobody names a folder "scan.png" on purpose: report it rather than descend.
            if _input_kind(d, True) is None:
                yield _entry(full.relative_to(root).as_posix(), full)
            else:
                keep.append(d)
        dirs[:] = keep
        for f in sorted(files):
            if not f.startswith("."):
                full = base / f
                yield _entry(full.relative_to(root).as_posix(), full, _input_kind(f, False))


def _entry(key: str, path: Path, skip: str | None = None) -> Entry:
    rel = Path(key)
    out_rel = key if not rel.is_absolute() and ".." not in rel.parts else rel.name
    return Entry(key, path, out_rel, skip)


def _read_list(list_file: Path) -> Iterator[Entry]:
    """Paths one per line; relative ones are relative to the list file; # comments."""
    try:
        text = list_file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchError(f"{list_file}: cannot read input list: {exc}") from None
    for line in text.splitlines():
        item = line.strip()
        if item and not item.startswith("#"):
            path = Path(item) if Path(item).is_absolute() else list_file.parent / item
            yield _entry(item, path)


def discover(inputs: Sequence[str | Path] | str | Path, exclude: Path | None = None) -> list[Entry]:
    """Entries of every directory (walked), list file and plain file given, keys unique."""
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    found: list[Entry] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found.extend(_walk(p, exclude))
        elif p.suffix.lower() in LIST_SUFFIXES and p.is_file():
            found.extend(_read_list(p))
        elif p.exists() or p.is_symlink():
            found.append(_entry(p.name, p))
        else:
            raise BatchError(f"{p}: no such file or directory")
    return _unique(found)


def _unique(entries: list[Entry]) -> list[Entry]:
    """Drop repeated keys; a key seen from two roots gets a numbered twin."""
    seen: dict[str, int] = {}
    out: list[Entry] = []
    for e in entries:
        if e.key in seen and Path(e.path).resolve() == Path(out[seen[e.key]].path).resolve():
            continue
        key = e.key
        n = 2
        while key in seen:
            key, n = f"{e.key}#{n}", n + 1
        seen[key] = len(out)
        out.append(Entry(key, e.path, e.out_rel, e.skip_reason))
    return out


def _stem_base(name: str) -> str:
    stem = Path(name).stem
    for suffix in (".lines", ".page", ".alto"):
        stem = stem.removesuffix(suffix)
    return stem or "page"


def output_bases(entries: Iterable[Entry]) -> dict[str, str]:
    """Key -> output path without extension; inputs sharing a stem keep their suffix."""
    wanted: dict[str, str] = {}
    for e in entries:
        rel = Path(e.out_rel)
        wanted[e.key] = (rel.parent / _stem_base(rel.name)).as_posix()
    counts = Counter(wanted.values())
    taken: set[str] = set()
    result: dict[str, str] = {}
    for e in entries:
        base = wanted[e.key]
        if counts[base] > 1:  # a.pdf and a.png both -> "a": keep them apart
            base = Path(e.out_rel).as_posix().replace("#", "-")
        while base in taken:
            base += "_"
        taken.add(base)
        result[e.key] = base
    return result


# ----------------------------------------------------------------------- worker side


@dataclass(frozen=True)
class Task:
    """Everything a worker needs; plain data so it pickles to processes and Dask."""

    key: str
    path: str
    out_dir: str
    base: str
    formats: tuple[str, ...]
    engine: str
    options: Mapping[str, Any]
    timeout: float
    max_bytes: int


def _test_fault(name: str) -> None:
    """Hooks for the test-suite only: inert unless PAGESTITCH_TEST_FAULTS is set.

    ``hang:NAME`` sleeps for an hour, ``crash:NAME`` exits the worker at once,
    ``slow:SECONDS`` delays every input.
    """
    spec = os.environ.get(FAULTS_ENV)
    if not spec:
        return
    for item in spec.split(","):
        action, _, arg = item.strip().partition(":")
        if action == "hang" and arg == name:
            time.sleep(3600)
        elif action == "crash" and arg == name:
            os._exit(70)
        elif action == "slow":
            time.sleep(float(arg))


def _precheck(path: Path, max_bytes: int) -> None:
    """Problems a reader would meet badly: FIFOs block forever, huge files eat memory."""
    import stat

    from ocr.loaded import InputError

    try:
        st = path.lstat()
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        try:
            st = path.stat()
        except OSError:
            raise InputError(str(path), "file not found (dangling symbolic link)") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(str(path), "is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(str(path), f"not a regular file ({_file_type(st.st_mode)})")
    if st.st_size == 0:
        raise InputError(str(path), "empty file")
    if st.st_size > max_bytes:
        raise InputError(str(path), f"file too large: {st.st_size / 2**20:.0f} MB, limit {max_bytes / 2**20:.0f} MB")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from None


def _file_type(mode: int) -> str:
    import stat

    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


def _count_pages(path: Path) -> int:
    """Page count for the timeout budget; a guess of 1 when the file will not say."""
    with path.open("rb") as fh:
        if b"%PDF-" not in fh.read(1024):
            return 1
    try:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path))
        try:
            return max(1, len(doc))
        finally:
            doc.close()
    except Exception:  # noqa: BLE001 - the reader will report the real problem
        return 1


def _warm_up(path: Path, engine: str) -> None:
    """Import the pipeline, and load the OCR engine for an image, before the page
    clock starts: a once-per-worker cost of seconds is not a sign of a hanging page."""
    import layout.pipeline  # noqa: F401
    import ocr.pdf  # noqa: F401
    from ocr.readers import IMAGE_KINDS, cached_engine, sniff

    if sniff(path) in IMAGE_KINDS:
        cached_engine(engine)


def _fsync(path: Path) -> None:
    # A "done" record in the manifest must never point at data still only in cache.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _one_page(item: Any, index: int, multi: bool, task: Task) -> dict[str, Any]:
    from layout.api import reconstruct, write_outputs

    started = time.perf_counter()
    page = reconstruct(item, **dict(task.options))
    laid_out = time.perf_counter()
    stem = f"{task.base}-p{index:03d}" if multi else task.base
    target = Path(task.out_dir) / stem
    paths = write_outputs(page, target.parent, task.formats, stem=target.name)
    for p in paths:
        _fsync(p)
    _fsync_dir(target.parent)  # and the renames that put them in place
    timings = {k: round(float(v), 4) for k, v in dict(page.provenance.timings).items()}
    timings.update(layout=round(laid_out - started, 4), write=round(time.perf_counter() - laid_out, 4))
    outputs = [(Path(task.base).parent / p.name).as_posix() for p in paths]
    return {"page": index, "status": "done", "outputs": outputs, "timings": timings}


@contextlib.contextmanager
def _recorded_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Library warnings ("Corrupt EXIF data") go to the manifest, not over the progress
    bar. Only in a main thread: the warnings filter is process-wide, and Dask runs
    tasks in threads, where they stay in the worker's log."""
    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _failure(reason: str, **extra: Any) -> dict[str, Any]:
    return {"status": "failed", "reason": reason, "category": categorize(reason), "pages": [], **extra}


def process_input(task: Task, report: Reporter | None = None) -> dict[str, Any]:
    """Read, reconstruct and write every page of one input; never raises.

    ``report("pages", n)`` tells the caller how many pages to budget time for;
    ``report("ready", 0)`` that one-off setup is over and the page clock starts.
    """
    from ocr.loaded import InputError

    started = time.perf_counter()
    path = Path(task.path)
    report = report or (lambda kind, value: None)
    caught: list[warnings.WarningMessage] = []
    try:
        with _recorded_warnings() as caught:
            _precheck(path, task.max_bytes)
            _warm_up(path, task.engine)
            report("pages", _count_pages(path))
            report("ready", 0)
            _test_fault(path.name)
            result = _process_pages(task, path, report)
    except InputError as exc:
        result = _failure(exc.problem)
    except MemoryError:
        result = _failure("out of memory while reading the file")
    except RecursionError:
        result = _failure("file nests too deeply to read (recursion limit)")
    except Exception as exc:  # noqa: BLE001 - any other failure is recorded, the batch goes on
        result = _failure(f"internal error: {type(exc).__name__}: {exc}")
    if caught:
        result["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})[:20]
    result["seconds"] = round(time.perf_counter() - started, 4)
    result["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    return result


def _process_pages(task: Task, path: Path, report: Reporter) -> dict[str, Any]:
    from layout.api import read_pages

    t0 = time.perf_counter()
    loaded = read_pages(path, engine=task.engine)
    read_seconds = round(time.perf_counter() - t0, 4)
    if not loaded:
        return _failure("no pages in file", read_seconds=read_seconds)
    report("pages", len(loaded))
    multi = len(loaded) > 1
    pages = []
    for index, item in enumerate(loaded, start=1):
        try:
            pages.append(_one_page(item, index, multi, task))
        except Exception as exc:  # noqa: BLE001 - one bad page must not lose its siblings
            reason = f"page {index}: {type(exc).__name__}: {exc}"
            pages.append({"page": index, "status": "failed", "reason": reason})
    bad = [p for p in pages if p["status"] != "done"]
    if bad:
        result = _failure(bad[0]["reason"] + (f" (and {len(bad) - 1} more pages)" if len(bad) > 1 else ""))
        result.update(pages=pages, read_seconds=read_seconds)
        return result
    return {"status": "done", "reason": None, "category": None, "pages": pages, "read_seconds": read_seconds}


# Coarse groups for the summary; first match wins, so specific phrases come first.
_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("timeout", ("timed out",)),
    ("worker crash", ("worker process died", "killed worker")),
    ("empty file", ("empty file", "no pages", "holds no pages", "has no pixels")),
    ("missing file", ("not found", "dangling")),
    ("not a regular file", ("directory", "not a regular file")),
    ("too large", ("too large", "decompression bomb")),
    ("encrypted", ("encrypted", "password")),
    ("unknown file type", ("unknown file type",)),
    ("invalid page JSON", ("json", "not a pagestitch page", "schema")),
    ("invalid XML", ("xml", "entity", "dtd", "element")),
    ("corrupt or truncated", ("truncated", "corrupt", "unreadable", "not a readable", "cannot identify", "broken")),
    ("unreadable", ("cannot read", "permission")),
    ("out of memory", ("out of memory",)),
)


def categorize(reason: str) -> str:
    lower = reason.lower()
    for name, needles in _CATEGORIES:
        if any(n in lower for n in needles):
            return name
    return "other error"


# ----------------------------------------------------------------------- local pool


def _die_with_parent() -> None:
    """Linux: SIGKILL this worker when the batch process dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # parent already gone before prctl took effect
            os._exit(0)


def _worker_main(conn: Connection) -> None:
    _die_with_parent()
    # Ctrl-C goes to the whole process group; the parent decides what happens.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result = process_input(task, report=lambda kind, value: conn.send((kind, value)))
        conn.send(("done", result))


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set variables only while a child starts: it must see them before numpy loads."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class _Slot:
    proc: Any
    conn: Connection
    task: Task | None = None
    started: float = 0.0
    pages: int = 1
    ready: bool = False

    def deadline(self) -> float:
        assert self.task is not None
        if not self.ready:  # checks and engine loading: generous, but not unbounded
            return self.started + max(SETUP_LIMIT, self.task.timeout)
        return self.started + self.task.timeout * max(1, self.pages)


class LocalPool:
    """Worker processes run one task at a time; hung ones are killed, dead ones replaced.

    A process per slot (not ProcessPoolExecutor) because a crash must cost only the
    task that caused it, and a hang must be killable without stopping the others.
    """

    def __init__(self, workers: int, retries_after_crash: int = 1) -> None:
        self.workers = max(1, workers)
        self.retries = retries_after_crash
        self.ctx = mp.get_context("spawn")  # no inherited locks or threads from the parent
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        threads = str(max(1, cores // self.workers))
        # Workers are the parallelism; numeric libraries should not each take every core.
        self.env = {k: os.environ.get(k, threads) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
        self.attempts: Counter[str] = Counter()

    def _spawn(self) -> _Slot:
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(target=_worker_main, args=(child,), daemon=True, name="pagestitch-worker")
        with _environ(self.env):
            proc.start()
        child.close()
        return _Slot(proc, parent)

    @staticmethod
    def _stop(slot: _Slot) -> None:
        with contextlib.suppress(Exception):
            slot.proc.kill()
        slot.proc.join(5)
        slot.conn.close()

    def run(self, tasks: Sequence[Task], on_result: ResultCallback) -> None:
        queue: deque[Task] = deque(tasks)
        slots = [self._spawn() for _ in range(min(self.workers, len(queue)))]
        try:
            while queue or any(s.task for s in slots):
                for i, slot in enumerate(slots):
                    if slot.task is None and queue:
                        slots[i] = self._assign(slot, queue.popleft())
                busy = [s for s in slots if s.task is not None]
                soonest = min(s.deadline() for s in busy)
                wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=max(0.01, min(1.0, soonest - time.monotonic())))
                for slot in slots:
                    if slot.task is not None:
                        self._service(slot, queue, on_result)
        finally:
            for slot in slots:
                with contextlib.suppress(Exception):
                    slot.conn.send(None)
                self._stop(slot)

    def _assign(self, slot: _Slot, task: Task) -> _Slot:
        for _ in range(3):  # a stopped worker, or one that died while idle, is replaced here
            try:
                if slot.conn.closed or not slot.proc.is_alive():
                    raise OSError("worker gone")
                slot.conn.send(task)
                slot.task, slot.started, slot.pages, slot.ready = task, time.monotonic(), 1, False
                self.attempts[task.key] += 1
                return slot
            except (OSError, ValueError):
                self._stop(slot)
                slot = self._spawn()
        raise BatchError("cannot start worker processes")

    def _service(self, slot: _Slot, queue: deque[Task], on_result: ResultCallback) -> None:
        """Read what the worker sent; handle its death or its timeout."""
        task = slot.task
        assert task is not None
        try:
            while slot.conn.poll():
                kind, value = slot.conn.recv()
                if kind == "pages":
                    slot.pages = max(1, int(value))
                elif kind == "ready":
                    slot.started, slot.ready = time.monotonic(), True
                elif kind == "done":
                    slot.task = None
                    on_result(task, value)
                    return
        except (EOFError, OSError, ValueError, TypeError):
            pass  # the pipe broke: the worker died mid-message, handled below
        if not slot.proc.is_alive() or slot.conn.closed:
            self._crashed(slot, task, queue, on_result)
        elif time.monotonic() > slot.deadline():
            self._stop(slot)
            spent = time.monotonic() - slot.started
            reason = f"timed out after {spent:.0f} s (limit {task.timeout:g} s per page, {slot.pages} page(s)); worker replaced"
            on_result(task, _failure(reason, seconds=round(spent, 3)))
            slot.task = None  # stopped: _assign starts a fresh process when there is work

    def _crashed(self, slot: _Slot, task: Task, queue: deque[Task], on_result: ResultCallback) -> None:
        slot.proc.join(1)
        code = slot.proc.exitcode
        self._stop(slot)
        if self.attempts[task.key] <= self.retries:
            queue.appendleft(task)  # a crash may be the neighbour's fault (memory): try once more
        else:
            how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
            tries = self.attempts[task.key]
            on_result(task, _failure(f"worker process died ({how}) on {tries} attempt(s); worker replaced"))
        slot.task = None


# ----------------------------------------------------------------------- manifest


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Last record per input key; lines that do not parse (a kill mid-write) are ignored."""
    last: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return last
    with path.open("rb") as fh:
        for raw in fh:
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if isinstance(rec, dict) and rec.get("kind") == "input" and isinstance(rec.get("input"), str):
                last[rec["input"]] = rec
    return last


class Manifest:
    """Append-only JSON lines; each record is flushed and fsynced before we go on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fresh = not path.exists()
        self.fh = path.open("ab")
        if not fresh and path.stat().st_size and not self._ends_with_newline():
            self.fh.write(b"\n")  # seal a line cut short, so the next record parses
        if fresh:
            _fsync_dir(path.parent)

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def append(self, record: Mapping[str, Any]) -> None:
        self.fh.write(json.dumps(record, ensure_ascii=False, sort_keys=False).encode("utf-8") + b"\n")
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """One batch per OUT_DIR; the kernel drops the lock if we are killed."""
    fh = (out_dir / LOCK_NAME).open("a")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(f"{out_dir}: another batch is writing here") from None
        yield
    finally:
        fh.close()


def _remove_stale_temps(out_dir: Path) -> int:
    """Temp files of writes that a kill interrupted; safe because we hold the lock."""
    removed = 0
    for tmp in out_dir.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed += 1
    return removed


def _fingerprint(path: Path) -> dict[str, Any]:
    try:
        st = path.stat()
        return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    except OSError:
        return {"size": None, "mtime_ns": None}


def _still_valid(rec: Mapping[str, Any], entry: Entry, formats: Sequence[str]) -> bool:
    """A previous result counts only if the file is unchanged and had these formats."""
    fp = _fingerprint(entry.path)
    same_file = rec.get("size") == fp["size"] and rec.get("mtime_ns") == fp["mtime_ns"]
    return same_file and set(formats) <= set(rec.get("formats") or ())


# ----------------------------------------------------------------------- summary


@dataclass(frozen=True)
class Failure:
    input: str
    category: str
    reason: str


@dataclass
class BatchSummary:
    out_dir: Path
    manifest: Path
    inputs: int = 0
    processed: int = 0  # inputs run in this call
    done: int = 0  # inputs whose final status is done (this run or earlier)
    reused: int = 0  # done earlier and skipped by resume
    failed: int = 0
    skipped: int = 0
    pages: int = 0  # pages written in this call
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    skipped_kinds: Counter[str] = field(default_factory=Counter)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    def by_category(self) -> dict[str, list[Failure]]:
        groups: dict[str, list[Failure]] = {}
        for f in sorted(self.failures, key=lambda f: (f.category, f.input)):
            groups.setdefault(f.category, []).append(f)
        return groups

    def format(self) -> str:
        head = (
            f"batch: {self.inputs} inputs: {self.done} done ({self.reused} earlier), {self.failed} failed, "
            f"{self.skipped} skipped; {self.pages} pages in {self.seconds:.1f} s ({self.pages_per_second:.2f} pages/s)"
        )
        lines = [head]
        if self.skipped_kinds:
            lines.append("skipped: " + ", ".join(f"{k} ({n})" for k, n in sorted(self.skipped_kinds.items())))
        if self.failures:
            lines.append("failures by reason:")
            for category, items in self.by_category().items():
                lines.append(f"  {category} ({len(items)}):")
                lines.extend(f"    {f.input}: {f.reason}" for f in items)
        lines.append(f"manifest: {self.manifest}")
        return "\n".join(lines)


# ----------------------------------------------------------------------- the batch


def _progress_bar(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    # Unit is pages: an input counts as one until its worker says how many it had.
    return tqdm(total=total, unit="page", disable=not enabled, file=sys.stderr, smoothing=0.05, dynamic_ncols=True)


class _Recorder:
    """Turns worker results into manifest records, summary counts and progress."""

    def __init__(self, manifest: Manifest, summary: BatchSummary, entries: Mapping[str, Entry], formats: Sequence[str], bar: Any) -> None:
        self.manifest, self.summary, self.entries, self.formats, self.bar = manifest, summary, entries, formats, bar

    def __call__(self, task: Task, result: dict[str, Any]) -> None:
        entry = self.entries[task.key]
        record = {
            "kind": "input",
            "input": task.key,
            "path": str(entry.path),
            **_fingerprint(entry.path),
            "formats": list(self.formats),
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **result,
        }
        record.pop("replace_worker", None)
        self.manifest.append(record)
        self.summary.processed += 1
        pages = [p for p in result.get("pages", ()) if p.get("status") == "done"]
        self.summary.pages += len(pages)
        if result["status"] == "done":
            self.summary.done += 1
        else:
            self.summary.failed += 1
            self.summary.failures.append(Failure(task.key, result.get("category") or categorize(result["reason"]), result["reason"]))
        self._advance(max(1, len(result.get("pages", ()))))

    def _advance(self, n: int) -> None:
        if n > 1:
            self.bar.total += n - 1
            self.bar.refresh()
        self.bar.update(n)
        if self.summary.failed:
            self.bar.set_postfix(failed=self.summary.failed, refresh=False)


def _plan(
    entries: list[Entry], previous: Mapping[str, dict[str, Any]], summary: BatchSummary, formats: Sequence[str], resume: bool, retry_failed: bool
) -> tuple[list[Entry], list[Entry]]:
    """(to run, newly skipped); counts what resume keeps from earlier runs."""
    todo: list[Entry] = []
    skip: list[Entry] = []
    for e in entries:
        rec = previous.get(e.key) if resume else None
        if e.skip_reason is not None:
            summary.skipped += 1
            summary.skipped_kinds[e.skip_reason] += 1
            if not rec or rec.get("status") != "skipped":
                skip.append(e)
        elif rec and rec.get("status") == "done" and _still_valid(rec, e, formats):
            summary.done += 1
            summary.reused += 1
        elif rec and rec.get("status") == "failed" and not retry_failed and _still_valid(rec, e, formats):
            summary.failed += 1
            reason = str(rec.get("reason") or "failed")
            summary.failures.append(Failure(e.key, rec.get("category") or categorize(reason), reason + " (earlier run)"))
        else:
            todo.append(e)
    return todo, skip


def run_batch(
    inputs: Sequence[str | Path] | str | Path,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    formats: Sequence[str] = ("json", "md"),
    engine: str = "rapidocr",
    timeout: float = DEFAULT_TIMEOUT,
    resume: bool = True,
    retry_failed: bool = False,
    scheduler: str | None = None,
    progress: bool = True,
    options: Mapping[str, Any] | None = None,
    max_file_mb: float = DEFAULT_MAX_FILE_MB,
) -> BatchSummary:
    """Process every input under ``inputs`` into ``out_dir``; see the module docstring.

    ``timeout`` is seconds per page; ``resume`` keeps earlier results from the
    manifest (failed ones too unless ``retry_failed``); ``scheduler`` is a Dask
    scheduler address, else ``workers`` local processes (default: the core count).
    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    entries = discover(inputs, exclude=out.resolve())
    summary = BatchSummary(out_dir=out, manifest=out / MANIFEST_NAME, inputs=len(entries))
    with _locked(out):
        _remove_stale_temps(out)
        previous = read_manifest(summary.manifest)
        todo, skip = _plan(entries, previous, summary, formats, resume, retry_failed)
        manifest = Manifest(summary.manifest)
        try:
            manifest.append(_run_header(formats, engine, workers, scheduler, len(todo)))
            for e in skip:
                manifest.append({"kind": "input", "input": e.key, "path": str(e.path), "status": "skipped", "reason": e.skip_reason, "pages": []})
            tasks = _tasks(todo, out, formats, engine, options or {}, timeout, max_file_mb)
            by_key = {e.key: e for e in entries}
            with _progress_bar(len(tasks), progress) as bar:
                _execute(tasks, _Recorder(manifest, summary, by_key, formats, bar), workers, scheduler)
        finally:
            manifest.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _run_header(formats: Sequence[str], engine: str, workers: int | None, scheduler: str | None, todo: int) -> dict[str, Any]:
    return {
        "schema": MANIFEST_SCHEMA,
        "kind": "run",
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": socket.gethostname(),
        "formats": list(formats),
        "engine": engine,
        "workers": workers,
        "scheduler": scheduler,
        "to_process": todo,
    }


def _tasks(todo: list[Entry], out: Path, formats: Sequence[str], engine: str, options: Mapping[str, Any], timeout: float, max_file_mb: float) -> list[Task]:
    bases = output_bases(todo)
    out_abs = str(out.resolve())
    # Biggest files first: long tasks started early leave no straggler at the end.
    ordered = sorted(todo, key=lambda e: -(_fingerprint(e.path)["size"] or 0))
    return [
        Task(e.key, str(Path(e.path).absolute()), out_abs, bases[e.key], tuple(formats), engine, dict(options), float(timeout), int(max_file_mb * 2**20))
        for e in ordered
    ]


def _execute(tasks: list[Task], record: ResultCallback, workers: int | None, scheduler: str | None) -> None:
    if not tasks:
        return
    if scheduler:
        from layout.batch_dask import run_on_dask

        run_on_dask(tasks, scheduler, record)
        return
    LocalPool(workers or default_workers()).run(tasks, record)


def default_workers() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------- CLI


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``pagestitch batch``; the layout options are the same as ``run``'s."""
    from layout.cli import _formats, _layout_args

    parser.add_argument("inputs", nargs="+", type=Path, help="folders (walked), lists of paths (.txt/.lst, one per line) or files")
    parser.add_argument("-o", "--out", type=Path, required=True, help="output folder; holds manifest.jsonl")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: the number of cores)")
    parser.add_argument("--format", type=_formats, default=["json", "md"], help="comma-separated output formats")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help=f"seconds per page before a worker is killed (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_MAX_FILE_MB, help="larger inputs are refused (default %(default)g)")
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument("--resume", dest="resume", action="store_true", default=True, help="skip inputs the manifest has as done (default)")
    resume.add_argument("--no-resume", dest="resume", action="store_false", help="process every input again")
    parser.add_argument("--retry-failed", action="store_true", help="with resume, run the inputs that failed before again")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on this Dask distributed scheduler instead of local workers")
    parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    _layout_args(parser)


def cmd_batch(args: argparse.Namespace) -> int:
    """0 when every input was done, 1 when any failed; the summary goes to stderr."""
    from layout.cli import UsageError, _options

    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    try:
        summary = run_batch(
            args.inputs,
            args.out,
            workers=args.workers,
            formats=tuple(args.format),
            engine=args.engine,
            timeout=args.timeout,
            resume=args.resume,
            retry_failed=args.retry_failed,
            scheduler=args.scheduler,
            progress=not args.no_progress and sys.stderr.isatty(),
            options=_options(args),
            max_file_mb=args.max_file_mb,
        )
    except BatchError as exc:
        print(f"pagestitch: error: {exc}", file=sys.stderr)
        return 1
    print(summary.format(), file=sys.stderr)
    return summary.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry (``python -m layout.batch``) until the CLI wires ``batch``."""
    parser = argparse.ArgumentParser(prog="pagestitch batch", description="Process an archive of pages in parallel.")
    add_batch_arguments(parser)
    return cmd_batch(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
