"""optimum-benchmark 0.6.0 on transformers 5: each alias, in this process and in a spawned child."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import pytest

from tests.support.env import PYTHON, subprocess_env


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=subprocess_env(), timeout=300
    )


def test_special_tokens_mixin_is_restored_as_the_tokenizer_base_class():
    from transformers import PreTrainedTokenizerBase  # first: a lazy import may re-create the module

    from benchmark.runner.compat import install

    install()
    assert sys.modules["transformers"].SpecialTokensMixin is PreTrainedTokenizerBase


def test_vision2seq_auto_class_is_its_transformers5_successor():
    import transformers

    from benchmark.runner import compat  # noqa: F401

    assert transformers.AutoModelForVision2Seq is transformers.AutoModelForImageTextToText


def test_processor_attributes_list_what_get_attributes_lists(tmp_path):
    from transformers import AutoProcessor

    from benchmark.runner import compat  # noqa: F401
    from tests.support.tiny_assets import build_model

    processor = AutoProcessor.from_pretrained(build_model("automatic_speech_recognition", tmp_path))
    assert processor.attributes == list(type(processor).get_attributes())
    assert "feature_extractor" in processor.attributes


def test_optimum_benchmark_imports_its_transformers_backend_after_install():
    from benchmark.runner.compat import check

    check()
    from optimum_benchmark.backends.transformers_utils import get_transformers_auto_model_class_for_task

    assert get_transformers_auto_model_class_for_task("image-to-text").__name__ == "AutoModelForImageTextToText"


def test_a_second_install_restores_nothing():
    from benchmark.runner.compat import install

    install()
    assert install() == []


def test_names_that_exist_are_left_alone():
    # As on transformers 4.57 or a fixed optimum-benchmark: a name present stays what it was.
    result = _run(
        """
        import sys, transformers, transformers.processing_utils, transformers.models.auto
        module = sys.modules["transformers"]
        sentinel = type("Original", (), {})
        module.SpecialTokensMixin = sentinel
        transformers.processing_utils.ProcessorMixin.attributes = ["kept"]
        from benchmark.runner import compat as ob_compat
        assert sys.modules["transformers"].SpecialTokensMixin is sentinel
        assert transformers.processing_utils.ProcessorMixin.attributes == ["kept"]
        print(sorted(ob_compat.RESTORED))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['AutoModelForVision2Seq']"


@pytest.mark.runner  # optimum-benchmark's own spawned child: seconds, like a real run
def test_a_spawned_child_that_unpickles_the_config_gets_the_aliases(tiny):
    # optimum-benchmark's child imports its own modules by name; unpickling our config class is
    # what brings the aliases in. The child here imports nothing of ours before the unpickle.
    from optimum_benchmark import EnergyStarConfig, InlineConfig, PyTorchConfig

    from benchmark.runner.compat import benchmark_config

    config = benchmark_config(
        name="child-check",
        launcher=InlineConfig(),
        backend=PyTorchConfig(model=str(tiny.model("text_classification")), task="text-classification", device="cpu"),
        scenario=EnergyStarConfig(dataset_name="x", num_samples=1),
    )
    payload = pickle.dumps(config)
    code = f"""
        import pickle, sys
        assert "benchmark.runner.compat" not in sys.modules
        config = pickle.loads({payload!r})
        import transformers
        from transformers import SpecialTokensMixin, AutoModelForVision2Seq
        from transformers.processing_utils import ProcessorMixin
        import optimum_benchmark.backends.transformers_utils
        print(type(config).__module__, SpecialTokensMixin.__name__, AutoModelForVision2Seq.__name__,
              hasattr(ProcessorMixin, "attributes"))
        """
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "benchmark.runner.compat",
        "PreTrainedTokenizerBase",
        "AutoModelForImageTextToText",
        "True",
    ]


def test_a_transformers_without_any_successor_fails_in_one_line_naming_both_versions():
    result = _run(
        """
        import sys, transformers, transformers.processing_utils, transformers.models.auto
        module = sys.modules["transformers"]
        for name in ("AutoModelForVision2Seq", "AutoModelForImageTextToText"):
            module.__dict__.pop(name, None)
            setattr(module, name, None)
        from benchmark.runner.compat import CompatError
        """
    )
    # Importing the module runs install(): the failure is the one-line CompatError.
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("benchmark.runner.compat.CompatError: optimum-benchmark 0.6.0 cannot run on transformers 5.")
    assert "AutoModelForImageTextToText" in last
    assert "written for optimum-benchmark 0.6.0" in last


@pytest.mark.parametrize("name", ["SpecialTokensMixin", "AutoModelForVision2Seq"])
def test_the_aliases_are_set_on_the_module_sys_modules_holds(name):
    from benchmark.runner.compat import install

    install()
    assert getattr(sys.modules["transformers"], name) is not None


CHILD_WORK_S = 1.5


def sleeping_worker(seconds: float):
    """A benchmark child that only waits (top level, so the spawned child can import it)."""
    import time as child_time

    from optimum_benchmark.benchmark.report import BenchmarkReport

    child_time.sleep(seconds)
    return BenchmarkReport.from_list(targets=["slept"])


@pytest.mark.runner  # optimum-benchmark's own spawned child: seconds, like a real run
def test_the_launcher_waits_for_its_child_without_spinning_a_core():
    import time

    from optimum_benchmark.launchers.process.config import ProcessConfig
    from optimum_benchmark.launchers.process.launcher import ProcessLauncher

    from benchmark.runner import compat

    assert compat.quiet_launcher() is False  # installed once, when the runner was imported
    launcher = ProcessLauncher(ProcessConfig(device_isolation=False))
    began_cpu_s, began_s = time.process_time(), time.perf_counter()
    report = launcher.launch(worker=sleeping_worker, worker_args=[CHILD_WORK_S])
    parent_cpu_s, wall_s = time.process_time() - began_cpu_s, time.perf_counter() - began_s
    assert list(report.to_dict()) == ["slept"] and wall_s >= CHILD_WORK_S
    # the busy loop it replaces used a core for the child's whole life (≥ 1.5 CPU s here)
    assert parent_cpu_s < 0.3 * CHILD_WORK_S
