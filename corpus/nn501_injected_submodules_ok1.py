# expect: none
# A multimodal classifier assembled from encoders and a head chosen by name: the training function only
# sees them as arguments. After each epoch it switches the model to eval mode and validates under no_grad
# (the encoders have dropout).
import torch
from torch import nn

ENCODERS = {
    "mlp": lambda size: nn.Sequential(nn.Linear(size, 32), nn.ReLU(), nn.Dropout(0.3)),
    "wide": lambda size: nn.Sequential(nn.Linear(size, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 32)),
}


class Fusion(nn.Module):
    def __init__(self, encoders, head):
        super().__init__()
        self.encoders = nn.ModuleList(encoders)
        self.head = head

    def forward(self, inputs):
        return self.head(torch.cat([encoder(x) for encoder, x in zip(self.encoders, inputs)], dim=1))


def train(encoders, head, train_batches, valid_batches, epochs=3):
    model = Fusion(encoders, head)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(epochs):
        model.train()
        for inputs, labels in train_batches:
            optimizer.zero_grad()
            criterion(model(inputs), labels).backward()
            optimizer.step()
        correct = total = 0
        model.eval()
        with torch.no_grad():
            for inputs, labels in valid_batches:
                predictions = model(inputs).argmax(dim=1)
                correct += (predictions == labels).sum().item()
                total += len(labels)
        print(epoch, correct / total)
    return model


if __name__ == "__main__":
    torch.manual_seed(0)
    sizes = (12, 20)
    names = ("mlp", "wide")
    batches = [([torch.randn(16, s) for s in sizes], torch.randint(0, 3, (16,))) for _ in range(6)]
    encoders = [ENCODERS[name](size) for name, size in zip(names, sizes)]
    train(encoders, nn.Linear(64, 3), batches[:4], batches[4:])
