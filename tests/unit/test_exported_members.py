"""Keep the public surface honest: ``__all__`` is sorted, complete and importable."""

import inspect
import pkgutil
import subprocess
import sys

import eda_lab


def test_all_is_sorted_and_unique():
    assert eda_lab.__all__ == sorted(set(eda_lab.__all__))


def test_everything_in_all_exists_and_comes_from_eda_lab():
    for name in eda_lab.__all__:
        member = getattr(eda_lab, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            assert member.__module__.startswith("eda_lab."), name


def test_every_public_name_of_the_package_is_in_all():
    public = {n for n in vars(eda_lab) if not n.startswith("_")
              and not inspect.ismodule(getattr(eda_lab, n)) and n != "annotations"}
    assert public == set(eda_lab.__all__)


def test_public_callables_have_a_docstring():
    missing = [n for n in eda_lab.__all__ if (inspect.isclass(getattr(eda_lab, n))
               or inspect.isfunction(getattr(eda_lab, n))) and not inspect.getdoc(getattr(eda_lab, n))]
    assert missing == []


def test_importing_connects_to_nothing():
    # In a fresh interpreter where any socket connection fails loudly, import every module.
    modules = [f"eda_lab.{m.name}" for m in pkgutil.iter_modules(eda_lab.__path__)
               if m.name != "__main__"]
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise AssertionError('connected at import')\n"
        "socket.socket.connect = socket.socket.connect_ex = refuse\n"
        "socket.create_connection = refuse\n"
        f"import importlib; [importlib.import_module(m) for m in {modules!r}]\n"
        "print('imported', len(" + repr(modules) + "))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"imported {len(modules)}"
