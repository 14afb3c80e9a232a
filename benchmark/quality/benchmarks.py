"""Each task's declared quality benchmark: what the energy buys, measured the field's way.

Registry data, beside the energy settings: every ``TaskSpec`` names its ``QualityBenchmark`` (``None``
for a task without one yet). A quality figure is only compared on a board when it is on its task's
declared benchmark and metric (``QualityBenchmark.key`` and ``metric``); figures on other benchmarks
or metrics (SQuAD v1 F1 on a SQuAD v2 board, sentence-level ROUGE-L on a ROUGE-Lsum one, a card's
unnamed "GPQA") are kept and shown on the model page under their own names.

``METRIC_RANGES`` bounds the values a metric can take (accuracy-like ones 0–100, a WER ≥ 0, ...):
a record outside them is dropped like any impossible record. Light: no evaluation library here
(the evaluators run in ``benchmark.runner.quality``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PCT = "%"

# Every metric key a quality record may carry, with the values it can take (inclusive).
METRIC_RANGES: dict[str, tuple[float, float]] = {
    "average_normalized": (0.0, 100.0),
    "accuracy_pct": (0.0, 100.0),
    "top1_accuracy_pct": (0.0, 100.0),
    "f1_pct": (0.0, 100.0),
    "box_ap_pct": (0.0, 100.0),
    "rougeLsum": (0.0, 100.0),
    "rougeL": (0.0, 100.0),
    "wer_pct": (0.0, math.inf),  # insertions can take a WER past 100 %
    "cos_sim_spearman_x100": (-100.0, 100.0),
    "cider": (0.0, 1000.0),  # CIDEr-D ×100, as captioning papers print it (max 10 × 100)
}


@dataclass(frozen=True)
class QualityBenchmark:
    """A task's quality benchmark: the data, the metric and the library that computes it.

    ``metric`` is the key records use, ``metric_name`` how people say it, ``unit`` its unit ("%" or
    "" for a score); ``higher_is_better`` its direction; ``library`` the evaluator the field trusts
    (``python -m benchmark quality`` calls it, never a re-implementation); ``evaluator_task`` the task
    name inside that library where it has one (lm-evaluation-harness, mteb).
    """

    key: str
    name: str
    dataset_id: str
    dataset_config: str | None
    dataset_split: str
    metric: str
    metric_name: str
    unit: str
    higher_is_better: bool
    library: str
    evaluator_task: str | None = None
    notes: str = ""
    # other metrics the same benchmark is reported in: kept and shown under their own name, never compared
    other_metrics: tuple[str, ...] = ()
    # settings the reference definition fixes: a figure whose record states another value for one of them is
    # kept and shown, labelled, never compared (a figure that does not state the setting is taken as the
    # reference's: a published board's own figure)
    reference_settings: tuple[tuple[str, object], ...] = ()

    @property
    def arrow(self) -> str:
        return "↑" if self.higher_is_better else "↓"

    @property
    def label(self) -> str:
        """"SST-2 accuracy (%) ↑": the benchmark, its metric, unit and direction in one header."""
        unit = f" ({self.unit})" if self.unit else ""
        return f"{self.name} {self.metric_name}{unit} {self.arrow}"

    @property
    def value_range(self) -> tuple[float, float]:
        return METRIC_RANGES[self.metric]


OPEN_LLM_LEADERBOARD_V2 = QualityBenchmark(
    key="open_llm_leaderboard_v2",
    name="Open LLM Leaderboard v2",
    dataset_id="open-llm-leaderboard (IFEval, BBH, MATH Lvl 5, GPQA, MuSR, MMLU-Pro)",
    dataset_config=None,
    dataset_split="test",
    metric="average_normalized",
    metric_name="average",
    unit="",
    higher_is_better=True,
    library="lm-evaluation-harness",
    evaluator_task="leaderboard",
    notes="the six benchmarks' scores normalised between the random baseline and 100, averaged, as the OLL did",
)
GPQA_DIAMOND = QualityBenchmark(
    key="gpqa_diamond",
    name="GPQA Diamond",
    dataset_id="Idavidrein/gpqa",
    dataset_config="gpqa_diamond",
    dataset_split="train",
    metric="accuracy_pct",
    metric_name="accuracy",
    unit=PCT,
    higher_is_better=True,
    library="lm-evaluation-harness",
    evaluator_task="gpqa_diamond_cot_zeroshot",
    notes="thinking on; each effort level its own figure",
    # lm-evaluation-harness's zero-shot chain-of-thought prompt, greedy, one run: a figure stating another
    # prompt (a model card's "Answer: $LETTER" with sampling and repeats) is shown apart, never compared
    reference_settings=(("prompt", "gpqa_diamond_cot_zeroshot"),),
)
CNN_DAILYMAIL = QualityBenchmark(
    key="cnn_dailymail",
    name="CNN/DailyMail",
    dataset_id="abisee/cnn_dailymail",
    dataset_config="3.0.0",
    dataset_split="test",
    metric="rougeLsum",
    metric_name="ROUGE-Lsum",
    unit="",
    higher_is_better=True,
    library="rouge-score (what evaluate's rouge calls)",
    other_metrics=("rougeL",),  # sentence-level ROUGE-L: another figure, a few points lower
    # the reference splits summaries into sentences with NLTK's Punkt before rougeLsum
    reference_settings=(("sentence_split", "nltk punkt (english)"),),
)
SQUAD_V2 = QualityBenchmark(
    key="squad_v2",
    name="SQuAD v2",
    dataset_id="rajpurkar/squad_v2",
    dataset_config=None,
    dataset_split="validation",
    metric="f1_pct",
    metric_name="F1",
    unit=PCT,
    higher_is_better=True,
    library="torchmetrics SQuAD (the official script's F1)",
)
SST2 = QualityBenchmark(
    key="sst2",
    name="SST-2",
    dataset_id="nyu-mll/glue",
    dataset_config="sst2",
    dataset_split="validation",
    metric="accuracy_pct",
    metric_name="accuracy",
    unit=PCT,
    higher_is_better=True,
    library="scikit-learn accuracy (what evaluate's accuracy calls)",
)
MTEB_STSBENCHMARK = QualityBenchmark(
    key="mteb_stsbenchmark",
    name="STSBenchmark (MTEB)",
    dataset_id="mteb/stsbenchmark-sts",
    dataset_config=None,
    dataset_split="test",
    metric="cos_sim_spearman_x100",
    metric_name="cosine Spearman ×100",
    unit="",
    higher_is_better=True,
    library="mteb",
    evaluator_task="STSBenchmark",
)
IMAGENET_1K_VAL = QualityBenchmark(
    key="imagenet_1k_val",
    name="ImageNet-1k",
    dataset_id="ILSVRC/imagenet-1k",
    dataset_config=None,
    dataset_split="validation",
    metric="top1_accuracy_pct",
    metric_name="top-1 accuracy",
    unit=PCT,
    higher_is_better=True,
    library="scikit-learn accuracy (what evaluate's accuracy calls)",
)
COCO_VAL2017 = QualityBenchmark(
    key="coco_val2017",
    name="COCO val2017",
    dataset_id="detection-datasets/coco",
    dataset_config=None,
    dataset_split="val",
    metric="box_ap_pct",
    metric_name="box AP@[.50:.95]",
    unit=PCT,
    higher_is_better=True,
    library="pycocotools",
)
LIBRISPEECH_TEST_CLEAN = QualityBenchmark(
    key="librispeech_test_clean",
    name="LibriSpeech test-clean",
    dataset_id="openslr/librispeech_asr",
    dataset_config="clean",
    dataset_split="test",
    metric="wer_pct",
    metric_name="WER",
    unit=PCT,
    higher_is_better=False,
    library="jiwer (Whisper English normaliser)",
)
COCO_KARPATHY_TEST = QualityBenchmark(
    key="coco_karpathy_test",
    name="COCO Karpathy test",
    dataset_id="yerevann/coco-karpathy",
    dataset_config=None,
    dataset_split="test",
    metric="cider",
    metric_name="CIDEr ×100",
    unit="",
    higher_is_better=True,
    library="pycocoevalcap (CIDEr)",
)

BENCHMARKS: dict[str, QualityBenchmark] = {
    benchmark.key: benchmark
    for benchmark in (
        OPEN_LLM_LEADERBOARD_V2, GPQA_DIAMOND, CNN_DAILYMAIL, SQUAD_V2, SST2, MTEB_STSBENCHMARK, IMAGENET_1K_VAL,
        COCO_VAL2017, LIBRISPEECH_TEST_CLEAN, COCO_KARPATHY_TEST,
    )
}
