"""Check that every notebook is valid nbformat 4.5 and is committed without outputs.

Usage: python scripts/check_notebooks.py [NOTEBOOK ...]   (default: notebooks/**/*.ipynb)
Exits with status 1 and lists the problems when a check fails.
"""

import sys
import warnings
from pathlib import Path

import nbformat

REQUIRED_MINOR = 5


def problems_in(path: Path) -> list[str]:
    """Every problem found in the notebook at ``path``; empty when it is fine."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
            nbformat.validate(notebook)
        except (nbformat.ValidationError, ValueError, OSError) as exc:
            return [f"invalid notebook: {exc}"]
    found = [f"warning: {warning.message}" for warning in caught]
    if (notebook.nbformat, notebook.nbformat_minor) < (4, REQUIRED_MINOR):
        found.append(f"nbformat {notebook.nbformat}.{notebook.nbformat_minor} is older than 4.5")
    if "kernelspec" not in notebook.metadata:
        found.append("metadata lacks kernelspec")
    for index, cell in enumerate(notebook.cells):
        if cell.get("outputs"):
            found.append(f"cell {index} has outputs; clear them before committing")
        if cell.get("execution_count") is not None:
            found.append(f"cell {index} has an execution count; clear outputs before committing")
    return found


def main(argv: list[str]) -> int:
    """Check the notebooks named in ``argv``, or all of them; return the exit status."""
    paths = [Path(arg) for arg in argv] or sorted(Path("notebooks").glob("**/*.ipynb"))
    failed = False
    for path in paths:
        if ".ipynb_checkpoints" in path.parts:
            continue
        for problem in problems_in(path):
            failed = True
            print(f"{path}: {problem}", file=sys.stderr)
    print(f"{len(paths)} notebook(s) checked", file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
