# expect: NN501@30
# expect-dynamic: NN501
"""The transfer-learning tutorial's epoch loop, one body for both phases: the backward and the step run
only when `phase == "train"`, so the "val" phase is an evaluation. The model is put in training mode at
the top of every phase and never in eval mode: validation runs with Dropout dropping and BatchNorm
normalising each batch with its own statistics."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def main() -> None:
    torch.manual_seed(0)
    loaders = {
        "train": DataLoader(
            TensorDataset(torch.randn(128, 12), torch.randint(0, 3, (128,))), batch_size=16, shuffle=True
        ),
        "val": DataLoader(TensorDataset(torch.randn(32, 12), torch.randint(0, 3, (32,))), batch_size=16),
    }
    model = nn.Sequential(nn.Linear(12, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(2):
        for phase in ["train", "val"]:
            model.train()
            running_loss, correct = 0.0, 0
            for inputs, labels in loaders[phase]:
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == "train"):
                    outputs = model(inputs)
                    loss = criterion(outputs, labels)
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                running_loss += loss.item() * inputs.size(0)
                correct += (outputs.argmax(dim=1) == labels).sum().item()
            print(f"epoch {epoch} {phase}: loss {running_loss:.3f} correct {correct}")


if __name__ == "__main__":
    main()
