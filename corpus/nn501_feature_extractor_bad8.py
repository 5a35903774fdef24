# expect: NN501@29
# requires: timm
"""A timm backbone is fine-tuned, then scored each epoch by a nearest-centroid check on its pooled
features: `forward_features` runs the network in its current mode, and the model is never put in eval
mode, so BatchNorm normalises the validation batches with their own statistics and updates its running
averages with them."""
import timm
import torch
from torch.utils.data import DataLoader, TensorDataset


def main() -> None:
    torch.manual_seed(0)
    images, labels = torch.randn(24, 3, 32, 32), torch.randint(0, 3, (24,))
    train_loader = DataLoader(TensorDataset(images[:16], labels[:16]), batch_size=8, shuffle=True)
    val_loader = DataLoader(TensorDataset(images[16:], labels[16:]), batch_size=8)
    model = timm.create_model("resnet18", pretrained=False, num_classes=3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            centroids = torch.zeros(3, model.num_features)
            for x, y in train_loader:
                centroids.index_add_(0, y, model.forward_features(x).mean(dim=(2, 3)))
            for x, y in val_loader:
                pooled = model.forward_features(x).mean(dim=(2, 3))
                predicted = torch.cdist(pooled, centroids).argmin(dim=1)
                print(f"epoch {epoch}: accuracy {(predicted == y).float().mean().item():.3f}")


if __name__ == "__main__":
    main()
