"""When `suggest train` tunes the encoder: by default with a GPU, on a CPU only within the budget."""
from __future__ import annotations

import pytest

import suggest.finetune
from suggest.cli import build_parser
from suggest.cli.train_cmd import fine_tune_settings
from suggest.errors import DataError


def _args(*extra: str):
    return build_parser().parse_args(["train", "--data", "coded.csv", "--out", "m", *extra])


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(suggest.finetune, "cuda_available", lambda: False)


@pytest.fixture
def gpu(monkeypatch):
    monkeypatch.setattr(suggest.finetune, "cuda_available", lambda: True)


def test_default_is_auto_and_does_not_tune_on_a_cpu(no_gpu, capsys):
    args = _args()
    assert args.fine_tune == "auto" and args.fine_tune_budget == 0
    assert fine_tune_settings(args, 774) is None
    said = capsys.readouterr().out
    assert "not fine-tuned" in said and "--fine-tune on" in said and "GPU" in said


def test_default_tunes_on_a_gpu(gpu, capsys):
    settings = fine_tune_settings(_args(), 4261)
    assert settings is not None and settings.device == "cuda"
    assert "Fine-tuning the encoder on cuda" in capsys.readouterr().out


def test_a_cpu_budget_tunes_a_corpus_that_fits_and_refuses_one_that_does_not(no_gpu):
    minutes_small = suggest.finetune.estimate_seconds(774, suggest.finetune.FineTuneSettings()) / 60
    assert fine_tune_settings(_args("--fine-tune-budget", str(minutes_small + 1)), 774).device == "cpu"
    assert fine_tune_settings(_args("--fine-tune-budget", str(minutes_small + 1)), 4261) is None


def test_on_and_off_ignore_the_budget(no_gpu):
    assert fine_tune_settings(_args("--fine-tune", "on"), 4261).device == "cpu"
    assert fine_tune_settings(_args("--fine-tune", "off"), 10) is None


def test_auto_leaves_other_model_kinds_alone(gpu):
    assert fine_tune_settings(_args("--fine-tune", "auto", "--kind", "lexical"), 774) is None


def test_asking_for_cuda_without_a_gpu_is_a_clear_error(no_gpu):
    with pytest.raises(DataError, match="no CUDA GPU"):
        fine_tune_settings(_args("--fine-tune", "on", "--device", "cuda"), 774)


def test_fine_tuning_runs_three_epochs_by_default_from_the_cli_and_the_api(no_gpu):
    # 3 epochs: NHS macro F1 0.606 / 0.613 / 0.608 after 2 / 3 / 4 (README, experiments/results)
    assert fine_tune_settings(_args("--fine-tune", "on"), 774).epochs == 3
    assert suggest.finetune.FineTuneSettings().epochs == 3
    assert fine_tune_settings(_args("--fine-tune", "on", "--epochs", "5"), 774).epochs == 5
