from nnlint.api import Finding, RunView
from nnlint.testing import assert_clean, assert_flags, check_documented_examples

from nnlint_example.probes import TinyTrainingBatch
from nnlint_example.rules import WholeModelSave


def test_documented_examples():
    check_documented_examples(WholeModelSave)
    check_documented_examples(TinyTrainingBatch)  # a probe: its sections, and every example parses


def test_flags_a_user_model_class():
    assert_flags(
        WholeModelSave,
        """
        import torch
        from torch import nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

        net = Net()
        torch.save(net, "net.pt")
        """,
        count=1,
        line=10,
    )


def test_checkpoint_dicts_and_tensors_are_clean():
    assert_clean(
        WholeModelSave,
        """
        import torch
        from torch import nn

        model = nn.Linear(2, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, "ckpt.pt")
        torch.save(torch.zeros(3), "tensor.pt")
        """,
    )


def test_option_allows_named_functions():
    code = """
    import torch
    from torch import nn

    def export(model):
        torch.save(model, "exported.pt")

    export(nn.Linear(2, 2))
    """
    assert_flags(WholeModelSave, code)
    assert_clean(WholeModelSave, code, options={"allow_in_functions": ["export"]})


def run_with(loaders):
    return RunView("train.py", [{"observations": {"loaders": loaders, "step_where": [["train.py", 12, "main"]]}}])


def test_probe_reports_single_sample_batches():
    run = run_with([{"class": "DataLoader", "batch_size": 1}])
    probe = TinyTrainingBatch()
    run.probe = probe
    probe.check(run)
    assert [(f.code, f.line, f.evidence["batch_size"]) for f in run.findings] == [("NNX002", 12, 1)]
    assert isinstance(run.findings[0], Finding)


def test_probe_is_quiet_on_batches_and_respects_its_option():
    for batch_size, options, expected in ((32, None, 0), (None, None, 0), (8, {"min_batch_size": 16}, 1)):
        run = run_with([{"class": "DataLoader", "batch_size": batch_size}])
        probe = TinyTrainingBatch(options)
        run.probe = probe
        probe.check(run)
        assert len(run.findings) == expected
