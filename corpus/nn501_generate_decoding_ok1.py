# expect: none
# requires: transformers
# Fine-tuning a pretrained sequence-to-sequence model for question answering; after each epoch the
# answers are decoded with `model.generate(...)` and scored by exact match. `generate` runs the
# forward at every decoding step, so the model is switched to evaluation mode first.
import torch
from transformers import AutoTokenizer, T5ForConditionalGeneration

tokenizer = AutoTokenizer.from_pretrained("t5-small")
model = T5ForConditionalGeneration.from_pretrained("t5-small")
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)


def exact_match(loader):
    model.eval()
    hits, total = 0, 0
    with torch.no_grad():
        for batch in loader:
            generated = model.generate(batch["input_ids"], max_new_tokens=16)
            answers = tokenizer.batch_decode(generated, skip_special_tokens=True)
            hits += sum(a == b for a, b in zip(answers, batch["answers"]))
            total += len(answers)
    return hits / total


def fit(train_loader, val_loader, epochs=3):
    for epoch in range(epochs):
        model.train()
        for batch in train_loader:
            loss = model(input_ids=batch["input_ids"], labels=batch["labels"]).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(epoch, exact_match(val_loader))
