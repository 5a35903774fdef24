# expect: none
"""A retrieval model held by a plain object: two encoders with dropout, switched between training and
evaluation by the object's own train_start()/val_start(), and trained by its train_emb()."""
import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.fc = nn.Linear(dim_in, dim_out)
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        return self.drop(self.fc(x))


class Retrieval(object):
    def __init__(self, img_dim, txt_dim, embed):
        self.img_enc = Encoder(img_dim, embed)
        self.txt_enc = Encoder(txt_dim, embed)
        params = list(self.img_enc.parameters()) + list(self.txt_enc.parameters())
        self.optimizer = torch.optim.Adam(params, lr=1e-3)

    def train_start(self):
        self.img_enc.train()
        self.txt_enc.train()

    def val_start(self):
        self.img_enc.eval()
        self.txt_enc.eval()

    def forward_emb(self, images, captions):
        return self.img_enc(images), self.txt_enc(captions)

    def train_emb(self, images, captions):
        img_emb, cap_emb = self.forward_emb(images, captions)
        loss = (1 - nn.functional.cosine_similarity(img_emb, cap_emb)).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()
