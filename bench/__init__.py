"""The benchmark: the synthetic data it loads (``synthetic.py``) and the runs that measure (``run.py``, ``loadtest.py``)."""
