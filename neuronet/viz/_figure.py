"""matplotlib's pyplot on the Agg backend, imported on first use, with the install hint when it is missing."""
from __future__ import annotations


def pyplot(owner: str):
    """``matplotlib.pyplot`` with the Agg backend, or an ImportError naming ``owner`` and the install command."""
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(f"{owner} needs matplotlib: pip install 'neuronet[plots]'") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt
