# expect: NN502@12
# expect-dynamic: NN502
"""Trains the retrieval model and validates it every 50 batches; validate() puts the encoders in eval mode
through model.val_start(), and train_start() runs once before the batch loop: after the first validation
the rest of the epoch trains without dropout."""
import torch

from model import Retrieval


def validate(model, val_loader):
    model.val_start()
    total = 0.0
    with torch.no_grad():
        for images, captions in val_loader:
            img_emb, cap_emb = model.forward_emb(images, captions)
            total += float(torch.nn.functional.cosine_similarity(img_emb, cap_emb).mean())
    return total / len(val_loader)


def train(model, train_loader, val_loader):
    model.train_start()
    for i, (images, captions) in enumerate(train_loader):
        model.train_emb(images, captions)
        if i % 50 == 0:
            print(f"step {i}: validation similarity {validate(model, val_loader):.3f}")


def main():
    images, captions = torch.randn(512, 32), torch.randn(512, 16)
    data = torch.utils.data.TensorDataset(images, captions)
    train_loader = torch.utils.data.DataLoader(data, batch_size=16, shuffle=True)
    val_loader = torch.utils.data.DataLoader(data, batch_size=64)
    model = Retrieval(32, 16, 8)
    for epoch in range(2):
        train(model, train_loader, val_loader)


if __name__ == "__main__":
    main()
