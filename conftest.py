# The docs harness lives in tests/docs_harness.py; loading it from the root conftest
# makes it apply however pytest is started (`pytest docs/index.md` included).
pytest_plugins = ["tests.docs_harness"]
