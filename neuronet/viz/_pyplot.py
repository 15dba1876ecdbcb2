"""matplotlib's pyplot with the Agg backend, or an ImportError that names the plot and the extra."""
from __future__ import annotations


def pyplot(owner: str):
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(f"{owner} needs matplotlib: pip install 'neuronet[plots]'") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt
