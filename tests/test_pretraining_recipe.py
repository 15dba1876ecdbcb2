"""rt-pretrain-finetune: the protocol runs end to end on a tiny stand-in corpus and writes its report."""
import json

import numpy as np

from neuronet.recipes import get_recipe
from neuronet.recipes import pretraining

GOOD = ["a wonderful moving film", "great acting and a fine story", "a joy to watch", "fine and funny"]
BAD = ["a dull tedious mess", "boring and far too long", "a joyless film", "the story is a mess"]


def _tiny_split(test_size=0.2, seed=0):
    rng = np.random.default_rng(0)
    texts = [GOOD[i % 4] if i % 2 else BAD[i % 4] for i in range(80)]
    labels = np.arange(80) % 2
    order = rng.permutation(80)
    texts, labels = [texts[i] for i in order], labels[order]
    return (texts[:60], labels[:60]), (texts[60:], labels[60:])


def test_protocol_runs_and_reports_both_arms(monkeypatch, tmp_path):
    monkeypatch.setattr(pretraining, "rotten_tomatoes_split", _tiny_split)
    monkeypatch.setattr(pretraining, "load_shakespeare", lambda: "To be, or not to be: that is the question.\n" * 40)
    assert get_recipe("rt-pretrain-finetune").run is pretraining.run_pretrain_finetune
    lines = []
    report = pretraining.run_pretrain_finetune(out=str(tmp_path), epochs=2, seeds=2, pretrain_steps=4, vocab_size=80,
                                               max_len=12, shakespeare_windows=5, print_fn=lines.append)
    assert report["counts"]["train_reviews"] == 54 and report["counts"]["validation_reviews"] == 6
    assert report["counts"]["shakespeare_windows"] == 5 and report["settings"]["seeds"] == [0, 1]
    for run in report["runs"]:
        assert run["pretraining"]["steps"] == 4
        assert run["pretraining"]["validation_after"]["masked_tokens"] == run["pretraining"]["validation_before"]["masked_tokens"]
        for arm in ("from_scratch", "pretrained"):
            assert 0.0 <= run[arm]["test_accuracy"] <= 1.0 and 1 <= run[arm]["epochs_run"] <= 2
    assert set(report["difference"]) == {"mean", "std", "values"} and len(report["pretrained"]["values"]) == 2
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["pretrained"] == report["pretrained"] and "Split" in saved["protocol"]
    assert (tmp_path / "tokenizer.json").exists() and any("pretrain_steps" in line for line in lines)
