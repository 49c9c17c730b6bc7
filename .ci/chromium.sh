# shellcheck shell=bash
# Sourced by .ci/run before the tests: installs Debian's chromium when it is missing, for the
# headless-browser test of the html report (tests/test_report_browser.py). Quiet; a failed install
# (no apt-get, not root, no network) is said once and that one test skips.
#
#   source .ci/chromium.sh
if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then
    echo "ci: $(chromium --version 2>/dev/null || echo chromium) found for the html report test"
elif command -v apt-get >/dev/null 2>&1; then
    _aicheck_sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
        _aicheck_sudo="sudo -n"
    fi
    if { $_aicheck_sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $_aicheck_sudo apt-get install -y -qq --no-install-recommends chromium; } >/dev/null 2>&1 \
        && [ -x /usr/bin/chromium ]; then
        echo "ci: chromium installed for the html report test"
    else
        echo "ci: could not install chromium; the html report browser test will skip" >&2
    fi
    unset _aicheck_sudo
else
    echo "ci: no apt-get: chromium not installed; the html report browser test will skip" >&2
fi
