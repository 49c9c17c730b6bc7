# shellcheck shell=bash
# Sourced by .ci/run before the tests: installs the real dotenvx CLI from npm into a temporary
# folder and exports AICHECK_DOTENVX, so tests/test_env_dotenvx.py can check that files the
# actual tool encrypts are decrypted correctly. Without node and npm (or offline) it says so and
# that one test skips; the vectors committed in tests/fixtures/dotenvx are checked either way.
#
#   source .ci/dotenvx.sh            # DOTENVX_VERSION=... to try another release
DOTENVX_VERSION="${DOTENVX_VERSION:-2.38.2}"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    _aicheck_dotenvx_dir="$(mktemp -d)"
    if npm install --silent --no-audit --no-fund --prefix "$_aicheck_dotenvx_dir" "@dotenvx/dotenvx@${DOTENVX_VERSION}" >/dev/null 2>&1 \
        && [ -x "$_aicheck_dotenvx_dir/node_modules/.bin/dotenvx" ]; then
        export AICHECK_DOTENVX="$_aicheck_dotenvx_dir/node_modules/.bin/dotenvx"
        echo "ci: dotenvx $("$AICHECK_DOTENVX" --version 2>/dev/null || echo "$DOTENVX_VERSION") installed for the interoperability test"
    else
        echo "ci: could not install @dotenvx/dotenvx@${DOTENVX_VERSION}; the dotenvx interoperability test will skip" >&2
    fi
    unset _aicheck_dotenvx_dir
else
    echo "ci: node or npm not found; the dotenvx interoperability test will skip" >&2
fi
