#!/usr/bin/env bash
# profile-ingest.sh [ROWS]: where a `datahub ingest` of a partner-like police extract (default 1,000,000 rows) spends its
# working time, stage by stage (see ../README.md, "Profiling the ingest"). Needs dotnet-trace: install it with
# `dotnet tool install --tool-path DIR dotnet-trace` and set DOTNET_TRACE=DIR/dotnet-trace, or have it on PATH.
set -euo pipefail
cd "$(dirname "$0")/../../.."
rows=${1:-1000000}
trace=${DOTNET_TRACE:-dotnet-trace}
# The published CLI, as a user runs it (README, "Install the command line"), in the same folder the ingest benchmark uses.
bin=tests/DataHub.Benchmarks/obj/published-datahub
dotnet publish functions/DataHub.Host -c Release -o "$bin" -nologo -clp:ErrorsOnly >/dev/null
dotnet build seeds/DataHub.Seeds.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet seeds/DataHub.Seeds.Cli/bin/Release/net10.0/datahub-seeds.dll partner-police "$work/police.csv" "$rows" --seed 20171001
"$bin/datahub" key init --root "$work/root" >/dev/null
"$trace" collect --profile dotnet-sampled-thread-time -o "$work/ingest.nettrace" -- \
  "$bin/datahub" ingest "$work/police.csv" --partner police --feed police-da-incidents --root "$work/root" >/dev/null
"$trace" convert "$work/ingest.nettrace" --format Speedscope -o "$work/ingest" >/dev/null
echo "load: $(cat /proc/loadavg)"
python3 tests/DataHub.Benchmarks/profile/ingest_stages.py "$work/ingest.speedscope.json"
