#!/usr/bin/env bash
# Every test, from a clean clone: installs the independent engines from npm (Azurite, and DuckDB for the benchmark; pinned in
# tests/node/package-lock.json), builds the solution and runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

# `npm install`, not `npm ci`: the registry here omits DuckDB's other-platform optional bindings, which leaves
# them versionless in the lock and makes `npm ci` refuse it; install honours the lock and the exact pins.
npm install --prefix tests/node --no-audit --no-fund --loglevel=error

# Installs Debian packages with apt-get (as root, or through sudo); $1 says which test fails without them.
install_packages() {
  local needed_by=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
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
status=0
# The test projects start side by side on two cores; a test host that takes more than vstest's default 90 s to answer
# (seen once on a busy machine) aborts its whole project, so give it longer.
export VSTEST_CONNECTION_TIMEOUT="${VSTEST_CONNECTION_TIMEOUT:-600}"
dotnet test DataHub.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?

# The tests of a folder or file the hub's user may not open need permission bits to deny the test process; root (with
# CAP_DAC_OVERRIDE) is denied nothing, so they skip above, saying so. As root they run again here without that capability.
denied_tests='FullyQualifiedName~LandingUnreadableTests|FullyQualifiedName~A_file_the_runner_cannot_read|FullyQualifiedName~Ingest_into_a_landing_folder_the_hub_cannot_open'
if [ "$(id -u)" -eq 0 ] && command -v capsh >/dev/null 2>&1; then
  for project in tests/DataHub.Core.Tests tests/DataHub.EndToEnd.Tests; do
    capsh --drop=cap_dac_override,cap_dac_read_search -- -c 'dotnet test "$1" -c Release --no-build -nologo --filter "$2"' capsh "$project" "$denied_tests" 2>&1 | tee -a "$log" || status=$?
  done
elif [ "$(id -u)" -eq 0 ]; then
  echo "capsh missing: the tests of folders and files the hub cannot open were skipped (as root, permission bits deny nothing)." >&2
fi

# One closing line over all test projects, e.g. "tests: 412 passed, 0 failed".
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
# Name every failed test on the closing lines, so a CI log cut to its tail still says what failed.
grep -E '^\s*Failed [A-Za-z_]' "$log" | sed 's/^ */failed: /' || true
rm -f "$log"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
