#!/usr/bin/env bash
# Installs Kinlet on this machine and starts it. Idempotent: safe to run again (after a
# `git pull`, say: it republishes, rebuilds what changed and restarts kinletd).
#
#   ./install.sh [--prefix DIR] [--no-start]
#
#   --prefix DIR   where the `kinletd` and `kinlet` commands go
#                  (default /usr/local/bin as root, else ~/.local/bin);
#                  the published programs go to DIR/../lib/kinlet
#   --no-start     install and build the images, but do not start kinletd or deploy the sample
#
# Steps: Debian packages the scripts need; a Docker engine (docker.io from the distribution when
# none answers; started with systemd when it runs the machine, else dockerd in the background);
# a .NET 10 SDK (already there, the distribution's dotnet-sdk-10.0, or dotnet-install.sh into
# ~/.dotnet); `dotnet publish` of kinletd and kinlet (Release); the local images (no registry);
# kinletd started (a systemd unit, else in the background with <state>/kinletd.pid and
# <state>/kinletd.log); samples/hello deployed and called.
#
# Environment: KINLET_STATE_DIR (default /var/lib/kinlet as root, else ~/.local/share/kinlet),
# KINLET_API_PORT (7070), KINLET_INGRESS_PORT (8080), KINLET_INGRESS_H2C_PORT (8081: gRPC, 0 = off),
# KINLET_DOMAIN (localhost).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"

prefix=""
start=1
while (($#)); do
    case "$1" in
    --prefix)
        [[ $# -ge 2 ]] || die "--prefix needs a directory"
        prefix="$2"
        shift
        ;;
    --prefix=*) prefix="${1#--prefix=}" ;;
    --no-start) start="" ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done

if [[ -z "$prefix" ]]; then
    if is_root; then prefix=/usr/local/bin; else prefix="$HOME/.local/bin"; fi
fi
mkdir -p "$prefix"
prefix="$(cd "$prefix" && pwd -P)"
libdir="$(dirname "$prefix")/lib/kinlet"
state="$(kinlet_state_dir)"
api_port="${KINLET_API_PORT:-7070}"
ingress_port="${KINLET_INGRESS_PORT:-8080}"
h2c_port="${KINLET_INGRESS_H2C_PORT:-8081}"
domain="${KINLET_DOMAIN:-localhost}"
api_url="http://127.0.0.1:$api_port"
mkdir -p "$state" "$libdir"

step() { printf '\n==> %s\n' "$*"; }

# ---------------------------------------------------------------------------------------------
step "Prerequisites"
# shellcheck disable=SC2119 # no arguments: every tool the scripts use
ensure_tools
echo "tools:  $KINLET_TOOLS_ACTION"
ensure_engine
echo "engine: $KINLET_ENGINE_ACTION ($(docker version -f 'Docker {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo '?'))"
ensure_dotnet
echo ".NET:   $KINLET_DOTNET_ACTION"
DOTNET_HOME="$(dotnet_root)"

# ---------------------------------------------------------------------------------------------
step "Publishing kinletd and kinlet (Release) to $libdir"
staging="$libdir/.staging"
rm -rf "$staging"
mkdir -p "$staging"
publish_log="$state/install-publish.log"
: >"$publish_log"
publish() {
    local project="$1" out="$2" t0
    t0="$(now_s)"
    if ! dotnet publish "$REPO_ROOT/$project" -c Release -o "$out" --nologo >>"$publish_log" 2>&1; then
        printf 'kinlet: error: dotnet publish %s failed; last lines of %s:\n' "$project" "$publish_log" >&2
        tail -n 30 "$publish_log" | sed 's/^/    /' >&2
        exit 1
    fi
    printf '%-22s -> %s (%s)\n' "$project" "$out" "$(elapsed "$t0")"
}
publish src/Kinlet.Daemon "$staging/kinletd"
publish src/Kinlet.Cli "$staging/kinlet"

# ---------------------------------------------------------------------------------------------
step "Local images (no registry; cached)"
# The samples, and the test function that the next steps below suggest deploying.
"$REPO_ROOT/scripts/images.sh" --samples --test

# ---------------------------------------------------------------------------------------------
# Stop a kinletd left by an earlier install before its files are replaced.
pidfile="$state/kinletd.pid"
unit=/etc/systemd/system/kinletd.service
use_systemd=""
if is_root && pid1_is_systemd; then use_systemd=1; fi

is_kinletd_pid() {
    [[ -n "$1" ]] && pid_alive "$1" || return 1
    local cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true)"
    [[ "$cmdline" == *kinletd* ]]
}

stop_old_kinletd() {
    if [[ -n "$use_systemd" ]] && systemctl is-active --quiet kinletd 2>/dev/null; then
        echo "stopping kinletd.service"
        systemctl stop kinletd
    fi
    local pid=""
    [[ -f "$pidfile" ]] && pid="$(cat "$pidfile" 2>/dev/null || true)"
    if is_kinletd_pid "$pid"; then
        echo "stopping the running kinletd (pid $pid)"
        stop_process "$pid" 15 kinletd
    fi
    rm -f "$pidfile"
}

if [[ -n "$start" ]]; then
    step "Stopping an older kinletd, if one runs"
    stop_old_kinletd
fi

# ---------------------------------------------------------------------------------------------
step "Installing kinletd and kinlet in $prefix"
for app in kinletd kinlet; do
    rm -rf "$libdir/$app.old"
    [[ -d "$libdir/$app" ]] && mv "$libdir/$app" "$libdir/$app.old"
    mv "$staging/$app" "$libdir/$app"
    rm -rf "$libdir/$app.old"
    # The apphost finds the runtime through DOTNET_ROOT: a wrapper sets it, a symlink could not.
    if [[ -x "$libdir/$app/$app" ]]; then
        run="exec \"$libdir/$app/$app\" \"\$@\""
    else
        run="exec dotnet \"$libdir/$app/$app.dll\" \"\$@\""
    fi
    tmp="$(mktemp "$prefix/.$app.XXXXXX")"
    cat >"$tmp" <<EOF
#!/bin/sh
# Installed by Kinlet's install.sh from $REPO_ROOT.
export DOTNET_ROOT="\${DOTNET_ROOT:-$DOTNET_HOME}"
$run
EOF
    chmod 755 "$tmp"
    mv -f "$tmp" "$prefix/$app"
    echo "$prefix/$app -> $libdir/$app/"
done
rmdir "$staging" 2>/dev/null || true
case ":$PATH:" in
*":$prefix:"*) ;;
*) warn "$prefix is not on your PATH: add it (export PATH=\"$prefix:\$PATH\")" ;;
esac

if [[ -z "$start" ]]; then
    step "Done (--no-start)"
    cat <<EOF
Start the daemon with:
    $prefix/kinletd --state-dir $state --api-port $api_port --ingress-port $ingress_port --ingress-h2c-port $h2c_port
then deploy the sample:
    $prefix/kinlet apply -f $REPO_ROOT/samples/hello/service.yaml
    curl http://hello.$domain:$ingress_port
EOF
    exit 0
fi

# ---------------------------------------------------------------------------------------------
step "Starting kinletd"
daemon_args=(--state-dir "$state" --api-port "$api_port" --ingress-port "$ingress_port"
    --ingress-h2c-port "$h2c_port" --domain "$domain")
[[ -n "${DOCKER_HOST:-}" ]] && daemon_args+=(--docker-host "$DOCKER_HOST")

if curl -fsS --max-time 2 "$api_url/readyz" >/dev/null 2>&1; then
    die "something still answers on $api_url after kinletd was stopped: another kinletd" \
        "(started by hand?) or another program holds port $api_port; stop it and rerun"
fi

logfile="$state/kinletd.log"
if [[ -n "$use_systemd" ]]; then
    cat >"$unit.tmp" <<EOF
# Installed by Kinlet's install.sh.
[Unit]
Description=Kinlet serverless runtime (kinletd)
Documentation=file://$REPO_ROOT/README.md
After=network-online.target docker.service
Wants=network-online.target docker.service

[Service]
Type=simple
Environment=DOTNET_ROOT=$DOTNET_HOME
ExecStart=$prefix/kinletd ${daemon_args[*]}
Restart=on-failure
RestartSec=2
KillSignal=SIGTERM
TimeoutStopSec=30

[Install]
WantedBy=multi-user.target
EOF
    mv -f "$unit.tmp" "$unit"
    systemctl daemon-reload
    systemctl enable --quiet kinletd
    systemctl restart kinletd
    echo "kinletd.service started (journalctl -u kinletd -f shows its log)"
else
    printf '\n--- %s install.sh: starting kinletd\n' "$(date -Is)" >>"$logfile"
    # setsid: its own session, so it outlives this script and the terminal.
    setsid nohup "$prefix/kinletd" "${daemon_args[@]}" >>"$logfile" 2>&1 </dev/null &
    echo $! >"$pidfile"
    echo "kinletd started in the background (pid $(cat "$pidfile"), log $logfile)"
fi

daemon_log_tail() {
    if [[ -n "$use_systemd" ]]; then
        journalctl -u kinletd -n 30 --no-pager 2>/dev/null | sed 's/^/    /' >&2 || true
    else
        tail -n 30 "$logfile" | sed 's/^/    /' >&2
    fi
}

t0="$(now_s)"
deadline=$((SECONDS + ${KINLET_START_TIMEOUT:-60}))
until curl -fsS --max-time 2 "$api_url/readyz" >/dev/null 2>&1; do
    if [[ -z "$use_systemd" ]] && ! pid_alive "$(cat "$pidfile")"; then
        printf 'kinlet: error: kinletd exited during startup; last lines of its log:\n' >&2
        daemon_log_tail
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        printf 'kinlet: error: kinletd did not answer %s/readyz within %ss; last lines of its log:\n' \
            "$api_url" "${KINLET_START_TIMEOUT:-60}" >&2
        daemon_log_tail
        exit 1
    fi
    sleep 0.25
done
echo "kinletd is ready ($api_url/readyz answered after $(elapsed "$t0"))"

# ---------------------------------------------------------------------------------------------
step "Deploying samples/hello"
export KINLET_API="$api_url" KINLET_STATE_DIR="$state"
if ! timeout "${KINLET_DEPLOY_TIMEOUT:-180}" "$prefix/kinlet" apply -f "$REPO_ROOT/samples/hello/service.yaml"; then
    printf 'kinlet: error: kinlet apply -f samples/hello/service.yaml failed; last lines of the daemon log:\n' >&2
    daemon_log_tail
    exit 1
fi

url="http://hello.$domain:$ingress_port"
answer=""
for ((i = 0; i < 40; i++)); do
    if answer="$(curl -fsS --max-time 5 "$url" 2>/dev/null)"; then break; fi
    answer=""
    sleep 0.25
done
[[ -n "$answer" ]] || {
    printf 'kinlet: error: %s did not answer; last lines of the daemon log:\n' "$url" >&2
    daemon_log_tail
    exit 1
}
echo "\$ curl $url"
echo "$answer"

# ---------------------------------------------------------------------------------------------
step "Kinlet is running"
cat <<EOF
hello is at $url

Next, try:
    kinlet service list
    kinlet invoke hello
    kinlet service create echo --image kinlet.local/testfn:latest --env TARGET=you --port 8080
    curl http://echo.$domain:$ingress_port
    kinlet service update echo --env TARGET=again
    kinlet service describe echo -o yaml
    kinlet export echo > echo.yaml
    kinlet service delete echo

Daemon: state in $state, $(if [[ -n "$use_systemd" ]]; then
    echo "systemctl status kinletd, journalctl -u kinletd -f"
else
    echo "log $logfile, pid $(cat "$pidfile")"
fi)
EOF
