# expect: none
# requires: open_clip
"""Zero-shot accuracy of a CLIP model: `open_clip.create_model_and_transforms` returns the model in
training mode (its first item), so it is put in eval mode before the towers encode anything."""
import open_clip
import torch
from torch.utils.data import DataLoader, TensorDataset


def main() -> None:
    torch.manual_seed(0)
    model, _, preprocess = open_clip.create_model_and_transforms("RN50", pretrained=None)
    tokenizer = open_clip.get_tokenizer("RN50")
    images, labels = torch.randn(8, 3, 224, 224), torch.randint(0, 3, (8,))
    loader = DataLoader(TensorDataset(images, labels), batch_size=4)
    model.eval()
    correct = 0
    with torch.no_grad():
        classes = model.encode_text(tokenizer(["a cat", "a dog", "a bird"]))
        for x, y in loader:
            features = model.encode_image(x)
            correct += ((features @ classes.T).argmax(dim=1) == y).sum().item()
    print(f"zero-shot accuracy {correct / len(images):.3f}")


if __name__ == "__main__":
    main()
