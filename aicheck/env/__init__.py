"""``aicheck env check``: lint and audit .env files and client-exposed configuration.

One module per concern: ``files`` (which files, read safely), ``parse`` (python-dotenv's reading
with line numbers), ``dotenvx`` (encrypted values), ``classify`` (secret, format, placeholder),
then the checks: ``syntax``, ``checks`` (values), ``drift``, ``production``, ``tracking`` (git),
``frameworks`` (client source code); ``run`` ties them together.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def load_values(path: Path, environ: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The variables of one .env file as the app would get them: dotenvx values decrypted when
    a DOTENV_PRIVATE_KEY (environment or .env.keys beside the file) fits, ``${VAR}`` expanded.

    For ``keys validate --env-file``: values that stay encrypted are left out. Raises
    ``AicheckError`` for a file that cannot be read as a .env file.
    """
    from aicheck.env import dotenvx, files
    from aicheck.env.parse import expand, parse
    from aicheck.errors import AicheckError

    environ = os.environ if environ is None else environ
    source = files.read(path, path.parent, files.DEFAULT_MAX_SIZE * 10)
    if source.text is None:
        raise AicheckError(f"{path}: {source.problem}")
    env = parse(source)
    keys = [parse(k) for p in dotenvx.keys_files(path.parent, [env]) if (k := files.read(p, path.parent, files.DEFAULT_MAX_SIZE)).text is not None]
    dotenvx.decrypt_file(env, dotenvx.keyring(environ, keys))
    expand(env.entries, environ)
    return {e.key: e.value for e in env.entries if not (e.encrypted and e.cleartext is None) and not e.key.startswith("DOTENV_PUBLIC_KEY")}
