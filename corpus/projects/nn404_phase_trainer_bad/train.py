# expect: NN404@27
# Two phases: a warm-up that trains the head only, then joint training with a step decay. The joint
# phase steps its scheduler at the top of each epoch, before engine.train() runs that epoch's optimizer
# steps, so the first learning rate of the decay is skipped.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import engine

WARM_EPOCHS, EPOCHS = 2, 6

if __name__ == "__main__":
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 3))
    criterion = nn.CrossEntropyLoss()
    warm_optimizer = torch.optim.Adam(model[3].parameters(), lr=1e-3)
    joint_optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    joint_scheduler = torch.optim.lr_scheduler.StepLR(joint_optimizer, step_size=2, gamma=0.5)
    data = TensorDataset(torch.randn(128, 12), torch.randint(0, 3, (128,)))
    train_loader = DataLoader(data, batch_size=16, shuffle=True)
    test_loader = DataLoader(data, batch_size=64)
    for epoch in range(EPOCHS):
        if epoch < WARM_EPOCHS:
            engine.train(model, train_loader, criterion, warm_optimizer)
        else:
            joint_scheduler.step()
            engine.train(model, train_loader, criterion, joint_optimizer)
        print(epoch, engine.test(model, test_loader, criterion))
