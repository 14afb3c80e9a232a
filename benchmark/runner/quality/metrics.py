"""Each benchmark's metric, computed by the library made for it on predictions already made.

Never a re-implementation: each function hands the predictions and references to the field's own code
and only scales its answer to the record's unit (``accuracy_pct`` is a percentage, ``cider`` CIDEr-D ×100
as captioning papers print it). The predictions come from ``pipelines`` (or lm-evaluation-harness and
mteb, which score their own).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import Any

PERCENT = 100.0


def accuracy_pct(predictions: Sequence[int], references: Sequence[int]) -> float:
    """Accuracy in %: scikit-learn's ``accuracy_score`` (what evaluate's ``accuracy`` calls)."""
    from sklearn.metrics import accuracy_score

    return float(accuracy_score(list(references), list(predictions))) * PERCENT


def squad_v2_f1_pct(predictions: Sequence[str], answers: Sequence[Sequence[str]]) -> float:
    """SQuAD v2 F1 in %: torchmetrics' SQuAD, which ships the official script's normalisation and token
    F1 (an empty answer scores 1 against an empty gold). As the official v2 script does, a question
    without an answer has the gold ``[""]``, so abstaining (``""``) is right there and wrong elsewhere."""
    from torchmetrics.functional.text import squad

    preds = [{"prediction_text": text, "id": str(i)} for i, text in enumerate(predictions)]
    target = [
        {"answers": {"answer_start": [0] * max(len(golds), 1), "text": list(golds) or [""]}, "id": str(i)}
        for i, golds in enumerate(answers)
    ]
    return float(squad(preds, target)["f1"])


# the bootstrap's seed: its mid figure then depends on the predictions alone, run after run
BOOTSTRAP_SEED = 0


def sentences_per_line(text: str) -> str:
    """A summary with one sentence per line, as ROUGE-Lsum expects: NLTK's ``sent_tokenize`` (the English
    Punkt model), as Hugging Face's summarization examples split before evaluate's ``rouge``
    (``run_summarization.py``, ``postprocess_text``), so "U.S. Army" stays one sentence. The model is
    installed offline by ``scripts/nltk_data.py``."""
    import nltk

    # a text already one sentence per line (CNN/DailyMail's highlights) keeps its lines
    return "\n".join(sentence.strip() for line in text.strip().splitlines() for sentence in nltk.sent_tokenize(line)
                     if sentence.strip())


def rouge_lsum(predictions: Sequence[str], references: Sequence[str]) -> float:
    """ROUGE-Lsum F-measure ×100: Google's rouge-score 0.1.2, stemmed, aggregated by its bootstrap (the mid
    figure), as evaluate's ``rouge`` computes it, with the bootstrap seeded (``BOOTSTRAP_SEED``) so the same
    predictions give the same figure."""
    import numpy as np
    from rouge_score import rouge_scorer, scoring

    scorer = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=True)
    aggregator = scoring.BootstrapAggregator()
    for prediction, reference in zip(predictions, references, strict=True):
        aggregator.add_scores(scorer.score(sentences_per_line(reference), sentences_per_line(prediction)))
    state = np.random.get_state()
    np.random.seed(BOOTSTRAP_SEED)
    try:
        return float(aggregator.aggregate()["rougeLsum"].mid.fmeasure) * PERCENT
    finally:
        np.random.set_state(state)


def wer_pct(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Word error rate in % over the whole set (jiwer), after the Whisper English text normaliser on both
    sides, as the Open ASR Leaderboard computes it. A reference that normalises to nothing is left out."""
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    normalise = EnglishTextNormalizer()
    pairs = [(normalise(r), normalise(p)) for r, p in zip(references, predictions, strict=True)]
    pairs = [(r, p) for r, p in pairs if r.strip()]
    return float(jiwer.wer([r for r, _ in pairs], [p for _, p in pairs])) * PERCENT


def box_ap_pct(ground_truth: dict[str, Any], detections: list[dict[str, Any]]) -> float:
    """COCO box AP@[.50:.95] in %: pycocotools' COCOeval on ``ground_truth`` (COCO annotation JSON:
    images, annotations, categories) and ``detections`` (image_id, category_id, bbox [x, y, w, h], score)."""
    import contextlib
    import io

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress and table
        coco = COCO()
        coco.dataset = ground_truth
        coco.createIndex()
        if not detections:
            return 0.0
        found = coco.loadRes(detections)
        evaluation = COCOeval(coco, found, "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return max(float(evaluation.stats[0]), 0.0) * PERCENT  # -1 where nothing could be matched


def cider(predictions: dict[Any, str], references: dict[Any, list[str]]) -> float:
    """CIDEr-D ×100 (as captioning papers print it): pycocoevalcap's Cider on captions tokenised by its
    Stanford PTB tokenizer, which needs Java."""
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    if shutil.which("java") is None:
        raise RuntimeError("CIDEr's tokenizer (Stanford PTB, in pycocoevalcap) needs Java: install a JRE")
    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({k: [{"caption": c} for c in v] for k, v in references.items()})
    res = tokenizer.tokenize({k: [{"caption": predictions[k]}] for k in references})
    score, _ = Cider().compute_score(gts, res)
    return float(score) * PERCENT
