# expect: NN403@37
# expect-dynamic: NN809
"""The training loop steps the optimizer but the loss.backward() call was lost in a refactor, so
step() sees no gradients."""
import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset


class TextCNN(nn.Module):
    def __init__(self, vocab=500, dim=32, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.conv = nn.Conv1d(dim, 16, kernel_size=3, padding=1)
        self.fc = nn.Linear(16, classes)

    def forward(self, tokens):
        h = self.embed(tokens).transpose(1, 2)
        h = torch.relu(self.conv(h)).max(dim=2).values
        return self.fc(h)


torch.manual_seed(0)
tokens = torch.randint(0, 500, (192, 20))
labels = torch.randint(0, 3, (192,))
loader = DataLoader(TensorDataset(tokens, labels), batch_size=24, shuffle=True)
model = TextCNN()
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(2):
    model.train()
    epoch_loss = 0.0
    for batch_tokens, batch_labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(batch_tokens), batch_labels)
        optimizer.step()
        epoch_loss += loss.item()
    print(f"epoch {epoch}: {epoch_loss / len(loader):.4f}")
