"""--fix and --diff on notebooks: byte-identical round trips except the fixed lines, outputs and metadata kept,
a valid notebook or none at all."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from nnlint.finding import Edit
from nnlint.notebooks import NotebookProgram
from tests.notebooks.helpers import IMPORTS, SOFTMAX_MODEL, SOFTMAX_NOTEBOOK, TRAIN_LOOP, notebook_text, write_notebook

nbformat = pytest.importorskip("nbformat")
REPO = Path(__file__).resolve().parents[2]


def run(args: List[str], cwd: Path, stdin: str = "") -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-m", "nnlint", "--no-cache", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def changed_lines(before: str, after: str) -> List[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def assert_valid(path: Path) -> None:
    nbformat.validate(nbformat.read(str(path), as_version=nbformat.NO_CONVERT))


def test_fix_rewrites_only_the_fixed_line_and_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "train.ipynb"
    shutil.copyfile(REPO / "corpus" / "nn201_notebook_softmax_bad1.ipynb", path)
    before = path.read_text(encoding="utf-8")
    result = run(["--fix", "train.ipynb"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fixed 1 finding(s) in 1 file(s)" in result.stderr
    after = path.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        '-     "        return F.softmax(self.out(x), dim=1)\\n",',
        '+     "        return self.out(x)\\n",',
    ]
    assert_valid(path)
    old, new = json.loads(before), json.loads(after)
    assert [c.get("outputs") for c in old["cells"]] == [c.get("outputs") for c in new["cells"]]
    assert [c["id"] for c in old["cells"]] == [c["id"] for c in new["cells"]] and old["metadata"] == new["metadata"]
    again = run(["--fix", "train.ipynb"], tmp_path)
    assert again.returncode == 0 and path.read_text(encoding="utf-8") == after


def test_diff_shows_cells_and_changes_nothing(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "train.ipynb", SOFTMAX_NOTEBOOK)
    before = path.read_bytes()
    result = run(["--diff", "train.ipynb"], tmp_path)
    assert result.returncode == 1 and path.read_bytes() == before
    assert result.stdout.splitlines() == [
        "--- a/train.ipynb:cell 3",
        "+++ b/train.ipynb:cell 3",
        "@@ -1,4 +1,4 @@",
        "-model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))",
        "+model = nn.Sequential(nn.Linear(20, 10))",
        " criterion = nn.CrossEntropyLoss()",
        " optimizer = torch.optim.SGD(model.parameters(), lr=0.1)",
        " loader = [(torch.randn(4, 20), torch.randint(0, 10, (4,)))]",
        "\\ No newline at end of file",
    ]


def test_a_fix_that_removes_a_line_lays_out_that_source_again(tmp_path: Path) -> None:
    model = (
        "model = nn.Sequential(\n    nn.Linear(20, 10),\n    nn.Softmax(dim=1),\n)\n"
        "criterion = nn.CrossEntropyLoss()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)"
    )
    path = write_notebook(tmp_path / "train.ipynb", [IMPORTS, model, TRAIN_LOOP])
    before = path.read_text(encoding="utf-8")
    assert run(["--fix", "train.ipynb"], tmp_path).returncode == 0
    after = path.read_text(encoding="utf-8")
    assert changed_lines(before, after) == ['-     "    nn.Softmax(dim=1),\\n",']
    assert_valid(path)


def test_the_file_escaping_style_line_endings_and_bom_are_kept(tmp_path: Path) -> None:
    cells = [IMPORTS, SOFTMAX_MODEL.replace("nn.Softmax(dim=1))\n", "nn.Softmax(dim=1))  # é\n"), TRAIN_LOOP]
    text = notebook_text(cells, ensure_ascii=True).replace("\n", "\r\n")
    path = tmp_path / "train.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert run(["--fix", "train.ipynb"], tmp_path).returncode == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == text.count("\r\n")
    after = data[3:].decode("utf-8")
    assert changed_lines(text, after) == [
        '-     "model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))  # \\u00e9\\n",',
        '+     "model = nn.Sequential(nn.Linear(20, 10))  # \\u00e9\\n",',
    ]  # the new string escaped as the file's others are


def test_a_notebook_nbformat_rejects_is_left_untouched_and_reported(tmp_path: Path) -> None:
    data = json.loads(notebook_text(SOFTMAX_NOTEBOOK))
    del data["cells"][2]["outputs"]  # a code cell must have outputs
    path = tmp_path / "train.ipynb"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    before = path.read_bytes()
    result = run(["--fix", "train.ipynb"], tmp_path)
    assert path.read_bytes() == before
    assert result.returncode == 1 and "train.ipynb:cell 5:3:12: NN201" in result.stdout
    assert "train.ipynb: left unchanged: nbformat does not accept it" in result.stderr


def test_stdin_notebook_fix_writes_the_fixed_notebook(tmp_path: Path) -> None:
    text = notebook_text(SOFTMAX_NOTEBOOK)
    result = run(["--fix", "-", "--stdin-filename", "train.ipynb"], tmp_path, stdin=text)
    assert result.returncode == 0, result.stderr
    assert changed_lines(text, result.stdout) == [
        '-     "model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))\\n",',
        '+     "model = nn.Sequential(nn.Linear(20, 10))\\n",',
    ]


def test_edits_on_a_magic_line_or_across_cells_are_not_mapped() -> None:
    program = NotebookProgram.from_cells([(1, "%matplotlib inline\nimport torch"), (3, "x = torch.ones(2)\ny = x")])
    assert program.cell_edits([Edit(3, 4, 3, 8, "zeros", None)]) == [Edit(1, 4, 1, 8, "zeros", cell=3)]
    assert program.cell_edits([Edit(1, 0, 1, 4, "x")]) is None  # the masked magic
    assert program.cell_edits([Edit(2, 0, 3, 1, "")]) is None  # from cell 1 into cell 3


def test_without_nbformat_the_fix_is_still_checked_structurally(tmp_path: Path, monkeypatch) -> None:
    from nnlint.autofix import fix_paths
    from nnlint.config import Config
    from nnlint.engine import Linter

    monkeypatch.setitem(sys.modules, "nbformat", None)  # `import nbformat` now raises ImportError
    path = write_notebook(tmp_path / "train.ipynb", SOFTMAX_NOTEBOOK)
    before = path.read_text(encoding="utf-8")
    run_ = fix_paths(Linter(Config()), [str(path)], write=True)
    assert run_.fixed == 1 and run_.problems == []
    assert len(changed_lines(before, path.read_text(encoding="utf-8"))) == 2


def test_reading_and_linting_never_import_nbformat() -> None:
    probe = (
        "import sys\nfrom nnlint.cli import main\n"
        "try:\n    main(['--no-cache', '--jobs', '1', '--exit-zero', 'corpus'], standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "print('nbformat' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_the_rewrite_is_checked_against_the_original() -> None:
    from nnlint.notebooks import parse_notebook
    from nnlint.notebooks.writer import check_rewritten, rewrite_sources

    notebook = parse_notebook(notebook_text(SOFTMAX_NOTEBOOK))
    sources = {2: notebook.cells[2].source.replace("nn.Softmax(dim=1)", "nn.Identity()")}
    text = rewrite_sources(notebook, sources)
    assert check_rewritten(notebook, text, sources) is None
    assert "more than the fixed sources" in check_rewritten(
        notebook, text.replace("output of cell 5", "tampered"), sources
    )
    assert "more than the fixed sources" in check_rewritten(notebook, text, {})
    assert "not valid JSON" in check_rewritten(notebook, text[:-5], sources)
