#!/usr/bin/env bash
# Runs Kinlet's whole test suite against the real Docker engine.
#
#   ./test.sh [extra dotnet test arguments]
#
# Installs what is missing (Debian packages, the Docker engine, the .NET 10 SDK) with the same
# prerequisite script as install.sh, builds the local images the tests deploy (the test function
# and the hello sample; cached, seconds when nothing changed), then runs every test project of
# Runtime.sln (the test that stops and restarts the Docker engine last, on its own). Exits non-zero
# when anything fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

# shellcheck disable=SC2119 # no arguments: every tool the scripts use
ensure_tools
ensure_engine
ensure_dotnet
log "$KINLET_TOOLS_ACTION; $KINLET_ENGINE_ACTION; $KINLET_DOTNET_ACTION"

scripts/images.sh --test --samples

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
# Everything but the engine-restart test, whose test classes run in parallel against the one engine.
dotnet test Runtime.sln -c Release --logger "console;verbosity=normal" --filter "Category!=EngineRestart" "$@" 2>&1 |
    tee "$results/dotnet-test.log" || status=$?
# Then, alone, the test that stops and restarts the Docker engine under kinletd (it starts the engine
# again the way this script does, whatever happens).
dotnet test tests/Kinlet.IntegrationTests -c Release --no-build --logger "console;verbosity=normal" \
    --filter "Category=EngineRestart" 2>&1 | tee -a "$results/dotnet-test.log" || status=$?
ensure_engine

# One closing line over all test projects, from VSTest's per-assembly summaries: with normal
# verbosity "Test Run Successful." followed by "Passed: N", "Failed: N", "Skipped: N" lines,
# with minimal verbosity "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ...".
awk '
    /^Test Run (Successful|Failed|Aborted)\./ { block = 1; next }
    block && /^ *(Passed|Failed|Skipped): *[0-9]+ *$/ {
        k = $1; sub(/:/, "", k); b[k] += $2; nb++
        next
    }
    block && /Total time:/ { block = 0 }
    /(Passed|Failed)! +- +Failed: / {
        for (i = 1; i <= NF; i++) {
            v = $(i + 1); gsub(/,/, "", v)
            if ($i == "Failed:") c["Failed"] += v
            else if ($i == "Passed:") c["Passed"] += v
            else if ($i == "Skipped:") c["Skipped"] += v
        }
        nc++
    }
    END {
        if (nb) printf "tests: %d passed, %d failed, %d skipped\n", b["Passed"], b["Failed"], b["Skipped"]
        else if (nc) printf "tests: %d passed, %d failed, %d skipped\n", c["Passed"], c["Failed"], c["Skipped"]
    }
' "$results/dotnet-test.log"

if ((status != 0)); then
    log "dotnet test failed (exit $status)"
fi
exit "$status"
