"""The site's build steps, as plain functions that need no site builder.

- ``prebuild``: what the pages need beyond docs/, computed from the package: the figures,
  the explorer's data, every page's notebook and the package's wheel; and the check of
  ``SITE_URL``. ``python -m tools.prebuild`` also prepares the Zensical build.
- ``postbuild``: the fixes of the built HTML (``page_html``), on one page or a whole site.
- ``page_notebook``: a Markdown page as a Jupyter notebook.

MkDocs runs them through thin hooks (``overrides/hooks/``); ``make build-zensical`` runs
them before and after Zensical, which runs no hooks. A failure is a ``ValueError`` whose
message starts with what it comes from: the page and line (``docs/forward-pass.md:8: ...``),
or ``SITE_URL``.
"""
