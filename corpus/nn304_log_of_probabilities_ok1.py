# expect: none
"""The same label-smoothing loss written with F.log_softmax, plus a KL term computed on
log-probabilities."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

NUM_CLASSES = 5


def smoothed_cross_entropy(logits, target, smoothing=0.1):
    log_probs = F.log_softmax(logits, dim=1)
    soft = torch.full_like(log_probs, smoothing / (NUM_CLASSES - 1))
    soft.scatter_(1, target.unsqueeze(1), 1.0 - smoothing)
    return -(soft * log_probs).sum(dim=1).mean()


def main():
    torch.manual_seed(0)
    x = torch.randn(320, 40)
    y = torch.randint(0, NUM_CLASSES, (320,))
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    student = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, NUM_CLASSES))
    teacher = nn.Sequential(nn.Linear(40, NUM_CLASSES))
    teacher.requires_grad_(False)
    teacher.eval()
    optimizer = torch.optim.Adam(student.parameters(), lr=1e-3)
    for epoch in range(2):
        student.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            logits = student(xb)
            with torch.no_grad():
                teacher_log_probs = F.log_softmax(teacher(xb), dim=1)
            kd = F.kl_div(F.log_softmax(logits, dim=1), teacher_log_probs, log_target=True, reduction="batchmean")
            loss = smoothed_cross_entropy(logits, yb) + 0.5 * kd
            loss.backward()
            optimizer.step()
        print(epoch, loss.item())


if __name__ == "__main__":
    main()
