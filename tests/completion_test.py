"""The completion run as a library call: stopping early still writes every output."""

import os

from dcgan.modeling.checkpoints import load_models
from dcgan.completion.faces import complete
from dcgan.options import CompletionOptions, SearchOptions


def test_stop_request_writes_outputs_for_the_z_found_so_far(tiny_model, face_pngs, tmp_path):
    options = CompletionOptions(out_dir=str(tmp_path), out_interval=5, progress=False,
                                search=SearchOptions(n_iter=100))
    answers = iter([False])  # go on at the first look (5 iterations), stop at the next (10)
    result = complete(face_pngs, load_models(tiny_model), options,
                      stop_requested=lambda: next(answers, True), log=lambda message: None)
    assert result.interrupted
    assert sorted(os.listdir(tmp_path / "snapshots")) == ["0000.png", "0005.png", "0010.png"]
    assert sorted(os.listdir(tmp_path / "completed")) == sorted(os.path.basename(p) for p in face_pngs)
    assert (tmp_path / "completion.gif").exists()
    assert sum(result.final_loss.values()) < sum(result.initial_loss.values())


def test_output_names_are_unique():
    from dcgan.completion.inputs import output_names
    assert output_names(["a/face.png", "b/face.jpg", "c/0050.png"]) == ["face", "face_2", "0050"]
