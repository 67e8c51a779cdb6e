"""Run RapidOCR 1.4's PP-OCR models on OpenVINO instead of onnxruntime.

The same ONNX files from the wheel, compiled by OpenVINO's CPU plugin: on one thread of this
project's test machine the detector ran a page in 0.65 s instead of 1.57 s and the recogniser a
320 px line in 18 ms instead of 41 ms, with outputs equal to four decimals. ``--ocr
rapidocr-openvino``, the default when the ``openvino`` extra is installed
(``ocr_backends.default_ocr``); one inference thread per process (``Options.ocr_threads``).

One ``Core`` per process, never dropped: each Core's CPU plugin gives the thread that compiles
a model an alternate signal stack (an mmap, for AMX) and on its release unmaps it, restoring
the stack it replaced only when its own is still the current one. Three Cores (one per model),
released in the order they were made, left the main thread's alternate stack pointing at the
second one's unmapped pages, and the next signal handled on it (Python installs its handlers
with SA_ONSTACK: the --timeout SIGALRM of extractor/watch.py) killed the process with SIGSEGV.
"""

from __future__ import annotations

from functools import cache

import numpy as np


def available() -> bool:
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def core():
    """The process's one OpenVINO Core (see the module's docstring for why only one)."""
    import openvino as ov

    return ov.Core()


class OpenVinoSession:
    """Callable like RapidOCR 1.4's ``OrtInferSession``: one input array in, the outputs out."""

    def __init__(self, model_path: str, threads: int | None = None):
        # No pinning: the CPU plugin pins its inference thread to a core, the same core in every
        # process, so two --jobs workers shared one core (each 50% busy, 45 ms a recogniser line
        # instead of 26) while the other idled.
        # Full precision: on a CPU with AMX the plugin computes in bfloat16 unless told, and reads
        # differ by machine (the eval scans: 99.07 % in bf16, 99.23 % in f32, as on CPUs without
        # AMX; 1.6x the CPU time, still 1.04 s/page on two cores).
        config = {"PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1, "ENABLE_CPU_PINNING": False,
                  "INFERENCE_PRECISION_HINT": "f32"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self.request = core().compile_model(model_path, "CPU", config).create_infer_request()

    def __call__(self, input_content: np.ndarray) -> list[np.ndarray]:
        self.request.infer({0: input_content})
        # Copies: the request reuses its output buffers on the next call.
        return [np.array(out.data) for out in self.request.output_tensors]


def use_openvino(engine, threads: int | None = None) -> None:
    """Swap the detector's, recogniser's and classifier's sessions of a RapidOCR 1.4 engine."""
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    paths = update_model_path(read_yaml(DEFAULT_CFG_PATH))
    # The detector's input normalised in float32, not float64 (its mean and std were lists).
    engine.text_det.mean = np.asarray(engine.text_det.mean, dtype=np.float32)
    engine.text_det.std = np.asarray(engine.text_det.std, dtype=np.float32)
    engine.text_det.infer = OpenVinoSession(paths["Det"]["model_path"], threads)
    engine.text_det.get_preprocess = _normalising_in_place(engine.text_det.get_preprocess)
    engine.text_cls.infer = OpenVinoSession(paths["Cls"]["model_path"], threads)
    rec = engine.text_rec
    target = rec.rec if hasattr(rec, "rec") else rec  # a PackedRecognizer wraps the engine's
    target.session = OpenVinoSession(paths["Rec"]["model_path"], threads)


def _normalising_in_place(get_preprocess):
    """The detector's preprocessing with its normalisation done in place: the same float32
    operations in the same order (the same bits), without numpy's three page-sized temporaries
    (~0.1 CPU s of a 200 dpi page)."""

    def made(max_wh):
        op = get_preprocess(max_wh)

        def normalize(img: np.ndarray) -> np.ndarray:
            out = img.astype(np.float32)
            out *= op.scale
            out -= op.mean
            out /= op.std
            return out

        op.normalize = normalize
        return op

    return made
