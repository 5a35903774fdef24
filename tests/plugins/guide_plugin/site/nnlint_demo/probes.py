from nnlint.api import Probe, RunView, Severity


class LargeLearningRate(Probe):
    """## What it does
    Reports a param group of the training optimizer whose learning rate is above `max_lr`
    (default 1.0), as seen when `nnlint --dynamic` runs the script.

    ## Why is this bad?
    A learning rate above 1 makes SGD-like updates larger than the weights themselves: training
    diverges or oscillates.

    ## Example
    ```python
    import torch

    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
    for step in range(3):
        optimizer.zero_grad()
        model(torch.randn(8, 4)).pow(2).mean().backward()
        optimizer.step()
    ```

    ## Use instead
    ```python
    import torch

    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for step in range(3):
        optimizer.zero_grad()
        model(torch.randn(8, 4)).pow(2).mean().backward()
        optimizer.step()
    ```
    """

    code = "NND801"
    name = "large-learning-rate"
    summary = "a param group's learning rate is above max_lr"
    severity = Severity.WARNING
    default_options = {"max_lr": 1.0}

    def check(self, run: RunView) -> None:
        for optimizer in run.optimizers:
            if not optimizer.get("primary"):
                continue
            for index, group in enumerate(optimizer.get("param_groups", [])):
                lr = group.get("lr")
                if isinstance(lr, (int, float)) and lr > self.options["max_lr"]:
                    run.report(
                        optimizer.get("where") or run.step_where,
                        f"param group {index} of {optimizer.get('class')} has lr={lr:g}, above "
                        f"{self.options['max_lr']:g}",
                        {"lr": lr, "max_lr": self.options["max_lr"], "group": index},
                    )
