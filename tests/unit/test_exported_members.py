"""Keep every public surface honest: each package's ``__all__`` is sorted, complete and importable."""

import importlib
import inspect
import pkgutil

import pytest

import eda_lab

# Every package at any depth (eda_lab.patterns.eventsourcing too), found without importing
# modules that are not packages.
PACKAGES = ["eda_lab"] + sorted(
    m.name for m in pkgutil.walk_packages(eda_lab.__path__, "eda_lab.") if m.ispkg
)


@pytest.fixture(params=PACKAGES)
def package(request):
    return importlib.import_module(request.param)


def test_there_are_sub_packages():
    assert {"eda_lab.messages", "eda_lab.clients", "eda_lab.local_kafka", "eda_lab.patterns",
            "eda_lab.analysis", "eda_lab.viz", "eda_lab.widgets", "eda_lab.cli"} <= set(PACKAGES)


def test_all_is_sorted_and_unique(package):
    assert package.__all__ == sorted(set(package.__all__))


def test_package_has_a_one_line_docstring(package):
    assert package.__doc__ and package.__doc__.strip().splitlines()[0].endswith(".")


def test_everything_in_all_exists_and_comes_from_eda_lab(package):
    for name in package.__all__:
        member = getattr(package, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            assert member.__module__.startswith("eda_lab."), name


def test_every_public_name_of_the_package_is_in_all(package):
    lazy = set(getattr(package, "_LAZY", {}))
    public = {n for n in vars(package) if not n.startswith("_") and n not in ("annotations", "TYPE_CHECKING", "Any")
              and not inspect.ismodule(getattr(package, n))} | lazy
    assert public == set(package.__all__)


def test_public_callables_have_a_docstring(package):
    missing = [n for n in package.__all__ if (inspect.isclass(getattr(package, n))
               or inspect.isfunction(getattr(package, n))) and not inspect.getdoc(getattr(package, n))]
    assert missing == []


def test_top_level_is_the_lessons_vocabulary_not_every_helper():
    assert 30 <= len(eda_lab.__all__) <= 50, len(eda_lab.__all__)

