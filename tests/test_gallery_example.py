"""examples/gallery.py renders every picture (slow: it trains four small models)."""
import pytest

from tests.helpers import need
from tests.test_examples import load


@pytest.mark.slow
def test_the_gallery_renders_every_picture(tmp_path):
    need("matplotlib")
    names = load("gallery").main(str(tmp_path))
    assert len(names) >= 25 and "boundary_frames.png" in names and "attributions.png" in names
