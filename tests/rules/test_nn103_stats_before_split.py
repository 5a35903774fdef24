"""NN103: whole-data statistics reaching a later split, through names, helpers, sklearn and slicing."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

from nnlint.config import Config
from nnlint.engine import Linter
from tests.conftest import codes, lint_text

HEADER = """
import numpy as np
import torch
from torch.utils.data import TensorDataset, random_split
from sklearn.model_selection import KFold, train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler
"""


def nn103(body: str):
    return codes(lint_text(HEADER + body, select=["NN103"]))


def located(body: str) -> List[Tuple[int, int, int]]:
    """(line, column, line of the split) of each NN103 finding, lines counted from the body's first line."""
    offset = HEADER.count("\n") + 1  # bodies start with a newline
    findings = lint_text(HEADER + body, select=["NN103"])
    return [(f.line - offset, f.column, f.evidence["split_line"] - offset) for f in findings]


def test_named_statistics_then_train_test_split() -> None:
    body = """
X, y = np.random.rand(100, 4), np.random.randint(0, 2, 100)
mu, sigma = X.mean(axis=0), X.std(axis=0)
X_norm = (X - mu) / sigma
X_tr, X_te, y_tr, y_te = train_test_split(X_norm, y)
"""
    assert located(body) == [(2, 13, 4)]


def test_helper_returns_normalised_data_split_by_caller() -> None:
    body = """
def load():
    X = torch.randn(100, 3)
    y = torch.randint(0, 2, (100,))
    X = (X - torch.mean(X, dim=0)) / torch.std(X, dim=0)
    return X, y

def main():
    X, y = load()
    train, val = random_split(TensorDataset(X, y), [80, 20])
"""
    assert located(body) == [(4, 14, 9)]


def test_in_place_max_scaling_then_slices() -> None:
    body = """
X = torch.rand(100, 3) * 255
X /= X.max()
train_x, val_x = X[:80], X[80:]
"""
    assert located(body) == [(2, 6, 3)]


def test_fitted_scaler_then_kfold() -> None:
    body = """
X = np.random.rand(100, 4)
scaler = MinMaxScaler().fit(X)
Xs = scaler.transform(X)
for train_idx, test_idx in KFold(5).split(Xs):
    pass
"""
    assert located(body) == [(2, 10, 4)]


def test_separate_fit_then_transform() -> None:
    body = """
X = np.random.rand(100, 4)
scaler = StandardScaler()
scaler.fit(X)
X = scaler.transform(X)
a, b = train_test_split(X, test_size=0.2)
"""
    assert located(body) == [(3, 1, 5)]


def test_training_statistics_constants_and_no_split_are_silent() -> None:
    body = """
X = torch.randn(100, 3)
y = torch.randint(0, 2, (100,))
X_train, X_val = X[:80], X[80:]
mean, std = X_train.mean(0), X_train.std(0)
X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
scaler = StandardScaler().fit(X_train)
Z = scaler.transform(X_val)
images = torch.rand(50, 1, 8, 8)
images = (images - 0.1307) / 0.3081
parts = random_split(TensorDataset(images, y[:50]), [40, 10])
whole = (X - X.mean(0)) / X.std(0)
loader_data = TensorDataset(whole, y)
"""
    assert nn103(body) == []


def test_per_sample_statistics_are_silent() -> None:
    body = """
signals = torch.randn(100, 64)
signals = (signals - signals.mean(dim=1, keepdim=True)) / signals.std(dim=1, keepdim=True)
windows = (signals - np.min(signals, axis=-1)) / 2
train, val = signals[:80], signals[80:]
"""
    assert nn103(body) == []


def test_statistics_of_other_data_are_silent() -> None:
    body = """
X = torch.randn(100, 3)
noise = torch.randn(100, 3)
scale = noise.std()
X = X / scale
train, val = X[:80], X[80:]
"""
    assert nn103(body) == []


def test_shift_only_and_subset_slices_are_silent() -> None:
    body = """
X = np.random.rand(100, 4)
y = np.random.rand(100)
y -= np.min(y)
X = X - X.min()
parts = train_test_split(X, y)
Z = StandardScaler().fit_transform(np.random.rand(100, 4))
Z = np.vstack((Z[:40], Z[50:90]))
"""
    assert nn103(body) == []


# ---------------------------------------------------------------- data-frame and array idioms (real-code forms)

FRAMES = """
import pandas as pd
from sklearn.model_selection import TimeSeriesSplit
from sklearn.preprocessing import LabelEncoder
"""


def test_column_written_back_then_row_blocks() -> None:
    body = (
        FRAMES
        + """
df = pd.read_csv("prices.csv")
scaler = StandardScaler()
df['Close'] = scaler.fit_transform(df[['Close']])
n = int(len(df) * 0.8)
train, test = df[:n], df[n:]
"""
    )
    assert located(body) == [(7, 15, 9)]
    finding = lint_text(HEADER + body, select=["NN103"])[0]
    assert "statistics of df are computed on the whole data set" in finding.message


def test_column_scaled_after_the_split_is_silent() -> None:
    body = (
        FRAMES
        + """
df = pd.read_csv("prices.csv")
n = int(len(df) * 0.8)
train, test = df[:n].copy(), df[n:].copy()
scaler = StandardScaler()
train['Close'] = scaler.fit_transform(train[['Close']])
test['Close'] = scaler.transform(test[['Close']])
"""
    )
    assert located(body) == []


def test_columns_written_back_then_train_test_split() -> None:
    body = (
        FRAMES
        + """
frame = pd.read_csv("sensors.csv")
columns = frame.columns.to_list()
frame[columns] = MinMaxScaler(feature_range=(-1, 1)).fit_transform(frame)
rest, test = train_test_split(frame, test_size=0.1)
"""
    )
    assert located(body) == [(7, 18, 8)]


def test_columns_scaled_on_the_training_part_are_silent() -> None:
    body = (
        FRAMES
        + """
frame = pd.read_csv("sensors.csv")
cols = ['a', 'b', 'c']
train, test = train_test_split(frame, test_size=0.1)
scaler = MinMaxScaler().fit(train[cols])
train[cols] = scaler.transform(train[cols])
test[cols] = scaler.transform(test[cols])
"""
    )
    assert located(body) == []


def test_z_score_per_column_in_a_loop_then_iloc_blocks() -> None:
    body = (
        FRAMES
        + """
df = pd.read_csv("sensors.csv")
for col in df.columns:
    df[col] = (df[col] - df[col].mean()) / df[col].std()
half = len(df) // 2
a, b = df.iloc[:half], df.iloc[half:]
"""
    )
    assert located(body) == [(7, 26, 9)]


def test_rolling_statistics_are_silent() -> None:
    body = (
        FRAMES
        + """
df = pd.read_csv("sensors.csv")
for col in df.columns:
    df[col] = (df[col] - df[col].rolling(20).mean()) / df[col].rolling(20).std()
half = len(df) // 2
a, b = df.iloc[:half], df.iloc[half:]
"""
    )
    assert located(body) == []


def test_inline_column_values_argument() -> None:
    body = (
        FRAMES
        + """
df = pd.read_csv("prices.csv")
prices = MinMaxScaler().fit_transform(df.Close.values.reshape(-1, 1))
train_x, test_x = prices[:100], prices[100:]
"""
    )
    assert located(body) == [(6, 10, 7)]


def test_scaler_fitted_on_a_block_of_rows_is_silent() -> None:
    body = (
        FRAMES
        + """
df = pd.read_csv("prices.csv")
scaler = MinMaxScaler().fit(df.Close.values[:100].reshape(-1, 1))
prices = scaler.transform(df.Close.values.reshape(-1, 1))
train_x, test_x = prices[:100], prices[100:]
"""
    )
    assert located(body) == []


def test_array_columns_scaled_in_place_then_row_blocks() -> None:
    body = """
X = np.random.rand(100, 6)
X[:, :3] = StandardScaler().fit_transform(X[:, :3])
train_x, val_x = X[:80], X[80:]
"""
    assert located(body) == [(2, 12, 3)]


def test_array_columns_of_a_block_of_rows_are_silent() -> None:
    body = """
X = np.random.rand(100, 6)
scaler = StandardScaler().fit(X[:80, :3])
X[:, :3] = scaler.transform(X[:, :3])
train_x, val_x = X[:80], X[80:]
"""
    assert located(body) == []


def test_windows_appended_in_a_loop_then_sliced() -> None:
    body = """
series = np.random.rand(300, 1)
series = StandardScaler().fit_transform(series)
windows = []
for i in range(len(series) - 10):
    windows.append(series[i:i + 10])
windows = np.array(windows)
k = int(0.8 * len(windows))
x_train = windows[:k, :-1]
y_train = windows[:k, -1]
x_test = windows[k:, :-1]
y_test = windows[k:, -1]
"""
    assert located(body) == [(2, 10, 8)]


def test_windows_of_raw_data_and_window_targets_are_silent() -> None:
    body = """
series = np.random.rand(300, 1)
windows = []
for i in range(len(series) - 10):
    windows.append(series[i:i + 10])
windows = np.array(windows)
k = int(0.8 * len(windows))
train_w, test_w = windows[:k], windows[k:]
scaled = StandardScaler().fit_transform(series)
inputs, targets = [], []
for i in range(len(scaled) - 5):
    inputs.append(scaled[i:i + 5])
    targets.append(scaled[i + 5:i + 6])
pairs = [(scaled[j:j + 3], scaled[j + 3:j + 4]) for j in range(10)]
"""
    assert located(body) == []


WINDOWS = """
def make_windows(data, n):
    xs, ys = [], []
    for i in range(len(data) - n):
        xs.append(data[i:i + n])
        ys.append(data[i + n])
    return np.array(xs), np.array(ys)

passengers = np.random.rand(144, 1)
"""


def test_windows_returned_by_a_helper_then_sliced_from_zero_to_len() -> None:
    body = (
        WINDOWS
        + """
scaled = MinMaxScaler().fit_transform(passengers)
x, y = make_windows(scaled, 4)
size = int(len(y) * 0.67)
train_x, test_x = x[0:size], x[size:len(x)]
"""
    )
    assert located(body) == [(10, 10, 13)]


def test_windows_of_raw_data_from_a_helper_and_lone_tail_slice_are_silent() -> None:
    body = (
        WINDOWS
        + """
x, y = make_windows(passengers, 4)
size = int(len(y) * 0.67)
train_x, test_x = x[0:size], x[size:len(x)]
train_x = MinMaxScaler().fit_transform(train_x.reshape(-1, 1))
scaled = MinMaxScaler().fit_transform(passengers)
recent = scaled[size:]
early = scaled[0:len(scaled)]
"""
    )
    assert located(body) == []


SPLITTERS = """
def split(features, targets):
    return train_test_split(features, targets, test_size=0.2, shuffle=False)

def folds(features):
    for train_idx, val_idx in TimeSeriesSplit(n_splits=3).split(features):
        yield features[train_idx], features[val_idx]

def describe(features):
    print(features.shape)

X = np.random.rand(100, 4)
y = np.random.rand(100)
"""


def test_split_inside_a_helper_the_data_is_passed_to() -> None:
    body = (
        FRAMES
        + SPLITTERS
        + """
X = StandardScaler().fit_transform(X)
describe(X)
X_tr, X_te, y_tr, y_te = split(X, y)
"""
    )
    assert located(body) == [(18, 5, 20)]


def test_time_series_folds_inside_a_helper() -> None:
    body = (
        FRAMES
        + SPLITTERS
        + """
Z = (X - X.mean(0)) / X.std(0)
for part, held_out in folds(Z):
    pass
"""
    )
    assert located(body) == [(18, 10, 19)]


def test_helpers_given_raw_data_or_not_splitting_are_silent() -> None:
    body = (
        FRAMES
        + SPLITTERS
        + """
X_tr, X_te, y_tr, y_te = split(X, y)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
Z = StandardScaler().fit_transform(X)
describe(Z)
"""
    )
    assert located(body) == []


SCALE_HELPERS = """
def scale(frame):
    scaler = StandardScaler()
    return scaler.fit_transform(frame), scaler

def prepare(frame):
    values, scaler = scale(frame)
    return values, frame, scaler

df = pd.read_csv("prices.csv")
"""


def test_normalised_data_returned_through_two_helpers_then_split() -> None:
    body = (
        FRAMES
        + SCALE_HELPERS
        + """
scaled, raw, scaler = prepare(df)
train, test = train_test_split(scaled)
"""
    )
    assert located(body) == [(7, 12, 16)]


def test_other_positions_of_the_returned_tuple_and_subsets_given_to_the_helper_are_silent() -> None:
    body = (
        FRAMES
        + SCALE_HELPERS
        + """
scaled, raw, scaler = prepare(df)
train, test = train_test_split(raw)
part, part_scaler = scale(df[:800])
a, b = train_test_split(part)
"""
    )
    assert located(body) == []


def test_list_of_scalers_indexed_per_column() -> None:
    body = (
        FRAMES
        + """
df = pd.read_csv("stocks.csv")
names = ['AAPL', 'MSFT']
scalers = [MinMaxScaler() for _ in names]
for i, name in enumerate(names):
    df[name] = scalers[i].fit_transform(df[[name]])
k = int(len(df) * 0.9)
train, test = df[:k], df[k:]
"""
    )
    assert located(body) == [(9, 16, 11)]


def test_list_of_encoders_is_not_a_scaler() -> None:
    body = (
        FRAMES
        + """
df = pd.read_csv("stocks.csv")
names = ['sector', 'country']
encoders = [LabelEncoder() for _ in names]
for i, name in enumerate(names):
    df[name] = encoders[i].fit_transform(df[name])
k = int(len(df) * 0.9)
train, test = df[:k], df[k:]
"""
    )
    assert located(body) == []


def test_names_do_not_decide_what_is_whole_data() -> None:
    body = """
training_set = np.loadtxt("passengers.csv")
training_set = MinMaxScaler().fit_transform(training_set)
n = 100
train_part, test_part = training_set[:n], training_set[n:]
"""
    assert located(body) == [(2, 16, 4)]


def test_rows_from_zero_to_len_are_all_the_rows() -> None:
    body = """
data = np.loadtxt("passengers.csv")
rows = data[0:len(data)]
rows = MinMaxScaler().fit_transform(rows)
a, b = rows[:100], rows[100:]
"""
    assert located(body) == [(3, 8, 4)]


def test_a_block_of_rows_is_a_part_whatever_its_name() -> None:
    body = """
data = np.loadtxt("passengers.csv")
values = data[:120]
values = MinMaxScaler().fit_transform(values)
a, b = values[:100], values[100:]
"""
    assert located(body) == []


DATASET = """
class Prices(torch.utils.data.Dataset):
    def __init__(self, path):
        self.x = np.load(path)
        self.load()

    def load(self):
        lo, hi = self.x.min(0), self.x.max(0)
        self.x = (self.x - lo) / (hi - lo)

    def rescale(self):
        self.x = self.x / self.x.max()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]
"""


def test_data_set_normalising_its_data_while_built_then_random_split() -> None:
    body = (
        DATASET
        + """
dataset = Prices("prices.npy")
train_set, val_set = random_split(dataset, [80, 20])
"""
    )
    assert located(body) == [(7, 18, 20)]


def test_data_set_normalising_only_on_request_or_not_split_is_silent() -> None:
    body = (
        DATASET.replace("        self.load()\n", "")
        + """
dataset = Prices("prices.npy")
train_set, val_set = random_split(dataset, [80, 20])
whole = Prices("other.npy")
whole.load()
"""
    )
    assert located(body) == []


PROJECT_DATA = """import numpy as np
import torch
from sklearn.preprocessing import StandardScaler


class Prices(torch.utils.data.Dataset):
    def __init__(self, path):
        self.x = np.load(path)
        self.x = (self.x - self.x.mean(0)) / self.x.std(0)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]


def load(path):
    features = np.load(path)
    return StandardScaler().fit_transform(features), features
"""


def test_data_of_another_file_normalised_there_and_split_here(tmp_path: Path) -> None:
    (tmp_path / "data.py").write_text(PROJECT_DATA)
    (tmp_path / "train.py").write_text(
        "from torch.utils.data import random_split\n"
        "from sklearn.model_selection import train_test_split\n"
        "from data import Prices, load\n"
        "\n"
        "dataset = Prices('prices.npy')\n"
        "train_set, val_set = random_split(dataset, [80, 20])\n"
        "scaled, raw = load('prices.npy')\n"
        "parts = train_test_split(scaled)\n"
        "raw_parts = train_test_split(raw)\n"
    )
    findings = Linter(Config(select=["NN103"])).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.line, f.column, f.evidence["split_line"]) for f in findings] == [
        ("train.py", 5, 11, 6),
        ("train.py", 7, 15, 8),
    ]
    assert "Prices(...) normalises self.x with statistics of all its samples (data.py:9)" in findings[0].message
    assert "load() returns features normalised with statistics of all its samples (data.py:20)" in findings[1].message


def test_data_of_another_file_not_split_here_is_silent(tmp_path: Path) -> None:
    (tmp_path / "data.py").write_text(PROJECT_DATA)
    (tmp_path / "train.py").write_text(
        "from torch.utils.data import DataLoader\n"
        "from data import Prices, load\n"
        "\n"
        "loader = DataLoader(Prices('prices.npy'), batch_size=8, shuffle=True)\n"
        "scaled, raw = load('prices.npy')\n"
        "print(scaled[:10], raw[10:])\n"
    )
    assert Linter(Config(select=["NN103"])).lint_paths([str(tmp_path)]) == []


def test_statistics_of_one_element_at_a_time_are_silent() -> None:
    body = """
def standardise(img):
    return (img - img.mean()) / img.std()

raw = np.random.rand(100, 8, 8)
images = []
for img in raw:
    img = (img - img.mean()) / img.std()
    images.append(img)
images = np.array(images)
train, test = images[:80], images[80:]
normed = np.stack([standardise(x) for x in raw])
c, d = normed[:80], normed[80:]
windows = []
for i in range(90):
    w = raw[i:i + 10]
    w = (w - w.mean()) / w.std()
    windows.append(w)
windows = np.array(windows)
e, f = windows[:50], windows[50:]
"""
    assert located(body) == []


def test_each_series_scaled_whole_then_split_in_the_same_loop() -> None:
    body = """
series = [np.random.rand(200, 1) for _ in range(4)]
for s in series:
    scaled = MinMaxScaler().fit_transform(s)
    head, tail = scaled[:150], scaled[150:]
"""
    assert located(body) == [(3, 14, 4)]


def test_a_copied_block_of_rows_is_still_a_part() -> None:
    body = (
        FRAMES
        + """
df = pd.read_csv("prices.csv")
train = df.iloc[:800].copy()
train['Close'] = StandardScaler().fit_transform(train[['Close']])
fit_part, early_stop_part = train[:700], train[700:]
"""
    )
    assert located(body) == []


def test_a_scaler_object_built_from_the_whole_series_statistics_then_a_block_split() -> None:
    body = """
class Scaler:
    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def transform(self, data):
        return (data - self.mean) / self.std

    def inverse_transform(self, data):
        return data * self.std + self.mean

def load(series):
    mean = series.mean()
    scaler = Scaler(mean, series.std())
    series = scaler.transform(series)
    n = int(0.8 * len(series))
    return series[:n], series[n:]
"""
    assert located(body) == [(12, 12, 16)]
    train_only = body.replace("mean = series.mean()", "mean = series[:10].mean()").replace(
        "Scaler(mean, series.std())", "Scaler(mean, series[:10].std())"
    )
    assert located(train_only) == []
    inverse = body.replace("series = scaler.transform(series)", "series = scaler.inverse_transform(series)")
    assert located(inverse) == []
