# expect: none
"""Greedy decoding of per-frame character scores, and the character error rate of the result."""
import torch


class GreedyDecoder:
    def __init__(self, alphabet: str) -> None:
        self.alphabet = alphabet

    def decode(self, scores: torch.Tensor) -> list:
        _, best = torch.max(scores, 2)
        return ["".join(self.alphabet[i] for i in row.tolist()) for row in best]

    def char_errors(self, decoded: str, reference: str) -> int:
        return sum(a != b for a, b in zip(decoded, reference)) + abs(len(decoded) - len(reference))
