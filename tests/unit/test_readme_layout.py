"""The README's layout section draws every module of the package, one line each."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _drawn_tree() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Layout"):]
    return section.split("```")[1].strip("\n").splitlines()


def _modules() -> set[str]:
    package = ROOT / "eda_lab"
    return {str(p.relative_to(package)) for p in package.rglob("*.py")
            if "__pycache__" not in p.parts}


def test_every_module_has_its_line_and_no_line_names_a_gone_module():
    drawn, path = set(), []
    for line in _drawn_tree()[1:]:
        depth = (len(line) - len(line.lstrip())) // 2 - 1
        name = line.split()[0]
        path = path[:depth]
        if name.endswith("/"):
            path.append(name.rstrip("/"))
            drawn.add("/".join([*path, "__init__.py"]))
        else:
            drawn.add("/".join([*path, name]))
    assert drawn == _modules()
