#!/usr/bin/env bash
# profile-ingest.sh [ROWS]: where a `datahub ingest` of a partner-like police extract (default 1,000,000 rows) spends its
# CPU, stage by stage (see ../README.md, "Profiling the ingest"). Needs Linux perf (Debian: apt-get install linux-perf)
# and a kernel that lets this user sample its own processes (perf_event_paranoid <= 2). It profiles the build output,
# not the published Native AOT CLI the ingest benchmark measures: the stage rules match the method names the JIT writes to
# its perf map, and the native executable names its methods otherwise (its symbols stripped into datahub.dbg). The JIT's
# share here is a cost the published CLI does not have.
set -euo pipefail
cd "$(dirname "$0")/../../.."
rows=${1:-1000000}
dotnet build tests/DataHub.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build seeds/DataHub.Seeds.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
bin=tests/DataHub.Benchmarks/bin/Release/net10.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet seeds/DataHub.Seeds.Cli/bin/Release/net10.0/datahub-seeds.dll partner-police "$work/police.csv" "$rows" --seed 20171001
"$bin/datahub" key init --root "$work/root" >/dev/null
# An extract delivered earlier, as operators ingest them: one just written would first wait 10 s to settle.
touch -d '1 day ago' "$work/police.csv"
# The runtime writes /tmp/perf-PID.map so perf can name jitted methods; W^X off keeps their code at the mapped addresses.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -q -F 499 -g -o "$work/perf.data" -- \
  "$bin/datahub" ingest "$work/police.csv" --partner police --feed police-da-incidents --root "$work/root" >/dev/null
perf script -i "$work/perf.data" 2>/dev/null > "$work/perf.txt"
echo "load: $(cat /proc/loadavg)"
python3 tests/DataHub.Benchmarks/profile/ingest_stages.py "$work/perf.txt"
