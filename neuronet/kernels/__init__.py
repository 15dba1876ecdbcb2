"""Optional compiled CPU kernels and the BLAS/thread plumbing the functional ops share.

``compiled.py`` is the one module that knows numba is optional: the switch
(:func:`~neuronet.kernels.compiled.numba_kernels_enabled`, ``NEURONET_NUMBA=0``) and the house
way to compile a kernel.  The kernel modules (``activation``, ``adam``, ``conv``,
``normalization``, ``recurrent``, ``numba_sgemm``) import numba at their top, so they are
imported only inside the function that calls them, after the switch said yes — never by
``import neuronet``.  Each kernel's reference is the NumPy code it replaces in ``functional/``
(or ``optim/``).  ``parallel.py`` and ``cblas.py`` need no numba: chunked work over the cores
BLAS may use, and NumPy's own ``cblas_sgemm`` found with ctypes; ``transposed_product.py`` (no
numba either) runs a dense layer's x Wᵀ as (W xᵀ)ᵀ where OpenBLAS is faster that way.
"""
