#!/usr/bin/env bash
# The project's test command (README; `.ci/run` runs exactly this): the Rust workspace tests,
# against SQLite and a throwaway PostgreSQL, then the browser end-to-end tests.
#
# It installs what the tests need on a fresh Debian 12 machine (as root), and is quick when
# everything is already there. Environment:
#   CI=true               nothing may be skipped: a missing PostgreSQL or browser is an error
#   WUYU_TEST_PG_URL      use this PostgreSQL instead of starting a throwaway cluster
#   WUYU_SKIP_E2E=1       skip the browser tests (ignored when CI=true)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD

section() { printf '\n==== %s ====\n' "$*"; }
is_ci() { [[ ${CI:-} == true || ${CI:-} == 1 ]]; }

run_e2e=true
if [[ ${WUYU_SKIP_E2E:-} == 1 ]]; then
    if is_ci; then
        echo "WUYU_SKIP_E2E=1 is ignored because CI=true"
    else
        run_e2e=false
    fi
fi

# ---------------------------------------------------------------------------------------------
section "System packages"
# Only what this run needs: the PostgreSQL server (unless one is given), a CJK font and
# poppler-utils for the PDFs, and Debian's chromium for the browser tests (Playwright's own
# browser downloads are never used).
missing=()
if [[ -z ${WUYU_TEST_PG_URL:-} ]] && ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
    missing+=(postgresql)
fi
if $run_e2e; then
    command -v chromium >/dev/null || missing+=(chromium)
fi
# The CJK font lays out the PDFs (and renders the browser pages); pdftotext reads the PDFs back.
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed' ||
    missing+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if ((${#missing[@]} == 0)); then
    echo "all present"
elif [[ $(id -u) == 0 ]]; then
    echo "installing: ${missing[*]}"
    # Refresh the package lists first: an image's stale lists may offer an older chromium than
    # the one Playwright is paired with (bookworm-security carries the current one).
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "missing packages: ${missing[*]}"
    echo "install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
    if is_ci; then exit 1; fi
fi

# ---------------------------------------------------------------------------------------------
section "PostgreSQL"
if [[ -n ${WUYU_TEST_PG_URL:-} ]]; then
    echo "using the given WUYU_TEST_PG_URL"
else
    # shellcheck source=scripts/pg-throwaway.sh
    source scripts/pg-throwaway.sh
    # Exports WUYU_TEST_PG_URL and removes the cluster when this script exits, however it exits.
    if ! pg_throwaway_start; then
        if is_ci; then
            echo "ERROR: could not start PostgreSQL; under CI the PostgreSQL tests may not be skipped" >&2
            exit 1
        fi
        echo "WARNING: no PostgreSQL: the PostgreSQL backend tests will be skipped" >&2
    fi
fi

# ---------------------------------------------------------------------------------------------
section "Rust tests (cargo test --workspace --locked)"
cargo test --workspace --locked

# The browser tests do not use PostgreSQL; free its memory before building the binary.
if declare -F pg_throwaway_stop >/dev/null; then pg_throwaway_stop; fi

# ---------------------------------------------------------------------------------------------
if ! $run_e2e; then
    section "Browser tests skipped (WUYU_SKIP_E2E=1)"
    exit 0
fi

section "Browser tests: build the binary"
# The debug build reuses everything `cargo test` just compiled (dependencies are optimised in
# the dev profile), which saves a full release build on the 2-core CI machine.
cargo build --bin wuyu --locked
export WUYU_BIN="$root/target/debug/wuyu"

section "Browser tests: npm ci"
cd "$root/e2e"
# Playwright must use Debian's chromium, never download its own browsers (no Internet in CI).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund

# Playwright 1.x speaks to one Chromium major; warn early when Debian's differs (see
# e2e/playwright.config.ts for how to bump).
want=$(node -p "require('./node_modules/playwright-core/browsers.json').browsers
    .find(b => b.name === 'chromium').browserVersion.split('.')[0]")
have=$(chromium --version 2>/dev/null | grep -oE '[0-9]+\.[0-9.]+' | head -n 1 | cut -d. -f1)
echo "chromium ${have:-?} installed, Playwright expects ${want}"
if [[ $have != "$want" ]]; then
    echo "WARNING: chromium major ${have:-?} differs from Playwright's ${want}; tests may misbehave" >&2
fi

section "Browser tests: playwright test"
npx --no-install playwright test

section "All tests passed"
