"""``python -m neuronet.data.datasets [NAME ...]``: fetch the named datasets, or list them all."""
import sys

from .fetch import fetch, list_datasets


def main(argv=None) -> int:
    names = sys.argv[1:] if argv is None else argv
    if not names:
        for info in list_datasets():
            state = "cached" if info.cached else "-"
            print(f"{info.name:14} {state:7} {info.size:6} {info.description}  [{info.source}]")
        return 0
    for name in names:
        print(f"{name}: ready at {fetch(name)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
