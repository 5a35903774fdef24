"""Entry point of the child process, run by path with the user's interpreter.

It must not import the ``nnlint`` package (its dependencies need not exist in the user's environment), so it
mounts this folder as a private package and hands over to ``harness.main``.
"""

import importlib
import os
import sys
import types

_HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    del sys.path[0]  # the user's script must not import our modules by accident
_package = types.ModuleType("_nnlint_child")
_package.__path__ = [_HERE]
sys.modules["_nnlint_child"] = _package

if __name__ == "__main__":
    _code = importlib.import_module("_nnlint_child.harness").main(sys.argv[1:])
    for _stream in filter(None, (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)):
        try:
            _stream.flush()
        except Exception:
            pass
    os._exit(_code)  # no waiting on the script's threads, atexit handlers or worker processes
