import numpy as np
import pytest

from tests.helpers import need


@pytest.fixture
def rendered(tmp_path, monkeypatch):
    """``rendered(fig_fn, name)`` calls ``fig_fn(path)`` and checks the PNG: written, a real size, not blank."""
    need("matplotlib")
    from matplotlib.image import imread
    monkeypatch.setattr("neuronet.viz._figure.DPI", 50)      # smaller files, faster tests; the same drawing

    def check(draw, name, min_side=80):
        path = tmp_path / f"{name}.png"
        fig = draw(str(path))
        assert fig is not None and hasattr(fig, "savefig"), "plot functions return the Figure"
        assert path.exists() and path.stat().st_size > 2000, f"{name}: PNG missing or tiny"
        img = imread(str(path))[..., :3]
        assert min(img.shape[:2]) >= min_side, f"{name}: image {img.shape} too small"
        ink = (np.abs(img - 1.0).sum(-1) > 0.1).mean()          # share of pixels that are not white
        assert 0.02 < ink < 0.995, f"{name}: {ink:.3f} of the pixels are drawn (blank or solid image)"
        assert len(np.unique(img.reshape(-1, 3).round(2), axis=0)) > 8, f"{name}: too few colours"
        return img
    return check
