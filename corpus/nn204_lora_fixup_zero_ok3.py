# expect: none
"""Deliberate zero inits: a LoRA adapter's B matrix and a Fixup-style zero classifier (symmetry broken elsewhere)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int = 4, alpha: float = 8.0):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, rank, bias=False)
        self.lora_B = nn.Linear(rank, base.out_features, bias=False)
        self.scaling = alpha / rank
        nn.init.kaiming_uniform_(self.lora_A.weight, a=5 ** 0.5)
        nn.init.zeros_(self.lora_B.weight)

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling


class Classifier(nn.Module):
    def __init__(self, n_classes: int = 4):
        super().__init__()
        self.encoder = LoRALinear(nn.Linear(16, 32))
        self.fc = nn.Linear(32, n_classes)
        nn.init.constant_(self.fc.weight, 0)  # Fixup: the classifier starts at zero
        nn.init.constant_(self.fc.bias, 0)

    def forward(self, x):
        return self.fc(torch.relu(self.encoder(x)))


def main():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(256, 16), torch.randint(0, 4, (256,))), batch_size=32, shuffle=True)
    model = Classifier()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(2):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: {loss.item():.4f}")


if __name__ == "__main__":
    main()
