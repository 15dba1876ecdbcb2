"""Check what `python -m build` made: one wheel holding every module and data file of the package
and nothing else, and one sdist holding those plus the tests, examples and benchmarks.

    python .ci/check_dist.py dist        (run from the repository root; exit 1 on any problem)
"""
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = ("neuronet/data/files/iris.csv", "neuronet/data/files/digits.csv.gz",
                "neuronet/data/files/LICENSE-scikit-learn.txt")
NEVER = ("__pycache__", ".pyc", ".nbi", ".nbc", ".venv", ".safetensors", ".npz")


def package_files() -> set:
    """Every file of the package in the source tree: its modules and its data."""
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / "neuronet").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".nbi", ".nbc", ".pyc")}


def source_release_files() -> set:
    """What the sdist must hold besides the package: the project files and every tracked file of
    the tests, examples and benchmarks (MANIFEST.in grafts them)."""
    tracked = subprocess.run(["git", "ls-files", "tests", "examples", "benchmarks"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    return {"pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", *tracked}


def check(names: set, where: str, expected: set) -> list:
    problems = [f"{where}: missing {name}" for name in sorted(expected - names)]
    problems += [f"{where}: should not contain {name}" for name in sorted(names)
                 if any(bad in name for bad in NEVER)]
    return problems


def main(dist: str) -> int:
    dist = Path(dist)
    wheels, sdists = sorted(dist.glob("neuronet-*.whl")), sorted(dist.glob("neuronet-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"expected one wheel and one sdist in {dist}, found {[p.name for p in dist.iterdir()]}")
        return 1
    expected = package_files()
    assert set(PACKAGE_DATA) <= expected, "the source tree lost its package data"
    with zipfile.ZipFile(wheels[0]) as z:
        in_wheel = set(z.namelist())
        entry_points = next((z.read(n).decode() for n in in_wheel if n.endswith("entry_points.txt")), "")
    problems = check({n for n in in_wheel if ".dist-info/" not in n}, wheels[0].name, expected)
    problems += [f"{wheels[0].name}: {n} is outside the package" for n in sorted(in_wheel)
                 if not n.startswith("neuronet/") and ".dist-info/" not in n]
    if "neuronet = neuronet.cli:main" not in entry_points:
        problems.append(f"{wheels[0].name}: no `neuronet` console script")
    with tarfile.open(sdists[0]) as t:
        top = sdists[0].name[:-len(".tar.gz")]
        in_sdist = {m.name.split("/", 1)[1] for m in t.getmembers() if m.isfile() and "/" in m.name}
        if not all(m.name.startswith(top) for m in t.getmembers()):
            problems.append(f"{sdists[0].name}: members outside {top}/")
    problems += check(in_sdist, sdists[0].name, expected | source_release_files())
    for line in problems:
        print(line)
    print(f"{wheels[0].name}: {len(in_wheel)} files; {sdists[0].name}: {len(in_sdist)} files; "
          f"{len(expected)} package files expected in each: " + ("PROBLEMS" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dist"))
