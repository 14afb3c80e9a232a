"""Each evaluator applies the settings its benchmark's reference applies: a summarization checkpoint's published
prefix and decoding (T5's "summarize: " and beam search), and mteb's own loader with its per-model prompts."""

from __future__ import annotations

from types import SimpleNamespace

from benchmark.runner.quality.pipelines import summarization_settings
from benchmark.runner.quality.sts import mteb_loader

T5_SMALL_SUMMARIZATION = {"early_stopping": True, "length_penalty": 2.0, "max_length": 200, "min_length": 30,
                          "no_repeat_ngram_size": 3, "num_beams": 4, "prefix": "summarize: "}


def test_a_t5_checkpoints_published_prefix_and_beam_search_are_applied():
    config = SimpleNamespace(task_specific_params={"summarization": T5_SMALL_SUMMARIZATION, "translation_en_to_de": {}})
    prefix, generate = summarization_settings(config)
    assert prefix == "summarize: "
    assert generate == {"num_beams": 4, "max_length": 200, "min_length": 30, "length_penalty": 2.0,
                        "no_repeat_ngram_size": 3, "early_stopping": True}


def test_a_checkpoint_that_publishes_nothing_runs_with_its_own_defaults():
    assert summarization_settings(SimpleNamespace(task_specific_params=None)) == ("", {})
    assert summarization_settings(SimpleNamespace()) == ("", {})


def test_mteb_loads_a_model_it_lists_with_its_prompts_and_any_other_plainly():
    loader, kwargs = mteb_loader("intfloat/e5-small-v2")
    assert kwargs["model_prompts"] == {"query": "query: ", "document": "passage: "}
    loader, kwargs = mteb_loader("org/not-in-mteb")
    assert (loader.__name__, kwargs) == ("SentenceTransformerEncoderWrapper", {})


def test_the_chat_template_is_the_submitters_choice_and_on_by_default_where_the_model_has_one(tmp_path):
    import pytest

    from benchmark.runner.quality.harness import chat_choice
    from benchmark.runner.quality.pipelines import ModelRefused

    with_template, without = tmp_path / "chat", tmp_path / "base"
    with_template.mkdir()
    without.mkdir()
    (with_template / "chat_template.jinja").write_text("{{ messages }}")
    assert chat_choice(str(with_template), "org/chat", None) is True
    assert chat_choice(str(with_template), "org/chat", False) is False
    assert chat_choice(str(without), "org/base", None) is False
    with pytest.raises(ModelRefused, match="--chat-template on: model 'org/base' has no chat template"):
        chat_choice(str(without), "org/base", True)


def test_the_chat_template_flag_is_refused_for_another_benchmark():
    import pytest

    from benchmark.quality.spec import QualityRefused, QualitySpec, check_quality_spec

    with pytest.raises(QualityRefused, match="--chat-template applies to the Open LLM Leaderboard v2"):
        check_quality_spec(QualitySpec(model="org/m", task="summarization", chat_template=True))


def test_a_figure_measured_with_other_settings_than_the_reference_is_kept_labelled_and_never_compared():
    from benchmark.quality.record import QualityRecord, QualitySettings
    from leaderboard.tabs.models_text import quality_markdown
    from leaderboard.views.model_page import _quality_item

    def rouge(split: str | None) -> QualityRecord:
        settings = QualitySettings(**({"sentence_split": split} if split else {}))
        return QualityRecord(quality_id="q", model_id="org/t5", task="summarization", benchmark="cnn_dailymail",
                             metric="rougeLsum", value=40.1, higher_is_better=True, source="run", provenance="measured",
                             settings=settings)

    assert rouge("nltk punkt (english)").comparable and rouge(None).comparable  # a published board's figure
    regex = rouge("after . ! ?")
    assert not regex.comparable
    assert regex.off_reference_because == "sentence split 'after . ! ?', not the reference's 'nltk punkt (english)'"
    shown = quality_markdown(_quality_item(regex))
    assert shown.startswith("**40.1** CNN/DailyMail ROUGE\\-Lsum ↑ (sentence split ")
    assert shown.endswith(": not compared) — measured, run")


def test_captioning_uses_the_decoding_its_family_published_and_says_so():
    from benchmark.runner.quality.pipelines import caption_settings

    assert caption_settings("blip") == ("a picture of ", {"num_beams": 3, "max_length": 20, "min_length": 5},
                                        "BLIP paper (Li et al., 2022)")
    assert caption_settings("git") == ("", {}, "the model's own generation config")


def test_a_model_cards_gpqa_figure_under_another_prompt_is_kept_apart_from_ours():
    from benchmark.quality.record import QualityRecord, QualitySettings

    def gpqa(prompt: str) -> QualityRecord:
        return QualityRecord(quality_id="g", model_id="org/r1", task="reasoning", benchmark="gpqa_diamond",
                             metric="accuracy_pct", value=60.0, higher_is_better=True, source="card",
                             provenance="published", settings=QualitySettings(prompt=prompt))

    assert gpqa("gpqa_diamond_cot_zeroshot").comparable
    assert not gpqa("Answer: $LETTER, sampled, 8 repeats").comparable
