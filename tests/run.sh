#!/usr/bin/env bash
# Every test, from a clean clone: installs the independent engines from npm (Azurite, and DuckDB for the benchmark; pinned in
# tests/node/package-lock.json), builds the solution and runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

# `npm install`, not `npm ci`: the registry here omits DuckDB's other-platform optional bindings, which leaves
# them versionless in the lock and makes `npm ci` refuse it; install honours the lock and the exact pins.
npm install --prefix tests/node --no-audit --no-fund --loglevel=error

# Installs Debian packages with apt-get (as root, or through sudo); $1 says which test fails without them. A failed install
# is said and never ends the script (set -e): the tests that need the package fail, named in the summary, and the rest run.
install_packages() {
  local needed_by=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } \
      || echo "$* could not be installed (apt-get failed); ${needed_by} will fail." >&2
  elif command -v sudo >/dev/null 2>&1; then
    { sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } \
      || echo "$* could not be installed (apt-get failed); ${needed_by} will fail." >&2
  else
    echo "$* missing and cannot be installed here (no root, no sudo); ${needed_by} will fail." >&2
  fi
}

# The board report's render test drives a headless browser: Debian's chromium package, installed here when missing.
if ! command -v chromium >/dev/null 2>&1; then
  install_packages "the board report render test" chromium
fi

# The native CLI test publishes `datahub` with Native AOT, which links with the platform's C toolchain (clang, or gcc if
# there is no clang; zlib comes with the .NET runtime pack).
if ! command -v clang >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
  install_packages "the native CLI test (NativeCliTests)" clang
fi
dotnet build DataHub.sln -c Release -nologo -clp:ErrorsOnly

log=$(mktemp)
denied_log=$(mktemp)
status=0
# The test projects start side by side on two cores; a test host that takes more than vstest's default 90 s to answer
# (seen once on a busy machine) aborts its whole project, so give it longer.
export VSTEST_CONNECTION_TIMEOUT="${VSTEST_CONNECTION_TIMEOUT:-600}"

# The caller's arguments go along to both runs below; a filter of theirs is kept apart, to be narrowed rather than replaced.
user_filter=''
rest=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --filter) user_filter="$2"; shift 2 ;;
    --filter=*) user_filter="${1#--filter=}"; shift ;;
    *) rest+=("$1"); shift ;;
  esac
done
# narrowed FILTER: the caller's filter, if any, and FILTER.
narrowed() {
  if [ -n "$user_filter" ]; then echo "(${user_filter})&$1"; else echo "$1"; fi
}

# As root the access-denied tests would only skip here (root is denied nothing); they run in the second run below, so
# they are left out of this one: counted once, and not run twice.
first=()
if [ "$(id -u)" -eq 0 ]; then
  first=(--filter "$(narrowed 'Category!=AccessDenied')")
elif [ -n "$user_filter" ]; then
  first=(--filter "$user_filter")
fi
dotnet test DataHub.sln -c Release --no-build -nologo "${first[@]}" "${rest[@]}" 2>&1 | tee "$log" || status=$?

# The tests of a folder or file the hub's user may not open ([AccessDeniedFact], trait Category=AccessDenied) need
# permission bits to deny the test process; root (with CAP_DAC_OVERRIDE) is denied nothing, so they skip above, saying so.
# As root they run again here with that capability dropped from the bounding set (setpriv, util-linux: on exec, root's
# capabilities are cut to it), and required to take effect: one that is denied nothing then fails, never skips.
if [ "$(id -u)" -eq 0 ]; then
  if ! command -v setpriv >/dev/null 2>&1; then
    install_packages "the tests of folders and files the hub cannot open (Category=AccessDenied)" util-linux
  fi
  if ! command -v setpriv >/dev/null 2>&1; then
    echo "setpriv missing: the tests of folders and files the hub cannot open (Category=AccessDenied) cannot run as root." >&2
    status=1
  else
    DATAHUB_ACCESS_DENIAL_REQUIRED=1 setpriv --bounding-set -dac_override,-dac_read_search \
      dotnet test DataHub.sln -c Release --no-build -nologo --filter "$(narrowed 'Category=AccessDenied')" "${rest[@]}" 2>&1 | tee "$denied_log" || status=$?
    cat "$denied_log" >> "$log"
    # With no filter of the caller's, these tests must have run: none passing or failing means the run did not reach them.
    denied_total=$(grep -Eo '(Passed|Failed): +[0-9]+' "$denied_log" | awk '{s+=$2} END {print s+0}')
    if [ -z "$user_filter" ] && [ "$denied_total" -eq 0 ]; then
      echo "no test of folders and files the hub cannot open (Category=AccessDenied) ran as root with access denial." >&2
      status=1
    fi
  fi
fi

# One closing line over all test projects, e.g. "tests: 412 passed, 0 failed".
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
# Name every failed test on the closing lines, so a CI log cut to its tail still says what failed.
grep -E '^\s*Failed [A-Za-z_]' "$log" | sed 's/^ */failed: /' || true
rm -f "$log" "$denied_log"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
