#!/usr/bin/env bash
# Every test, from a clean clone: installs the independent test engines (DuckDB and Azurite, pinned in
# tests/node/package-lock.json), builds the solution and runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
dotnet build DataHub.sln -c Release -nologo -clp:ErrorsOnly
dotnet test DataHub.sln -c Release --no-build -nologo --logger "trx" --results-directory TestResults "$@"
