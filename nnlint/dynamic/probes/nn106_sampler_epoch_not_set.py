from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView
from nnlint.finding import Finding


class SamplerEpochNotSetProbe(Probe):
    """## What it does
    Records the training DistributedSampler's epoch each time a new epoch's iterator starts, and the calls
    to `set_epoch`: an epoch still 0 in the second epoch confirms NN106, changing epochs refute it. Under
    `--launcher torchrun` it also compares every rank's first batch: identical batches on all ranks mean
    the sampler is missing or ignored, and are reported even without a static finding.

    ## Why is this bad?
    Without `set_epoch` every epoch replays the same order; without a DistributedSampler every rank trains
    on the same samples and the extra GPUs add nothing.

    ## Example
    ```python
    for epoch in range(epochs):
        for x, y in loader: ...
    ```

    ## Use instead
    ```python
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for x, y in loader: ...
    ```

    ## How to fix
    Call `sampler.set_epoch(epoch)` at the start of every epoch; give the training loader a DistributedSampler.
    """

    code = "NN106"
    name = "sampler-epoch-not-set"
    summary = "confirms a DistributedSampler whose epoch stays 0, or ranks that see the same samples"

    def check(self, run: RunView) -> None:
        if run.world_size < 2:
            return
        digests = [(p.get("observations") or {}).get("first_batch_digest") for p in run.ranks]
        if any(d is None for d in digests) or any(d != digests[0] for d in digests[1:]):
            return
        if run.static_count(self.code):
            return  # the static finding is confirmed instead
        run.report(
            run.get("step_where"),
            f"all {run.world_size} ranks trained on the same first batch: the training loader has no "
            "DistributedSampler (or ignores it)",
            {"ranks": run.world_size, "identical_first_batches": True},
        )

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        if run.world_size >= 2:
            digests = [(p.get("observations") or {}).get("first_batch_digest") for p in run.ranks]
            if all(d is not None and d == digests[0] for d in digests):
                return True
        epochs = run.get("sampler_epochs", [])
        calls = run.get("set_epoch_calls", [])
        if len(set(calls)) > 1 or any(e != 0 for e in epochs):
            return False
        if epochs and not calls:
            finding.evidence = {**(finding.evidence or {}), "sampler_epoch_in_second_epoch": epochs[0]}
            return True
        return None
