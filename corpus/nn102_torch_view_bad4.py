# expect: NN102@20
# expect-dynamic: NN102
"""Camera batches arrive as NHWC tensors; torch.reshape is used where a permute was meant."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

NUM_FRAMES = 128
HEIGHT, WIDTH = 16, 16


def load_frames() -> torch.Tensor:
    # Decoders hand back channels-last frames: (N, H, W, C).
    return torch.rand(NUM_FRAMES, HEIGHT, WIDTH, 3) * 2 - 1


def main() -> None:
    torch.manual_seed(0)
    frames = load_frames()
    frames = torch.reshape(frames, (NUM_FRAMES, 3, HEIGHT, WIDTH))
    labels = torch.randint(0, 2, (NUM_FRAMES,))
    loader = DataLoader(TensorDataset(frames, labels), batch_size=16, shuffle=True)

    model = nn.Sequential(
        nn.Conv2d(3, 8, kernel_size=3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 2),
    )
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(f"final loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
