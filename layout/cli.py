"""The ``pagestitch`` command: a thin layer over layout.api.

    pagestitch run INPUT... -o OUTDIR [--format json,md] [--engine rapidocr]
    pagestitch run INPUT --stdout json|md|txt
    pagestitch show INPUT -o overlay.png
    pagestitch unscramble FILE.txt [--json] [--explain]
    pagestitch bench [--quick] [--set generated|real|all] [--out DIR]

Exit codes: 0 all went well, 1 some input failed (the others were still processed),
2 the command line itself was wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator, Sequence

from layout.writers import EXTENSIONS, output_stem

FORMATS = tuple(EXTENSIONS)


class UsageError(Exception):
    pass


def _formats(value: str) -> list[str]:
    fmts = [f.strip() for f in value.split(",") if f.strip()]
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(bad) or value!r}; choose from {', '.join(FORMATS)}")
    return fmts


def _layout_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", default="rapidocr", help="OCR engine for images and scanned PDFs (rapidocr, tesseract, paddleocr)")
    p.add_argument("--order", default="modules", help="reading-order strategy (modules, partial, top-down)")
    p.add_argument("--direction", choices=("auto", "horizontal", "vertical"), default="auto", help="force the text direction")
    p.add_argument("--no-rules", action="store_true", help="do not look for column rules in the image")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pagestitch", description="Rebuild the reading order of newspaper pages and stitch articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="reconstruct pages and write articles")
    run.add_argument("inputs", nargs="+", type=Path, help="images, PDFs, page JSON or archive OCR files")
    run.add_argument("-o", "--out", type=Path, help="output folder")
    run.add_argument("--stdout", choices=("json", "md", "txt"), help="print the result instead of writing files")
    run.add_argument("--format", type=_formats, default=["json", "md"], help=f"comma-separated: {', '.join(FORMATS)}")
    run.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    _layout_args(run)

    show = sub.add_parser("show", help="draw separators, columns, blocks and order on the page")
    show.add_argument("input", type=Path)
    show.add_argument("-o", "--out", type=Path, required=True, help="overlay image (.png); one per page with -pNNN for several")
    _layout_args(show)

    uns = sub.add_parser("unscramble", help="rebuild articles from text pasted out of a multi-column page")
    uns.add_argument("input", type=Path, help="a UTF-8 text file, or - for standard input")
    uns.add_argument("--json", action="store_true", help="print articles and links as JSON")
    uns.add_argument("--explain", action="store_true", help="print why each link was made")

    sub.add_parser("bench", help="run the stitching benchmark: pagestitch bench --help")

    from layout.batch import add_batch_arguments

    add_batch_arguments(sub.add_parser("batch", help="process a whole archive in parallel, resumable"))
    return parser


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "order": args.order,
        "direction": None if args.direction == "auto" else args.direction,
        "detect_rules": not args.no_rules,
    }


def _error(path: Path | str, problem: str) -> None:
    print(f"pagestitch: error: {path}: {problem}", file=sys.stderr)


def _pages(path: Path, args: argparse.Namespace) -> Iterator[tuple[Any, bool]]:
    """Reconstructed pages of one input, each with "is this a multi-page input"."""
    from layout.api import read_pages, reconstruct

    loaded = read_pages(path, engine=args.engine)
    for item in loaded:
        yield reconstruct(item, **_options(args)), len(loaded) > 1


def _progress(items: Sequence[Path], args: argparse.Namespace) -> Any:
    if args.no_progress or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    # delay: a bar only for work that takes longer than a second
    return tqdm(items, unit="file", delay=1.0, file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    from layout.api import InputError, write_outputs

    if args.stdout is None and args.out is None:
        raise UsageError("run needs -o OUTDIR or --stdout FORMAT")
    if args.stdout and len(args.inputs) != 1:
        raise UsageError("--stdout prints one input; give exactly one")
    failed = 0
    shared = _shared_stems(args.inputs)
    done: list[Any] = []  # every page, for the jumps across pages of the issue
    for path in _progress(args.inputs, args):
        try:
            pages = list(_pages(path, args))
            if args.stdout:
                _print_pages([p for p, _ in pages], args.stdout)
                continue
            for page, multi in pages:
                stem = output_stem(page, multi, keep_extension=_stem_key(path) in shared)
                write_outputs(page, args.out, args.format, stem=stem)
                done.append(page)
        except InputError as exc:
            failed += 1
            _error(exc.path, exc.problem)
        except (OSError, ValueError, RuntimeError) as exc:
            failed += 1
            _error(path, f"{type(exc).__name__}: {exc}")
    if len(done) > 1:
        _write_issue(done, args.out)
    return 1 if failed else 0


ISSUE_FILE = "_issue.json"  # the underscore keeps it apart from pages' own outputs


def _write_issue(pages: list[Any], outdir: Path) -> None:
    """_issue.json, when articles jump from page to page ("Continued on Page 5"): the
    jumps and the articles joined across pages."""
    from layout.jumps import issue_dict, link_pages
    from layout.writers import atomic_write

    jumps = link_pages(pages)
    if jumps:
        text = json.dumps(issue_dict(pages, jumps), ensure_ascii=False, indent=1) + "\n"
        atomic_write(Path(outdir) / ISSUE_FILE, text)


def _stem_key(path: Path) -> str:
    return path.name.split(".")[0]


def _shared_stems(paths: Sequence[Path]) -> set[str]:
    """Stems that several inputs share: their outputs keep the input's extension."""
    seen: dict[str, int] = {}
    for p in paths:
        seen[_stem_key(p)] = seen.get(_stem_key(p), 0) + 1
    return {k for k, n in seen.items() if n > 1}


def _print_pages(pages: list[Any], fmt: str) -> None:
    from layout.api import render
    from layout.model import SCHEMA, page_to_dict

    if fmt == "json" and len(pages) > 1:
        from layout.jumps import issue_dict, link_pages

        issue = issue_dict(pages, link_pages(pages))
        data = {"schema": SCHEMA, "pages": [page_to_dict(p) for p in pages], "jumps": issue["jumps"],
                "jumped_articles": issue["articles"]}
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    else:
        text = "".join(render(p, fmt) for p in pages)
    sys.stdout.write(text)


def cmd_show(args: argparse.Namespace) -> int:
    from layout.api import InputError, read_pages, reconstruct
    from layout.overlay import write_overlay

    try:
        loaded = read_pages(args.input, engine=args.engine)
        for item in loaded:
            page = reconstruct(item, **_options(args))
            out = args.out
            if len(loaded) > 1:
                out = out.with_name(f"{out.stem}-p{page.page_number:03d}{out.suffix}")
            out.parent.mkdir(parents=True, exist_ok=True)
            write_overlay(page, item.image, str(out))
    except InputError as exc:
        _error(exc.path, exc.problem)
        return 1
    except OSError as exc:
        _error(args.input, str(exc))
        return 1
    return 0


def cmd_unscramble(args: argparse.Namespace) -> int:
    from layout.api import unscramble
    from layout.model import article_body

    try:
        text = sys.stdin.read() if str(args.input) == "-" else args.input.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _error(args.input, f"cannot read text: {exc}")
        return 1
    result = unscramble(text)
    if args.json:
        payload = {
            "schema": "pagestitch/unscramble@1",
            "articles": [asdict(a) for a in result.articles],
            "links": [asdict(k) for k in result.links],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return 0
    for a in result.articles:
        heading = a.title or "(untitled)"
        body = article_body(a.title, a.text)
        sys.stdout.write(f"## {heading}\n\n{body}\n\n")
    if args.explain:
        for k in result.links:
            sys.stdout.write(f"# piece {k.source} -> {k.target} ({k.kind}, {k.score:+.2f}): {'; '.join(k.reasons)}\n")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from layout.batch import cmd_batch as _cmd_batch

    return _cmd_batch(args)


COMMANDS = {"run": cmd_run, "show": cmd_show, "unscramble": cmd_unscramble, "batch": cmd_batch}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:
        # The benchmark has its own options; hand them over untouched.
        from benchmarks.run import main as bench_main

        return int(bench_main(argv[1:]) or 0)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
    except UsageError as exc:
        parser.error(str(exc))  # exits with 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
