# expect: NN402@20
# A small GAN: the generator's optimizer is cleared every iteration, the discriminator's never, so
# the discriminator steps on the sum of all its past gradients.
import torch
from torch import nn

if __name__ == "__main__":
    torch.manual_seed(0)
    generator = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    discriminator = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4)
    bce = nn.BCEWithLogitsLoss()
    real_data = torch.randn(256, 2) * 0.5 + 1.0
    for step in range(20):
        real = real_data[torch.randint(0, 256, (32,))]
        fake = generator(torch.randn(32, 8))
        d_loss = bce(discriminator(real), torch.ones(32, 1)) + bce(discriminator(fake.detach()), torch.zeros(32, 1))
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = bce(discriminator(fake), torch.ones(32, 1))
        g_loss.backward()
        opt_g.step()
    print(d_loss.item(), g_loss.item())
