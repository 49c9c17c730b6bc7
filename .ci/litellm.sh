# shellcheck shell=bash
# Sourced by .ci/run before the tests: installs a real LiteLLM proxy from PyPI into a venv of its
# own (it pins its own versions of httpx and friends, which must not leak into aicheck's) and
# exports LITELLM_BIN, so the gateway tests (tests/test_smoke_litellm*.py: retries on a 429 and
# `smoke --drill` through a three-model chain) run in CI. The install takes a few minutes; when it
# fails (offline, a broken release) it says so and those tests skip.
#
#   source .ci/litellm.sh            # LITELLM_VERSION=... to try another release
LITELLM_VERSION="${LITELLM_VERSION:-1.108.7}"
_aicheck_litellm_venv="$(mktemp -d)/litellm"
if "${PYTHON:-python3}" -m venv "$_aicheck_litellm_venv" \
    && timeout 900 "$_aicheck_litellm_venv/bin/python" -m pip install --quiet "litellm[proxy]==${LITELLM_VERSION}" >/dev/null 2>&1 \
    && [ -x "$_aicheck_litellm_venv/bin/litellm" ]; then
    export LITELLM_BIN="$_aicheck_litellm_venv/bin/litellm"
    echo "ci: litellm ${LITELLM_VERSION} installed for the gateway tests"
else
    echo "ci: could not install litellm[proxy]==${LITELLM_VERSION}; the LiteLLM gateway tests will skip" >&2
fi
unset _aicheck_litellm_venv
