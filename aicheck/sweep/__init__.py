"""``aicheck sweep``: many repositories' histories scanned on Dask distributed.

- ``sources``: what to sweep (a list file, a folder of repositories, a GitHub/GitLab organisation);
- ``mirror``: a bare, blob-filtered clone or fetch per repository in a cache folder;
- ``tasks``: the work one Dask worker does (sync a mirror and plan commit ranges; scan a range);
- ``store``: progress and results in the state database, so a sweep resumes and the next is
  incremental;
- ``engine``: the client side: submit, collect, retry, record;
- ``merge`` and ``render``: one result for every repository, and its JSON, SARIF, html and text.

Dask is an optional extra: only ``engine`` and ``tasks`` import it, and ``require_dask`` says
how to get it.
"""

from __future__ import annotations

from aicheck.errors import AicheckError

INSTALL_HINT = "pip install 'aicheck[sweep]'"


def require_dask() -> None:
    """Fail with the install command when Dask distributed is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise AicheckError(f"aicheck sweep runs on Dask distributed, which is not installed: {INSTALL_HINT}") from None
