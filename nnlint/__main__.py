"""``python -m nnlint``: the command line, without the current folder on the import path.

``-m`` puts the current folder first on ``sys.path``; in a cloned repository that would let its files
shadow the modules nnlint and its plugins import, and its ``*.dist-info`` folders declare plugins.
nnlint itself is already imported (from wherever it is installed) when this runs, so it is dropped.
"""

import sys

from nnlint.import_path import installed_path

sys.path[:] = installed_path()

from nnlint.start import main  # noqa: E402  (after the path is settled)

if __name__ == "__main__":
    main()
