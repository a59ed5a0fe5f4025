#!/usr/bin/env bash
# Issue 12's figures in one run against DuckDB on the same inputs: Parquet writing of 5M mart-like rows, then the ingest
# of 1M and 5M police rows. The machine may be shared: the load average is printed with each figure, and CPU seconds
# (ours against DuckDB's) are the steadier comparison when it is high.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/DataHub.Benchmarks -c Release -nologo -clp:ErrorsOnly
bench=tests/DataHub.Benchmarks/bin/Release/net10.0/DataHub.Benchmarks.dll
echo "load: $(cat /proc/loadavg)"
dotnet "$bench" parquet --rows 5000000
echo "load: $(cat /proc/loadavg)"
dotnet "$bench" ingest --sizes 1000000,5000000
echo "load: $(cat /proc/loadavg)"
