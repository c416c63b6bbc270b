"""RapidOCR (PP-OCR ONNX models) as a pagestitch engine, strictly offline."""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from layout.model import Line
from ocr.engines.base import package_version, EngineUnavailable, as_bgr, make_line
from ocr.gutters import cut_lines, raw_line

INSTALL_HINT = "pip install 'rapidocr>=3.10,<4' onnxruntime"

# Model files shipped inside the rapidocr wheel. Naming them explicitly makes rapidocr
# skip its download branch entirely (it only downloads when model_path is unset).
_MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}

# Short option names accepted by get_engine("rapidocr", ...) -> rapidocr config keys.
_SHORT_OPTIONS = {
    "use_cls": "Global.use_cls",
    "text_score": "Global.text_score",
    "max_side_len": "Global.max_side_len",
    "min_side_len": "Global.min_side_len",
    "limit_side_len": "Det.limit_side_len",
    "box_thresh": "Det.box_thresh",
    "unclip_ratio": "Det.unclip_ratio",
    "rec_batch_num": "Rec.rec_batch_num",
}


# Options of pagestitch's own, not rapidocr's: the int8 recogniser, the width factor of
# recognition inputs and the text size the detector works at (fast preset only; see
# REC_SQUEEZE and DET_TEXT_PX).
_OWN_OPTIONS = ("int8", "rec_squeeze", "det_text_px")


def _import_rapidocr() -> Any:
    try:
        import rapidocr
    except ImportError as exc:  # pragma: no cover - rapidocr is a core dependency
        raise EngineUnavailable(f"rapidocr is not installed: {INSTALL_HINT}") from exc
    return rapidocr


def _package_version(dist: str) -> str:
    return package_version(dist)


def _model_dir(rapidocr: Any) -> Path:
    return Path(rapidocr.__file__).resolve().parent / "models"


def _local_model_params(model_dir: Path) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for section, filename in _MODEL_FILES.items():
        path = model_dir / filename
        if not path.is_file():
            raise EngineUnavailable(
                f"rapidocr model {path} is missing (pagestitch never downloads models); "
                f"reinstall the wheel: pip install --force-reinstall 'rapidocr>=3.10,<4'"
            )
        params[f"{section}.model_path"] = str(path)
    return params


def _user_params(options: dict[str, Any]) -> dict[str, Any]:
    """Map friendly option names to rapidocr keys; dotted keys pass through as given."""
    params: dict[str, Any] = {}
    for key, value in options.items():
        if value is None:
            continue
        if key == "threads":
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = int(value)
        elif key in _SHORT_OPTIONS:
            params[_SHORT_OPTIONS[key]] = value
        elif "." in key:
            params[key] = value
        else:
            raise ValueError(
                f"unknown rapidocr option {key!r}; use one of {sorted(_SHORT_OPTIONS)}, "
                "'threads', 'preset', or a dotted rapidocr config key such as 'Det.thresh'"
            )
    return params


# ------------------------------------------------------------------ presets
#
# Measured on quick-set pages with rapidocr's defaults: recognition ~75-85 % of the
# time, detection ~15-20 %, the orientation classifier ~3 %, the rest pre/post-processing.
# "fast" (issue 7; 2-core machine, benchmarks.engines, engines side by side in one run):
# - The classifier looks at every line only to catch upside-down crops, which a
#   newspaper scan almost never has; "fast" skips it and re-runs with it only when
#   the page reads badly (see ROTATED_SCORE).
# - Recognition runs in ConcurrentRecognizer: one line per ONNX run on one thread,
#   one worker thread per core. Same crops, one core: a line alone costs ~20 % less
#   CPU per pixel column than in rapidocr's padded batches of 6; on a busy machine
#   rapidocr's two-thread convolutions were no faster than one thread. Recognition
#   wall time 1.76x shorter over 13 pages (run alongside other jobs), same CER.
# - No padding of short lines to 320 px (rapidocr's minimum width): ~2 % less CPU,
#   identical text on 13 pages.
# - Detection runs at a resolution tied to the measured text size (see det_limit);
#   this only matters for high-resolution scans whose text is well above ~26 px.
#   When the input is reduced, ShrinkingDetector shrinks the boxes back by the growth
#   measured at 0.8x and 0.7x (DET_GROWTH; mean side offset to full-resolution boxes
#   from +0.5..1 px down to under 0.2 px on 13 pages).
# - The detector's input is normalised in float32 (det_input), bit-identical to
#   rapidocr's float64 arithmetic: ~0.2 s less per 2000 px page, boxes unchanged.
# - The detector keeps ONNX Runtime's memory arena (rapidocr turns it off): one
#   2200 px page, 3 runs each interleaved, 3.75 -> 3.42 s CPU per detection.
# - Lines are read 0.75 times narrower (REC_SQUEEZE; rec_squeeze=1.0 turns it off;
#   doubtful readings are read again at full width):
#   ~25-30 % less recognition time at the same CER (13 quick pages, edits vs
#   unsqueezed: 0.8 -9, 0.75 -3, 0.7 +60; 3 pages CER 0.0024 vs 0.0023), but squeezed
#   CTC columns are 1/squeeze wider, so rapidocr's word and character boxes, which
#   ocr/gutters.py uses to cut lines at gutters, become noisy. For squeezed reads: words are regrouped in
#   unsqueezed columns (unsqueezed_word_info); every word (Latin line) or character
#   (other lines) is boxed by the crop's ink (ink_char_edges, InkRecBoxes), so gaps are
#   measured blank runs, with full-width punctuation keeping its CTC cell (MARKS); lines
#   under SQUEEZE_MIN_ASPECT heights are read unsqueezed (squeezed, two-character lines
#   such as "鲁迅" were dropped). Scan bench (quick, 13 pages, same layout code) vs
#   unsqueezed: BLEU-4 0.978 -> 0.984, tau 0.964 -> 0.967, link F1 0.961 -> 0.955
#   (per-page mean 0.957 both), article CER 0.064 -> 0.050, pair F1 0.995 both;
#   zh-v-002 BLEU-4 0.959 -> 1.000, en-h-010 0.892 -> 0.925 and many false Latin
#   cuts gone, but en-h-008/-009 link F1 -0.055/-0.034 (a header date cut at a wide
#   space). Earlier variants: Latin words snapped to ink (en-h-010 BLEU-4 0.780);
#   character gaps from rapidocr's columns (zh-h-005 0.832, zh-v-003 0.904);
#   punctuation without its cell (cuts after "，", zh-h-006 link F1 0.857).
#   The header cut was an italic "1" (tabular figure, wide side bearings) whose ink
#   segment no unit claimed, so its ink counted as word space; ink between two units
#   now goes to one of them (claim_orphans). Squeezing (0.75) is the default since,
#   with doubtful readings read again at full width (REC_SQUEEZE says why and what
#   that measured).
# Measured idle 2-core machine (3 pages), before the arena, back_to_page and the
# re-reading: rapidocr-defaults 11.8 / 12.3 s per page, fast 8.7 / 9.6 (1.37x / 1.29x),
# fast with rec_squeeze=0.75 7.1 / 7.1 (1.66x / 1.73x). With all of them, squeezed by
# default, in one idle run: 11.45 against 6.71 s per page (1.71x), CER 0.0025 vs 0.0026
# (README). On a loaded machine the ratios come out higher (2.2-2.8x): rapidocr's
# two-thread runs suffer most from sharing the cores, so those are no claim.
# Tried and NOT adopted:
# - Recognition batches of 32 instead of 6 were 30-45 % slower on Latin pages (line
#   widths vary, so a batch pads to its widest line); even sorted by width, batches
#   of 2, 4, 6, 12 cost ~10-30, 10-25, 25, 40 % more CPU per column than single lines.
# - int8 weights (option int8=True) were ~50 % slower with two threads; even one line
#   per thread they cost 5 % more CPU than fp32 and changed 232 characters on 3 pages.
#   Measured again one line per thread (onnx 1.23 installed on the side; it is no
#   dependency, so int8=True quietly stays fp32 without it): dynamic int8 (ConvInteger)
#   0.91x the speed of fp32 with 64 of 2444 characters changed; static int8 (QDQ,
#   per-channel weights, calibrated on another page's lines) 1.20x but 51 changed.
# - For the recogniser (ConcurrentRecognizer): ONNX Runtime's memory arena, memory
#   patterns, widths rounded to 64 px so shapes repeat, one session per worker instead
#   of one shared: no difference.
# - A smaller detector input (DET_TEXT_PX 18, 14, 11): detection 10-50 % faster, but
#   line boxes come out 1-3 px taller, and on close-set CJK (zh-h-001, 17 px text) 41 of
#   296 lines no longer matched their truth line at 14 px. With the growth taken back
#   (ShrinkingDetector) at DET_TEXT_PX 16 the box sizes match, but DB joins and splits
#   lines differently at reduced scale (en-h-010 at 1400 px: 161 boxes vs 116): scan
#   bench zh-v-002 BLEU-4 0.959 -> 0.689, zh-h-005 link F1 0.880 -> 0.750, aggregate
#   BLEU-4 0.978 -> 0.958; and only 0.2 s/page faster on the 3 bench pages (with
#   rec_squeeze 0.75: 6.91 vs 7.11 s/page, 4 more truth lines missed).
# - Cropping blank page margins before detection: an ink bounding box keeps 87-96 %
#   of the area (specks and scan edges near the border), and the detector's rounding of
#   its input to multiples of 32 then changes the scale slightly, which changed boxes
#   (zh-v-002: 85 instead of 88).
# - Detection with one thread: ~1.7x slower than two on an idle machine, faster only
#   while other jobs load it; turning ONNX Runtime's spin-wait off changed nothing.
# - OpenVINO 2026.4 as the recogniser's runtime (one line per run, one thread, same
#   205 squeezed crops, interleaved): 0.79x the speed of ONNX Runtime 1.32 on this
#   AMD EPYC (AVX2, no AVX-512), same argmax everywhere.
# - ONNX Runtime's Gelu approximation (optimization.enable_gelu_approximation): Gelu
#   is 8 % of recognition and detection time, but the tanh form ran no faster (1.00x)
#   and changed 3 CTC frames on 205 lines. The 18 710-class CTC projection is another
#   8 %, softmax 2 %; the rest is convolution (ORT profile of 62 lines).
# - Squeezing CJK lines harder than Latin ones (a page's script read off its widest
#   lines): on 3548 lines of 14 Chinese pages (quick set and 7 fresh ones), edits
#   against full-width reads, after the re-reading, 0.75: 422, 0.65: 500, 0.55: 675 of
#   39 800 characters. Per page 0.55 added 0.05-0.4 points, also on a clean page whose
#   probe lines read at 0.999 (34 -> 54 edits of 4748), so no page-level test of
#   degradation tells where it is safe; the allowed CER change is 0.05 points overall.
# - Trimming blank columns off the line crops before reading: the detector's boxes are
#   already tight (0.8 % fewer pixel columns at a margin of 0.15 line heights, and 15
#   Latin characters changed).
PRESETS: dict[str, dict[str, Any]] = {
    "rapidocr-defaults": {},
    "fast": {
        "Global.use_cls": False,
        # rapidocr turns ONNX Runtime's memory arena off; the detector then maps ~0.5 GB
        # of fresh pages per page (131 000 page faults on a 2200 px page) for its
        # full-resolution feature maps. With the arena they are reused: ~9 % less
        # detection CPU time, same boxes.
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
    },
}
DEFAULT_PRESET = "fast"

# Median line confidence below which an upright-only pass is retried with the
# orientation classifier: upright print reads at > 0.9, an upside-down page at < 0.6.
ROTATED_SCORE = 0.75
MIN_LINES = 3
# Detection input: text this many pixels high is enough for the DB detector, and the
# detector's input is never shrunk below MIN_DET_SIDE on its long side.
DET_TEXT_PX = 26.0
MIN_DET_SIDE = 960


def text_height(gray: np.ndarray) -> float | None:
    """Typical glyph height in pixels from ink components, or None on a blank page.

    The 80th percentile, not the median: CJK characters fall apart into several
    components (radicals) and Latin x-heights are below the line's size.
    """
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray, cv2.COLOR_BGR2GRAY)
    if gray.size == 0 or int(gray.max()) - int(gray.min()) < 32:
        return None
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    widths = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
    areas = stats[1:, cv2.CC_STAT_AREA]
    # Glyph-like components: no specks, no rules, no pictures.
    keep = (areas >= 6) & (heights >= 4) & (heights <= 200) & (widths <= 4 * heights + 4)
    if keep.sum() < 20:
        return None
    return float(np.percentile(heights[keep], 80))


# A detector input scaled by s < 1 gives line boxes that come out larger by about
# DET_GROWTH * (1/s - 1) px on each side (measured over the 13 quick pages at s 0.8 and
# 0.7); ShrinkingDetector takes that back so boxes match full-resolution detection.
DET_GROWTH = 2.1


def shrink_quads(boxes: np.ndarray, by: float) -> np.ndarray:
    """4-point boxes moved in by ``by`` px on every side, along their own edges."""
    quads = np.asarray(boxes, dtype=np.float32).reshape(-1, 4, 2).copy()
    if by <= 0 or not len(quads):
        return quads
    u = quads[:, 1] - quads[:, 0]  # along the top edge
    v = quads[:, 3] - quads[:, 0]  # down the left edge
    lu = np.linalg.norm(u, axis=1, keepdims=True)
    lv = np.linalg.norm(v, axis=1, keepdims=True)
    # Never below 2 px across: a box too small to shrink keeps its middle.
    du = u / np.maximum(lu, 1e-6) * np.minimum(by, np.maximum(lu - 2, 0) / 2)
    dv = v / np.maximum(lv, 1e-6) * np.minimum(by, np.maximum(lv - 2, 0) / 2)
    quads[:, 0] += du + dv
    quads[:, 1] += -du + dv
    quads[:, 2] += -du - dv
    quads[:, 3] += du - dv
    return quads


def det_input(img: np.ndarray, mean: np.ndarray, std: np.ndarray, scale: float) -> np.ndarray:
    """rapidocr's detector normalisation, ``(img * scale - mean) / std``, in float32.

    rapidocr computes it in float64 (its mean and std are float64 arrays), which on a
    2000 px page costs ~0.2 s on an idle core, more than the rest of its pre-processing.
    """
    a = (np.float32(scale) / np.asarray(std, np.float32)).reshape(1, 1, -1)
    b = (np.asarray(mean, np.float32) / np.asarray(std, np.float32)).reshape(1, 1, -1)
    out = img.astype(np.float32)
    out *= a
    out -= b
    return out


class ShrinkingDetector:
    """rapidocr's TextDetector whose boxes, when it ran on a reduced input, are shrunk back.

    Its pre-processing normalises in float32 (det_input).
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        make = getattr(inner, "get_preprocess", None)
        if make is None:
            return

        def get_preprocess() -> Any:
            op = make()
            op.normalize = lambda img: det_input(img, op.mean, op.std, op.scale)
            return op

        inner.get_preprocess = get_preprocess

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __call__(self, img: np.ndarray) -> Any:
        res = self.inner(img)
        long_side = max(img.shape[0], img.shape[1])
        limit = self.inner.limit_side_len
        if res.boxes is None or self.inner.limit_type != "max" or long_side <= limit:
            return res
        scale = limit / long_side
        res.boxes = shrink_quads(res.boxes, DET_GROWTH * (1.0 / scale - 1.0))
        return res


def det_limit(shape: tuple[int, ...], size: float | None, text_px: float | None = None) -> int:
    """Long side for the detector's input so that text is ~``text_px`` (DET_TEXT_PX) high."""
    text_px = DET_TEXT_PX if text_px is None else text_px
    long_side = max(shape[0], shape[1])
    if size is None or size <= text_px:
        return long_side
    scaled = int(long_side * text_px / size)
    return max(min(MIN_DET_SIDE, long_side), min(long_side, scaled))


MODELS_ENV = "PAGESTITCH_MODELS"


def models_dir() -> Path:
    """Where derived model files (the int8 recogniser) are kept."""
    return Path(os.environ.get(MODELS_ENV, "~/.cache/pagestitch/models")).expanduser()


def int8_model(src: Path) -> Path | None:
    """An int8 copy of ``src`` (weights of Conv and MatMul quantised), made once.

    Recognition is most of the time and its convolutions dominate; int8 weights can
    make them faster on CPUs with fast int8 kernels. Needs the ``onnx`` package;
    without it (or if quantising fails) None is returned and the float model is used.
    """
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        return None
    tag = f"{src.stem}-{src.stat().st_size}-int8.onnx"
    target = models_dir() / tag
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{tag}.{os.getpid()}.tmp")
        root_logger = logging.getLogger()
        level = root_logger.level
        root_logger.setLevel(logging.ERROR)  # the quantiser warns on the root logger
        try:
            quantize_dynamic(str(src), str(tmp), op_types_to_quantize=["Conv", "MatMul"],
                             weight_type=QuantType.QUInt8)
        finally:
            root_logger.setLevel(level)
        os.replace(tmp, target)  # atomic: parallel workers may quantise at once
    except Exception:  # noqa: BLE001 - any failure means: keep the float model
        return None
    return target


# Recognition input: PP-OCR recognisers read lines REC_HEIGHT px high, any width.
# A line is scaled to that height and its width further by REC_SQUEEZE (1.0 keeps the
# aspect; option rec_squeeze). Squeezed to 0.75 the recogniser reads as well (13 quick
# pages: 3 edits fewer than unsqueezed; 0.7: 60 more) in ~25 % less time; word and
# character boxes then come from the crop's ink (see PRESETS). On a heavily degraded
# page squeezed readings score lower and rapidocr dropped them (58 of 666 lines of one
# of 10 fresh scans, seed 4242, against 8 at full width): a doubtful squeezed reading is
# therefore read again at full width (SQUEEZE_RETRY). So read, the 13 quick scans and
# the 10 fresh ones together score link F1 0.972 and article CER 0.061, against 0.971
# and 0.067 for full-width reads, at 1.2x less time.
REC_HEIGHT = 48
REC_SQUEEZE = 0.75
# A squeezed reading scoring below this is read again unsqueezed (see read).
SQUEEZE_RETRY = 0.9
# Lines shorter than this many times their height are read unsqueezed.
SQUEEZE_MIN_ASPECT = 4.0


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def rec_input(crop: np.ndarray, squeeze: float = 1.0) -> np.ndarray:
    """A BGR line crop as the recogniser's (1, 3, REC_HEIGHT, W) input in [-1, 1].

    W is the crop's width at REC_HEIGHT times ``squeeze``. No padding: one line per
    run, so nothing has to share a batch width.
    """
    h, w = crop.shape[:2]
    width = max(1, int(math.ceil(REC_HEIGHT * squeeze * w / max(h, 1))))
    scaled = cv2.resize(crop, (width, REC_HEIGHT)).astype(np.float32)
    return (scaled.transpose(2, 0, 1) / 127.5 - 1.0)[np.newaxis]


class ConcurrentRecognizer:
    """Stands in for rapidocr's TextRecognizer: one line per run, lines spread over threads.

    rapidocr pads batches of 6 lines and lets ONNX Runtime split each convolution over
    the cores; on these small tensors the split and the padding cost more than they
    gain, and a busy machine stalls the split's threads. Here each worker thread runs
    whole lines on one core (``InferenceSession.run`` is thread-safe and releases the
    GIL), widest lines first so that the workers finish together. Output is rapidocr's
    own (same CTC decoder, same word information for its word boxes).
    """

    def __init__(self, model_path: str, workers: int, squeeze: float = REC_SQUEEZE) -> None:
        import onnxruntime as ort
        from rapidocr.ch_ppocr_rec.utils import CTCLabelDecode

        options = ort.SessionOptions()
        options.log_severity_level = 4
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = 1  # the parallelism is across lines
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(model_path, sess_options=options, providers=["CPUExecutionProvider"])
        self._input = self.session.get_inputs()[0].name
        characters = self.session.get_modelmeta().custom_metadata_map.get("character", "")
        if not characters:
            raise EngineUnavailable(f"{model_path} carries no character list in its metadata")
        self.decoder = CTCLabelDecode(character=characters.splitlines())
        self.model_path = model_path
        self.workers = max(1, workers)
        self.squeeze = squeeze
        # Character boxes of squeezed non-Latin lines from the crop's ink (see ink_char_edges).
        self.ink_chars = INK_CHARS

    def __call__(self, args: Any) -> Any:
        """rapidocr's call: ``args`` is a TextRecInput, the answer a TextRecOutput."""
        from rapidocr.ch_ppocr_rec.typings import TextRecOutput

        started = time.perf_counter()
        crops = [args.img] if isinstance(args.img, np.ndarray) else list(args.img)
        results = self.read_all(crops, bool(args.return_word_box))
        txts, scores, words = (tuple(column) for column in zip(*results)) if results else ((), (), ())
        return TextRecOutput(crops, txts, scores, words, time.perf_counter() - started)

    def read_all(self, crops: list[np.ndarray], word_box: bool) -> list[tuple[str, float, Any]]:
        """Every crop read, in the crops' order."""
        order = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1] / max(crops[i].shape[0], 1))
        results: list[tuple[str, float, Any]] = [("", 0.0, None)] * len(crops)
        if not crops:
            return results
        with ThreadPoolExecutor(min(self.workers, len(crops))) as pool:
            for i, result in zip(order, pool.map(lambda i: self.read(crops[i], word_box), order)):
                results[i] = result
        return results

    def _decode(self, crop: np.ndarray, squeeze: float, word_box: bool) -> tuple[str, float, np.ndarray, Any]:
        tensor = self.session.run(None, {self._input: rec_input(crop, squeeze)})[0]
        # The whole input is the line (no padding), so its width ratio is the batch's.
        lines, words = self.decoder(tensor, word_box, wh_ratio_list=[1.0], max_wh_ratio=1.0)
        text, score = lines[0]
        return text, float(score), tensor, words

    def read(self, crop: np.ndarray, word_box: bool) -> tuple[str, float, Any]:
        """(text, score, rapidocr's word info or None) of one line crop."""
        if crop.size == 0:
            return "", 0.0, None  # rapidocr drops lines read as empty
        h, w = crop.shape[:2]
        # Short lines (a few characters) cost little and read worse squeezed.
        squeeze = self.squeeze if w >= SQUEEZE_MIN_ASPECT * h else 1.0
        text, score, tensor, words = self._decode(crop, squeeze, word_box)
        if squeeze != 1.0 and score < SQUEEZE_RETRY:
            # A line that reads doubtfully squeezed (blur, noise, small type) is read
            # again at its width; the better reading stands.
            again = self._decode(crop, 1.0, word_box)
            if again[1] > score:
                squeeze = 1.0
                text, score, tensor, words = again
        if not word_box:
            return text, score, None
        if squeeze != 1.0:
            words[0] = unsqueezed_word_info(text, tensor[0], squeeze, words[0])
            if self.ink_chars:
                ink_char_edges(crop, words[0])
            else:
                snap_words_to_ink(crop, words[0], squeeze)
        return text, score, words[0]


def ctc_selection(indices: np.ndarray) -> np.ndarray:
    """The CTC columns that decode to a character (rapidocr's ``selection``)."""
    selection = np.ones(len(indices), dtype=bool)
    selection[1:] = indices[1:] != indices[:-1]
    return selection & (indices != 0)  # 0 is the blank


def unsqueezed_word_info(text: str, probs: np.ndarray, squeeze: float, info: Any) -> Any:
    """rapidocr's word info of a line read ``squeeze`` times narrower, in unsqueezed columns.

    rapidocr starts a new word where more than WORD_GAP output columns separate two
    characters, and sizes characters from those columns. A squeezed read has fewer
    columns for the same gap, so a column gutter shrinks below the limit and its two
    sides become one word. Here each character's column is mapped back to where it lies
    unsqueezed and the words are grouped by rapidocr's rules (a space, a change between
    CJK and Latin, a gap over WORD_GAP columns) in those units; the line's length is
    the unsqueezed one, so positions along the line box are kept.
    """
    from rapidocr.ch_ppocr_rec.typings import WordInfo, WordType
    from rapidocr.utils.utils import has_chinese_char

    cols = np.flatnonzero(ctc_selection(probs.argmax(axis=1)))
    if len(cols) != len(text) or not len(cols):
        return info
    # Column c's centre, unsqueezed; rapidocr puts a character at its column's centre.
    pos = (cols + 0.5) / squeeze - 0.5
    grouped = WordInfo(line_txt_len=len(probs) / squeeze, confs=info.confs)
    word: list[str] = []
    where: list[float] = []
    kind = None
    for char, x in zip(text, pos):
        this = WordType.CN if has_chinese_char(char) else WordType.EN_NUM
        if char.isspace() or (word and (this != kind or x - where[-1] > WORD_GAP)):
            if word:
                grouped.words.append(word)
                grouped.word_cols.append(where)
                grouped.word_types.append(kind)
            word, where = [], []
        if char.isspace():
            continue
        word.append(char)
        where.append(float(x))
        kind = this
    if word:
        grouped.words.append(word)
        grouped.word_cols.append(where)
        grouped.word_types.append(kind)
    return grouped


# rapidocr's word break: more than this many (unsqueezed) output columns between characters.
WORD_GAP = 5


def ink_columns(crop: np.ndarray) -> np.ndarray:
    """Which pixel columns of a line crop hold ink, in the middle half of its height."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    h = gray.shape[0]
    band = gray[h // 4: max(h // 4 + 1, (3 * h) // 4)]
    if int(band.max()) - int(band.min()) < 32:
        return np.zeros(gray.shape[1], dtype=bool)
    _, ink = cv2.threshold(band, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink.any(axis=0)


def snap_words_to_ink(crop: np.ndarray, info: Any, squeeze: float) -> None:
    """Move each word (all its columns alike) so that its box starts where its ink starts.

    A squeezed read places characters only to within a coarser column; the word's ink
    in the crop is exact. The shift is at most one squeezed column, and a word moves only
    to an ink start that follows a blank run (a word space, not a gap inside a letter).
    """
    if not info.words or info.line_txt_len <= 0:
        return
    h, w = crop.shape[:2]
    ink = ink_columns(crop)
    if not ink.any():
        return
    cw = w / info.line_txt_len  # crop pixels per unsqueezed column
    pitches = [(c[-1] - c[0]) / (len(c) - 1) for c in info.word_cols if len(c) > 1]
    chars = sum(len(c) for c in info.word_cols)
    char_w = cw * float(np.mean(pitches)) if pitches else w / max(chars, 1)
    blank = max(2, int(round(0.12 * h)))
    # Ink starts after at least `blank` empty columns (the crop's edge counts as empty).
    padded = np.concatenate([np.zeros(blank, dtype=bool), ink])
    empty_before = np.convolve(~padded, np.ones(blank, dtype=int), mode="valid")[:-1] == blank
    starts = np.flatnonzero(ink & empty_before)
    if not len(starts):
        return
    reach = cw / squeeze
    from rapidocr.ch_ppocr_rec.typings import WordType

    if any(kind is not WordType.EN_NUM for kind in info.word_types):
        return  # CJK is cut at gaps between characters, which shifting words would open
    for k, cols in enumerate(info.word_cols):
        lo = (cols[0] + 0.5) * cw - char_w / 2
        near = starts[np.abs(starts - lo) <= reach]
        if len(near):
            shift = (float(near[np.argmin(np.abs(near - lo))]) - lo) / cw
            info.word_cols[k] = [c + shift for c in cols]


# Squeezed lines that are not all Latin get their character boxes from the ink.
INK_CHARS = True
# Ink band of a line crop: rows outside it may hold the neighbouring lines' ink.
INK_BAND = 0.12
# A blank run this wide (crop heights) separates ink segments; narrower runs are the
# space inside or between characters set solid.
INK_BLANK = 0.15


def _ink_profile(crop: np.ndarray) -> np.ndarray | None:
    """Which pixel columns of a line crop hold ink (INK_BAND trimmed off top and bottom)."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    h = gray.shape[0]
    cut = int(INK_BAND * h)
    band = gray[cut: max(cut + 1, h - cut)]
    if band.size == 0 or int(band.max()) - int(band.min()) < 32:
        return None
    _, ink = cv2.threshold(band, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink.any(axis=0)


def _ink_segments(ink: np.ndarray, blank: int) -> list[tuple[int, int]]:
    """[lo, hi) runs of ink columns, joined across blank runs shorter than ``blank``."""
    cols = np.flatnonzero(ink)
    if not len(cols):
        return []
    breaks = np.flatnonzero(np.diff(cols) > blank)
    starts = np.concatenate([[cols[0]], cols[breaks + 1]])
    ends = np.concatenate([cols[breaks], [cols[-1]]]) + 1
    return list(zip(starts.tolist(), ends.tolist()))


# Full-width punctuation is set in a whole cell but inked in a small part of it: such a
# mark's box is its ink and its CTC cell (column centre plus or minus the pitch) together.
MARKS = set("，。、；：！？（）「」『』《》〈〉【】〔〕“”‘’…—·．,.;:!?()")


def claim_orphans(first: np.ndarray, last: np.ndarray, lo_s: np.ndarray, hi_s: np.ndarray) -> None:
    """Give ink segments lying between two units' segments to one of the two, in place.

    A squeezed column can put a character on the next segment, so a narrow glyph (an
    italic "1" with its wide side bearings, a radical) between two units belongs to
    neither; the gap between the units' boxes then spans ink and looks like a gutter
    ("12, 1788." cut before "1788."). The boundary goes to the widest blank run between
    the two units' segments, so that a gap between boxes is always one blank run.
    """
    for i in range(len(first) - 1):
        a, b = int(last[i]), int(first[i + 1])
        if b - a < 2:
            continue  # adjacent segments or a shared one: nothing in between
        blanks = lo_s[a + 1:b + 1] - hi_s[a:b]  # blank run after segment a, a+1, ..., b-1
        k = a + int(np.argmax(blanks))
        last[i], first[i + 1] = k, k + 1


def ink_char_edges(crop: np.ndarray, info: Any) -> None:
    """Box the words (Latin lines) or characters (other lines) of a squeezed read by ink.

    rapidocr boxes a character as its CTC column's centre plus or minus the line's
    mean pitch (a Latin word: its first to last character so); squeezed columns are
    coarse, so gaps between boxes appear and vanish at random, and ocr/gutters.py cuts
    lines at such gaps. Here the crop's ink is split into segments at blank runs of at
    least INK_BLANK crop heights; each unit (word or character) runs from the segment
    nearest its first column to the one nearest its last (ink between two units goes to
    one of them, claim_orphans), and units sharing a segment split it half-way between
    their columns. Gaps between boxes are then blank runs of the crop, in pixels.
    Full-width punctuation keeps its cell (MARKS). The edges go to ``info.char_edges``
    as shares of the crop's width, for InkRecBoxes.
    Lines whose ink cannot be read are left to rapidocr.
    """
    from rapidocr.ch_ppocr_rec.typings import WordType

    info.char_edges = None
    if not info.words or info.line_txt_len <= 0:
        return
    latin = all(kind is WordType.EN_NUM for kind in info.word_types)
    h, w = crop.shape[:2]
    ink = _ink_profile(crop)
    if ink is None:
        return
    segments = _ink_segments(ink, max(2, int(round(INK_BLANK * h))))
    if not segments:
        return
    cw = w / info.line_txt_len
    if latin:
        texts = ["".join(word) for word in info.words]
        spans = [((cols[0] + 0.5) * cw, (cols[-1] + 0.5) * cw) for cols in info.word_cols]
    else:
        texts = [c for word in info.words for c in word]
        spans = [((c + 0.5) * cw,) * 2 for cols in info.word_cols for c in cols]
    if not spans or len(texts) != len(spans):
        return
    centres = np.array([c for cols in info.word_cols for c in cols], dtype=np.float64)
    pitch = float(np.median(np.diff(centres))) * cw if len(centres) > 1 else float(h)
    pitch = min(max(pitch, 0.3 * h), 2.0 * h)
    lo_s = np.array([x for x, _ in segments], dtype=np.float64)
    hi_s = np.array([x for _, x in segments], dtype=np.float64)

    def nearest(x: float) -> int:
        return int(np.argmin(np.maximum(lo_s - x, 0) + np.maximum(x - hi_s, 0)))

    first = np.maximum.accumulate([nearest(a) for a, _ in spans])
    last = np.maximum(np.maximum.accumulate([nearest(b) for _, b in spans]), first)
    claim_orphans(first, last, lo_s, hi_s)
    n = len(spans)
    edges: list[list[float]] = []
    for i, (a, b) in enumerate(spans):
        # Units sharing a segment split it half-way between their columns.
        lo = (spans[i - 1][1] + a) / 2 if i and last[i - 1] >= first[i] else lo_s[first[i]]
        hi = (b + spans[i + 1][0]) / 2 if i + 1 < n and first[i + 1] <= last[i] else hi_s[last[i]]
        edges.append([float(lo), float(max(hi, lo))])
    if not latin:
        for i, text in enumerate(texts):
            if text in MARKS:
                left = edges[i - 1][1] if i else 0.0
                right = edges[i + 1][0] if i + 1 < n else float(w)
                c = spans[i][0]
                edges[i][0] = min(edges[i][0], max(left, c - pitch / 2))
                edges[i][1] = max(edges[i][1], min(right, c + pitch / 2))
    info.char_edges = [[lo / w, hi / w] for lo, hi in edges]
    info.edge_texts = texts


def back_to_page(box: np.ndarray, words: list[Any], vertical: bool) -> list[list[list[int]]]:
    """Word boxes in a line crop mapped to the page: rapidocr's reverse_rotate_crop_image.

    The same inverse perspective transform and integer truncation, on all points of the
    line at once; rapidocr maps each point by its own numpy call and reorders every box
    with a branchy Python helper, which cost ~0.1-0.3 s per page on one core after
    recognition. Corners keep their order in the crop: pagestitch reads only each box's
    extent (rapidocr's reordering could also drop a corner of a box 1 px wide).
    """
    if not len(words):
        return []
    quad = np.array(box, dtype=np.float32).reshape(4, 2)
    left, top = int(np.min(quad[:, 0])), int(np.min(quad[:, 1]))
    quad[:, 0] -= left
    quad[:, 1] -= top
    width = int(np.linalg.norm(quad[0] - quad[1]))
    height = int(np.linalg.norm(quad[0] - quad[3]))
    std = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    _, inverse = cv2.invert(cv2.getPerspectiveTransform(quad, std))
    pts = np.asarray(words, dtype=np.float64).reshape(-1, 2)
    if vertical:  # rapidocr turns vertical crops by 90 degrees: undo that first
        a = math.radians(-90)
        pts = np.column_stack([pts[:, 0] * math.cos(a) + pts[:, 1] * math.sin(a) + width,
                               pts[:, 1] * math.cos(a) - pts[:, 0] * math.sin(a)])
    xyz = np.column_stack([pts, np.ones(len(pts))]) @ inverse.T
    xy = np.trunc(xyz[:, :2] / xyz[:, 2:] + np.array([left, top])).astype(np.int64)
    return xy.reshape(-1, 4, 2).tolist()


class InkRecBoxes:
    """rapidocr's CalRecBoxes, but lines with ``char_edges`` are boxed by those edges,
    and word boxes go back to the page by back_to_page."""

    def __init__(self) -> None:
        from rapidocr.cal_rec_boxes import CalRecBoxes

        class _Boxes(CalRecBoxes):
            def cal_ocr_word_box(self, rec_txt, bbox, word_info, return_single_char_box=False):  # type: ignore[no-untyped-def]
                edges = getattr(word_info, "char_edges", None)
                if not rec_txt or not edges:
                    return super().cal_ocr_word_box(rec_txt, bbox, word_info, return_single_char_box)
                x0, y0 = float(bbox[0][0]), float(bbox[0][1])
                x1, y1 = float(bbox[2][0]), float(bbox[2][1])
                chars = word_info.edge_texts
                boxes = [[[x0 + a * (x1 - x0), y0], [x0 + b * (x1 - x0), y0],
                          [x0 + b * (x1 - x0), y1], [x0 + a * (x1 - x0), y1]] for a, b in edges]
                return chars, boxes, word_info.confs

            def __call__(self, imgs, dt_boxes, rec_res, return_single_char_box=False):  # type: ignore[no-untyped-def]
                # rapidocr's loop without its deep copies (the word boxes are built fresh
                # for each line and the line box is copied once in back_to_page).
                if rec_res.txts is None or rec_res.word_results is None:
                    rec_res.word_results = ()
                    return rec_res
                results = []
                for img, box, txt, info in zip(imgs, dt_boxes, rec_res.txts, rec_res.word_results):
                    if img.size == 0:
                        continue
                    h, w = img.shape[:2]
                    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]])
                    texts, boxes, confs = self.cal_ocr_word_box(txt, corners, info, return_single_char_box)
                    vertical = self.get_box_direction(box) is Direction.VERTICAL
                    boxes = back_to_page(box, self.adjust_box_overlap(boxes), vertical)
                    results.append(list(zip(texts, confs, boxes)))
                rec_res.word_results = tuple(results)
                return rec_res

        from rapidocr.cal_rec_boxes.main import Direction

        self._impl = _Boxes()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._impl(*args, **kwargs)


class RapidOCREngine:
    """PP-OCR detection + recognition via rapidocr.

    ``preset="fast"`` (the default) is pagestitch's tuned setting;
    ``preset="rapidocr-defaults"`` is rapidocr's own configuration, kept for comparison.
    Further options override the preset.
    """

    name = "rapidocr"

    def __init__(self, preset: str = DEFAULT_PRESET, **options: Any) -> None:
        if preset not in PRESETS:
            raise ValueError(f"unknown rapidocr preset {preset!r}; choose one of {sorted(PRESETS)}")
        rapidocr = _import_rapidocr()
        self._version = _package_version("rapidocr")
        self.preset = preset
        self._options = {k: v for k, v in options.items() if v is not None}
        params = _local_model_params(_model_dir(rapidocr))
        params["Global.log_level"] = "warning"  # rapidocr logs every model path at info
        params.update(PRESETS[preset])
        # Opt-in int8 recogniser (needs onnx); see the presets' notes for why not default.
        self.rec_weights = "fp32"
        if self._options.get("int8", False):
            quantised = int8_model(Path(params["Rec.model_path"]))
            if quantised is not None:
                params["Rec.model_path"] = str(quantised)
                self.rec_weights = "int8"
        params.update(_user_params({k: v for k, v in self._options.items() if k not in _OWN_OPTIONS}))
        self._use_cls = bool(params.get("Global.use_cls", True))
        # Text-size-driven detection only when the user set no detection size himself.
        self._adaptive_det = preset == "fast" and not any(
            k in params for k in ("Det.limit_side_len", "Det.limit_type"))
        started = time.perf_counter()
        self._ocr = rapidocr.RapidOCR(params=params)
        if preset == "fast" and "Rec.rec_batch_num" not in params:
            # rapidocr uses an already loaded recogniser as its own (see _load_rec_model);
            # "threads" bounds the recognition workers as it bounds ONNX Runtime's threads.
            workers = int(self._options.get("threads") or cpu_count())
            squeeze = float(self._options.get("rec_squeeze", REC_SQUEEZE))
            self._ocr.text_rec = ConcurrentRecognizer(str(params["Rec.model_path"]), workers, squeeze)
            self._ocr.cal_rec_boxes = InkRecBoxes()
        self._load_seconds = time.perf_counter() - started
        # rapidocr keeps call options (use_cls) and the detector's size on the object.
        self._lock = threading.Lock()
        self.last_timings: dict[str, float] = {}

    def recognize(self, image: np.ndarray) -> list[Line]:
        bgr = as_bgr(image)
        with self._lock:
            started = time.perf_counter()
            prep = self._set_det_size(bgr)
            result = self._run(bgr, self._use_cls)
            if not self._use_cls and _reads_badly(result):
                # Probably an upside-down page: let the classifier turn the crops.
                retry = self._run(bgr, True)
                if _better(retry, result):
                    result = retry
            self.last_timings = _timings(result, time.perf_counter() - started, prep)
        return _lines_of(result)

    def _run(self, bgr: np.ndarray, use_cls: bool) -> Any:
        # Word boxes (characters, for CJK) let a line that the detector ran across a
        # narrow gutter be cut back into its columns.
        return self._ocr(bgr, use_cls=use_cls, return_word_box=True)

    def _set_det_size(self, bgr: np.ndarray) -> float:
        """Point the detector at a resolution suited to this page; returns seconds spent."""
        if not self._adaptive_det:
            return 0.0
        started = time.perf_counter()
        det = self._ocr._load_det_model()
        if not isinstance(det, ShrinkingDetector):
            det = self._ocr.text_det = ShrinkingDetector(det)
        det = det.inner
        det.limit_type = "max"
        text_px = self._options.get("det_text_px")
        det.limit_side_len = det_limit(bgr.shape, text_height(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)),
                                       None if text_px is None else float(text_px))
        return time.perf_counter() - started

    def info(self) -> dict[str, Any]:
        return {
            "model": "+".join(Path(f).stem for f in _MODEL_FILES.values()),
            "version": f"rapidocr {self._version}",
            "parameters": {"preset": self.preset, **self._options, "rec_weights": self.rec_weights},
        }


def _median_score(result: Any) -> float:
    scores = [float(s) for s in (getattr(result, "scores", None) or ())]
    return float(np.median(scores)) if scores else 0.0


def _reads_badly(result: Any) -> bool:
    """Few lines, or lines read with low confidence: signs of an upside-down page.

    rapidocr drops lines scored below its text_score, so an upside-down page often
    comes back (nearly) empty rather than with low scores. A blank or tiny page
    retries too, which costs one more detection pass and no recognition.
    """
    scores = getattr(result, "scores", None) or ()
    return len(scores) < MIN_LINES or _median_score(result) < ROTATED_SCORE


def _better(retry: Any, first: Any) -> bool:
    count = lambda r: len(getattr(r, "scores", None) or ())  # noqa: E731
    if count(retry) != count(first):
        return count(retry) > count(first)
    return _median_score(retry) > _median_score(first)


def _timings(result: Any, total: float, prep: float) -> dict[str, float]:
    """Seconds per stage of the last call; ``prep`` is everything outside the models."""
    elapse = list(getattr(result, "elapse_list", None) or [0.0, 0.0, 0.0])
    det, cls, rec = (float(v or 0.0) for v in (elapse + [0.0, 0.0, 0.0])[:3])
    return {"det": det, "cls": cls, "rec": rec, "prep": max(0.0, total - det - cls - rec), "total": total}


def _lines_of(result: Any) -> list[Line]:
    boxes = getattr(result, "boxes", None)
    if boxes is None:
        return []
    texts = result.txts or ()
    scores = result.scores or ()
    words = getattr(result, "word_results", None) or [None] * len(texts)
    # Lines the detector ran across a gutter are cut back into their columns, from the
    # word (or character) boxes and the column edges of the whole page.
    raw = [raw_line(str(t), q, float(s), w) for q, t, s, w in zip(boxes, texts, scores, words) if str(t).strip()]
    return [make_line(k, text, quad, score) for k, (text, quad, score) in enumerate(cut_lines(raw))]
