"""The recorder's data loaders (child side): the budget iterator that feeds the observed batches, ends epochs
and stops the script; a part of :class:`~.recorder.Recorder`."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional

from . import tensorstats
from .recorder_state import RecorderState
from .recorder_tables import _dataset_labels, _flat_tensors, _safe_len

if TYPE_CHECKING:
    from .recorder import Recorder


class _IteratorState:
    def __init__(self, loader: Any) -> None:
        self.loader_id = id(loader)
        self.yielded = 0
        self.yielded_after_step = 0
        self.last_digest: Optional[List[Any]] = None


class BudgetIterator:
    """Wraps a DataLoader iterator: records batches and ends it (or the script) when the budget says so."""

    def __init__(self, recorder: "Recorder", loader: Any, inner: Iterator[Any]) -> None:
        self._recorder = recorder
        self._inner = inner
        self._state = _IteratorState(loader)

    def __iter__(self) -> "BudgetIterator":
        return self

    def __len__(self) -> int:
        return len(self._inner)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __next__(self) -> Any:
        return self._recorder.next_batch(self._state, self._inner)


class LoaderEvents(RecorderState):
    """The recorder's data loaders."""

    # ------------------------------------------------------------------ data loaders
    def wrap_loader_iterator(self: "Recorder", loader: Any, inner: Iterator[Any]) -> Any:
        if not self.active():
            return inner
        self._loaders[id(loader)] = loader
        self._loader_where.setdefault(id(loader), self.where())
        if self.steps >= 1 and id(loader) == self.train_loader_id:
            sampler = getattr(loader, "sampler", None)
            if sampler is not None and hasattr(sampler, "epoch"):
                self.obs["sampler_epochs"].append(int(getattr(sampler, "epoch", 0)))
        return BudgetIterator(self, loader, inner)

    def _end(self: "Recorder", inner: Any) -> None:
        shutdown = getattr(inner, "_shutdown_workers", None)
        if callable(shutdown):
            try:
                shutdown()
            except Exception:
                pass
        raise StopIteration

    def next_batch(self: "Recorder", state: _IteratorState, inner: Iterator[Any]) -> Any:
        if self.skimming is not None:
            self._skim_expired()
        if not self.active():
            return next(inner)
        if self.steps == 0:
            batch = next(inner)
            self._took(state, batch, eval_loader=False)
            return batch
        is_train = state.loader_id == self.train_loader_id
        if is_train:
            if state is self.train_state and not self.train2_given and self.phase == "train2":
                self.train2_given = True
                batch = next(inner)
                self._took(state, batch, eval_loader=False)
                return batch
            if self.phase == "train2":
                self.phase = "eval"
            if state is self.train_state and self.eval_seen and not self.train3_given:
                # the script evaluated in the middle of its epoch and trains on: the batch after the evaluation
                # is the one to see (ending the epoch here would let the next epoch's own train() hide NN502)
                self.train3_given = True
                batch = next(inner)
                self._took(state, batch, eval_loader=False)
                return batch
            if state is not self.train_state and state.yielded == 0:
                if self.eval_seen and not self.train3_given:
                    self.train3_given = True
                    batch = next(inner)
                    self._took(state, batch, eval_loader=False)
                    return batch
                if not self.eval_seen:
                    self.obs["skipped_epochs"] += 1
                    if self.obs["skipped_epochs"] > 10_000:
                        self.stop("epoch limit")
            if self.train3_given and state.yielded:
                self.stop("budget spent after the evaluation")
            self._end(inner)
        if self.phase == "train2":
            self.phase = "eval"
        if state.yielded_after_step >= 1:
            self._end(inner)
        self.eval_iterators_after_step += 1
        if self.eval_iterators_after_step > 50:
            self.stop("evaluation limit")
        self.progress("evaluating")
        batch = next(inner)
        self._took(state, batch, eval_loader=True)
        return batch

    def _took(self: "Recorder", state: _IteratorState, batch: Any, eval_loader: bool) -> None:
        state.yielded += 1
        batches = self.obs.setdefault("batches", {"train": 0, "eval": 0})
        batches["eval" if eval_loader else "train"] += 1
        if self.steps >= 1:
            state.yielded_after_step += 1
        self.last_state = state
        self.last_batch_from_eval_loader = eval_loader
        if eval_loader or self.busy:
            return
        self.busy = True
        try:
            tensors = _flat_tensors(batch)
            self._batch_lineage = {id(t): weakref.ref(t) for t in tensors}
            digest = [tensorstats.digest(t) for t in tensors]
            if state.last_digest is not None and tensors and self.obs["repeated_batch"] is None:
                loader = self._loaders.get(state.loader_id)
                length = _safe_len(loader)
                if length is None or length > 1:
                    self.obs["repeated_batch"] = {"identical": digest == state.last_digest, "batches_in_epoch": length}
            state.last_digest = digest
            if self.steps == 0 and "first_batch_digest" not in self.obs:
                self.obs["first_batch_digest"] = digest
        finally:
            self.busy = False

    def describe_train_loader(self: "Recorder") -> None:
        loader = self._loaders.get(self.train_loader_id) if self.train_loader_id is not None else None
        if loader is None:
            return
        self.busy = True
        try:
            sampler = getattr(loader, "sampler", None)
            batch_sampler = getattr(loader, "batch_sampler", None)
            info: Dict[str, Any] = {
                "class": type(loader).__name__,
                "where": self._loader_where.get(id(loader), []),
                "sampler": type(sampler).__name__ if sampler is not None else None,
                "batch_sampler": type(batch_sampler).__name__ if batch_sampler is not None else None,
                "batch_size": getattr(loader, "batch_size", None),
                "num_workers": getattr(loader, "num_workers", 0),
                "length": _safe_len(loader),
                "shuffle": getattr(sampler, "shuffle", None),
            }
            labels = _dataset_labels(getattr(loader, "dataset", None))
            if labels is not None:
                head = labels[: max(4 * int(info["batch_size"] or 1), 2)]
                info["dataset_labels"] = tensorstats.label_stats(labels)
                info["dataset_label_head"] = tensorstats.label_stats(head)
            self.obs["loaders"].append(info)
        finally:
            self.busy = False
