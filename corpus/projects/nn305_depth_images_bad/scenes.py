# expect: none
"""RGB-D scenes on disk: each sample is a colour photo and a depth map saved as an 8-bit PNG (one value per
pixel). The data set reads both back into arrays and scales them to [0, 1]."""
import os
from typing import List, Tuple

import numpy as np
import PIL.Image
import torch
from torch.utils.data import Dataset


class RGBDScenes(Dataset):
    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root
        self.names: List[str] = sorted(n[:-4] for n in os.listdir(root) if n.endswith(".jpg"))

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, index: int) -> Tuple[torch.Tensor, torch.Tensor]:
        photo = np.array(PIL.Image.open(os.path.join(self.root, self.names[index] + ".jpg")), dtype=np.uint8)
        depth = np.array(PIL.Image.open(os.path.join(self.root, self.names[index] + ".png")), dtype=np.uint8)
        return self.to_tensors(photo, depth)

    def to_tensors(self, photo: np.ndarray, depth: np.ndarray) -> Tuple[torch.Tensor, torch.Tensor]:
        photo = torch.from_numpy(photo.astype(np.float32).transpose(2, 0, 1) / 255.0)
        depth = torch.from_numpy(depth.astype(np.float32) / 255.0)
        return photo, depth


def write_scenes(root: str, count: int = 12, size: int = 32) -> None:
    """Synthetic scenes: a tilted plane whose depth grows with the image row, seen through some noise."""
    rng = np.random.default_rng(0)
    rows = np.linspace(0.0, 1.0, size)[:, None].repeat(size, axis=1)
    for i in range(count):
        tilt = rng.uniform(0.3, 1.0)
        depth = np.clip(tilt * rows + 0.05 * rng.standard_normal((size, size)), 0.0, 1.0)
        photo = np.stack([depth, 1.0 - depth, np.full_like(depth, tilt)], axis=-1)
        PIL.Image.fromarray((photo * 255).astype(np.uint8), mode="RGB").save(os.path.join(root, f"{i:03d}.jpg"))
        PIL.Image.fromarray((depth * 255).astype(np.uint8), mode="L").save(os.path.join(root, f"{i:03d}.png"))
