import os
from pathlib import Path

# The docs harness lives in tests/docs_harness.py; loading it from the root conftest
# makes it apply however pytest is started (`pytest docs/index.md` included).
pytest_plugins = ["tests.docs_harness"]

# Training runs are kept in .cache/runs between the site build and the tests, as `make`
# sets it (see embeddings_explained.training.RUN_CACHE_ENV); set it empty to keep none.
os.environ.setdefault(
    "EMBEDDINGS_EXPLAINED_RUN_CACHE", str(Path(__file__).parent / ".cache" / "runs")
)
