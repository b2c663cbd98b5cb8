# shellcheck shell=bash
# Kinlet: prerequisites shared by install.sh, test.sh and scripts/*.sh.
#
# Source it (do not run it):   source "$(dirname "$0")/scripts/lib/common.sh"
#
# Functions:
#   log MSG... / warn MSG... / die MSG...     messages on stderr ("kinlet: ...")
#   kinlet_state_dir                          /var/lib/kinlet as root, else ~/.local/share/kinlet
#                                             (KINLET_STATE_DIR overrides)
#   as_root CMD...                            runs CMD as root (directly, or through sudo)
#   apt_install PKG...                        installs the packages that are not installed yet
#   ensure_tools [PKG...]                     busybox-static debootstrap curl wrk python3-yaml python3-jsonschema (or the given ones)
#   ensure_engine                             a Docker engine answers on its socket (installs/starts it)
#   engine_can_run IMAGE                      a container of IMAGE runs (`true`), else a clear error
#   ensure_dotnet                             a .NET 10 SDK is on PATH (installs it when missing)
#   dotnet_root                               the folder that holds the host's dotnet (shared/, sdk/ ...)
#
# Every ensure_* is idempotent: when the thing is already there it only checks, quickly.
# They set KINLET_ENGINE_ACTION / KINLET_DOTNET_ACTION / KINLET_TOOLS_ACTION to one line
# that says what they did, for the callers' summaries.

# Guard against double sourcing.
if [[ -n "${KINLET_COMMON_SH_LOADED:-}" ]]; then
    return 0
fi
KINLET_COMMON_SH_LOADED=1

KINLET_ENGINE_ACTION=""
KINLET_DOTNET_ACTION=""
KINLET_TOOLS_ACTION=""
_KINLET_APT_UPDATED=""

# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------

log() { printf 'kinlet: %s\n' "$*" >&2; }
warn() { printf 'kinlet: warning: %s\n' "$*" >&2; }
die() {
    printf 'kinlet: error: %s\n' "$*" >&2
    exit 1
}

# now_s: seconds since the epoch with microseconds (bash 5's EPOCHREALTIME).
now_s() { printf '%s' "${EPOCHREALTIME:-$(date +%s.%N)}"; }
# elapsed START: seconds since START, one decimal.
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1fs", b - a }'; }

# ---------------------------------------------------------------------------------------------
# Paths and privileges
# ---------------------------------------------------------------------------------------------

is_root() { [[ "$(id -u)" -eq 0 ]]; }

kinlet_state_dir() {
    if [[ -n "${KINLET_STATE_DIR:-}" ]]; then
        printf '%s\n' "$KINLET_STATE_DIR"
    elif is_root; then
        printf '%s\n' /var/lib/kinlet
    else
        printf '%s\n' "$HOME/.local/share/kinlet"
    fi
}

as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "'$*' needs root and sudo is not installed; run this script as root"
    fi
}

# pid_alive PID: PID runs (a zombie, which an init that does not reap leaves, does not count).
pid_alive() {
    kill -0 "$1" 2>/dev/null || return 1
    local st
    st="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)"
    [[ -n "$st" && "$st" != Z && "$st" != X ]]
}

# stop_process PID SECONDS [NAME]: SIGTERM, wait up to SECONDS for it to go, then SIGKILL.
stop_process() {
    local pid="$1" seconds="$2" name="${3:-process}" i
    pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < seconds * 10; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.1
    done
    warn "$name (pid $pid) did not stop within ${seconds}s of SIGTERM: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
}

# pid1_is_systemd: true when systemd runs the machine (so services are started with systemctl).
pid1_is_systemd() {
    [[ -d /run/systemd/system ]] && [[ "$(cat /proc/1/comm 2>/dev/null)" == systemd ]]
}

# ---------------------------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------------------------

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# apt_has PKG: apt knows a candidate version for PKG (needs package lists).
apt_has() {
    local cand
    cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2; exit }')"
    [[ -n "$cand" && "$cand" != "(none)" ]]
}

# _apt_quiet ARGS...: apt-get ARGS as root, non-interactive; its output only when it fails.
_apt_quiet() {
    local out rc=0
    out="$(as_root env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a \
        apt-get -q -o Dpkg::Use-Pty=0 "$@" 2>&1)" || rc=$?
    if ((rc != 0)); then
        printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /' >&2
    fi
    return "$rc"
}

# apt_update_if_needed [PKG...]: runs `apt-get update` once per run, and only when the package
# lists are missing or do not know one of the given packages.
apt_update_if_needed() {
    [[ -n "$_KINLET_APT_UPDATED" ]] && return 0
    local need=""
    if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        need=1
    else
        local p
        for p in "$@"; do
            apt_has "$p" || need=1
        done
    fi
    if [[ -n "$need" ]]; then
        log "apt-get update"
        _apt_quiet update || die "apt-get update failed"
        _KINLET_APT_UPDATED=1
    fi
}

# apt_install PKG...: installs the packages that are not installed yet; prints what it installed.
apt_install() {
    command -v apt-get >/dev/null 2>&1 ||
        die "apt-get not found: install these packages by hand: $*"
    local missing=() p
    for p in "$@"; do
        pkg_installed "$p" || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    apt_update_if_needed "${missing[@]}"
    log "apt-get install ${missing[*]}"
    _apt_quiet install -y --no-install-recommends "${missing[@]}" ||
        die "apt-get install ${missing[*]} failed"
    printf '%s\n' "${missing[*]}"
}

# ---------------------------------------------------------------------------------------------
# Tools the scripts use
# ---------------------------------------------------------------------------------------------

# static_busybox: path of a statically linked busybox on this machine, or nothing.
static_busybox() {
    local b
    for b in /bin/busybox /usr/bin/busybox; do
        if [[ -x "$b" ]] && ! ldd "$b" >/dev/null 2>&1; then
            printf '%s\n' "$b"
            return 0
        fi
    done
    return 1
}

# ensure_tools [PKG...]: apt-installs the missing ones among busybox-static (a static busybox for
# the busybox base image), debootstrap (the Debian base image), curl and wrk (bench/), python3-yaml and
# python3-jsonschema (tests/schemas/validate.py checks exported manifests against the official CRDs).
ensure_tools() {
    local want=("$@")
    ((${#want[@]} == 0)) && want=(busybox-static debootstrap curl wrk python3-yaml python3-jsonschema)
    local missing=() p
    for p in "${want[@]}"; do
        case "$p" in
        busybox-static) static_busybox >/dev/null || missing+=("$p") ;;
        *) pkg_installed "$p" || missing+=("$p") ;;
        esac
    done
    if ((${#missing[@]} == 0)); then
        KINLET_TOOLS_ACTION="tools present (${want[*]})"
        return 0
    fi
    apt_install "${missing[@]}" >/dev/null
    KINLET_TOOLS_ACTION="installed ${missing[*]}"
    log "$KINLET_TOOLS_ACTION"
}

# ---------------------------------------------------------------------------------------------
# Container engine
# ---------------------------------------------------------------------------------------------

# The engine socket: DOCKER_HOST when it names a unix socket, else the default one.
engine_socket() {
    case "${DOCKER_HOST:-}" in
    unix://*) printf '%s\n' "${DOCKER_HOST#unix://}" ;;
    *) printf '%s\n' /var/run/docker.sock ;;
    esac
}

# engine_answers: the engine answers a ping (through the docker CLI or straight on the socket).
engine_answers() {
    if command -v docker >/dev/null 2>&1; then
        docker info >/dev/null 2>&1 && return 0
    fi
    local sock
    sock="$(engine_socket)"
    [[ -S "$sock" ]] && command -v curl >/dev/null 2>&1 &&
        curl -fsS --max-time 5 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1
}

# _engine_errors LOG: the error lines of dockerd's last start in LOG.
_engine_errors() {
    awk '/^--- .* kinlet: starting dockerd/ { n = 0; delete l; next }
         /level=(error|fatal)|failed to start daemon|^Error|error:/ { l[n++] = $0 }
         END { for (i = 0; i < n; i++) print l[i] }' "$1" | tail -n 12
}

# _engine_diagnose LOG: one line about what looks wrong in dockerd's last start, if anything.
_engine_diagnose() {
    local errors
    errors="$(_engine_errors "$1")"
    [[ -n "$errors" ]] || return 0
    if grep -qiE 'iptables|nf_tables|xtables|bridge' <<<"$errors"; then
        echo "dockerd could not set up iptables or its bridge. Try the legacy backend" \
            "(update-alternatives --set iptables /usr/sbin/iptables-legacy;" \
            "update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy), or start dockerd" \
            "with --iptables=false if this machine has no netfilter."
    elif grep -qiE 'cgroup' <<<"$errors"; then
        echo "dockerd could not use the cgroup filesystem: on cgroup v2 make sure" \
            "/sys/fs/cgroup is mounted read-write (cgroup2) and the memory/pids controllers are" \
            "enabled; in a container, run it with --privileged and --cgroupns=host."
    elif grep -qiE 'pid file found|is docker already running' <<<"$errors"; then
        echo "a stale /var/run/docker.pid exists; remove it if no dockerd is running."
    elif grep -qiE 'graphdriver|overlay|storage-driver' <<<"$errors"; then
        echo "the storage driver failed: check /etc/docker/daemon.json, or try" \
            "'dockerd --storage-driver vfs' on this filesystem."
    fi
}

# _dockerd_pid: the pid of a running dockerd, if any (from /proc: pgrep may not be installed).
_dockerd_pid() {
    local d
    for d in /proc/[0-9]*; do
        if [[ "$(cat "$d/comm" 2>/dev/null)" == dockerd ]]; then
            printf '%s\n' "${d#/proc/}"
            return 0
        fi
    done
}

# ensure_engine: makes sure a Docker engine answers. Installs docker.io when dockerd is missing,
# starts it (systemctl when systemd is PID 1, else dockerd in the background with its log and
# pid under the state dir) and waits up to KINLET_ENGINE_TIMEOUT (60) seconds.
ensure_engine() {
    if engine_answers; then
        KINLET_ENGINE_ACTION="engine already running"
        return 0
    fi
    local sock info=""
    sock="$(engine_socket)"
    if [[ -S "$sock" ]] && command -v docker >/dev/null 2>&1; then
        info="$(docker info 2>&1 || true)"
    fi
    if grep -qi 'permission denied' <<<"$info"; then
        die "the engine socket $sock exists but $(id -un) may not use it: add yourself to the" \
            "'docker' group (usermod -aG docker $(id -un), then log in again) or run as root"
    fi
    if [[ -n "${DOCKER_HOST:-}" && "${DOCKER_HOST}" != "unix:///var/run/docker.sock" ]]; then
        die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine (Kinlet only starts the" \
            "local dockerd)"
    fi

    local installed=""
    if ! command -v dockerd >/dev/null 2>&1; then
        log "no Docker engine found: installing docker.io from the distribution"
        apt_install docker.io >/dev/null
        installed="installed docker.io, "
        hash -r
        # The package's postinst may have started it already.
        if engine_answers; then
            KINLET_ENGINE_ACTION="${installed}engine started by the package"
            log "$KINLET_ENGINE_ACTION"
            return 0
        fi
    fi

    local state logf pidf
    state="$(kinlet_state_dir)"
    logf="$state/dockerd.log"
    pidf="$state/dockerd.pid"
    if pid1_is_systemd; then
        log "starting the engine: systemctl start docker"
        as_root systemctl start docker || die "systemctl start docker failed" \
            "(journalctl -u docker -n 50 shows why)"
        logf=""
    else
        mkdir -p "$state"
        local running
        running="$(_dockerd_pid)"
        if [[ -n "$running" ]]; then
            # Started by someone else (the package's init script, say) and still starting up:
            # a second dockerd would only fail on its pid file.
            log "dockerd (pid $running) is running but does not answer yet; waiting for it"
            [[ "$(cat "$pidf" 2>/dev/null)" == "$running" ]] || logf=""
        else
            log "starting the engine: dockerd in the background (log: $logf)"
            # setsid: its own session, so it outlives this script and its terminal.
            # shellcheck disable=SC2016 # expanded by the inner sh
            as_root sh -c 'printf "\n--- %s kinlet: starting dockerd\n" "$(date -Is)" >>"$1"
                setsid nohup dockerd >>"$1" 2>&1 </dev/null &
                echo $! >"$2"' sh "$logf" "$pidf" ||
                die "could not start dockerd"
        fi
    fi

    local timeout="${KINLET_ENGINE_TIMEOUT:-60}" start pid
    start="$(date +%s)"
    until engine_answers; do
        if [[ -n "$logf" && -f "$pidf" ]]; then
            pid="$(cat "$pidf" 2>/dev/null || true)"
            if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
                _engine_fail "dockerd exited during startup" "$logf"
            fi
        fi
        if (($(date +%s) - start >= timeout)); then
            _engine_fail "the engine did not answer within ${timeout}s" "$logf"
        fi
        sleep 0.5
    done
    KINLET_ENGINE_ACTION="${installed}started the engine in $(($(date +%s) - start))s"
    log "$KINLET_ENGINE_ACTION"
}

_engine_fail() {
    local msg="$1" logf="$2" hint
    printf 'kinlet: error: %s\n' "$msg" >&2
    if [[ -n "$logf" && -f "$logf" ]]; then
        printf 'kinlet: last lines of %s:\n' "$logf" >&2
        tail -n 10 "$logf" | sed 's/^/    /' >&2
        if [[ -n "$(_engine_errors "$logf")" ]]; then
            printf 'kinlet: its errors:\n' >&2
            _engine_errors "$logf" | sed 's/^/    /' >&2
        fi
        hint="$(_engine_diagnose "$logf")"
        [[ -n "$hint" ]] && printf 'kinlet: hint: %s\n' "$hint" >&2
    elif pid1_is_systemd; then
        journalctl -u docker -n 25 --no-pager 2>/dev/null | sed 's/^/    /' >&2 || true
    elif [[ -f /var/log/docker.log ]]; then
        printf 'kinlet: last lines of /var/log/docker.log:\n' >&2
        tail -n 15 /var/log/docker.log | sed 's/^/    /' >&2
    fi
    exit 1
}

# engine_can_run IMAGE: runs `true` in a throwaway container of IMAGE; on failure says why
# (the usual causes are cgroups, seccomp/apparmor or iptables on a nested machine).
engine_can_run() {
    local image="$1" out
    if out="$(docker run --rm --network none "$image" true 2>&1)"; then
        return 0
    fi
    printf 'kinlet: error: the engine answers but cannot run a container of %s:\n' "$image" >&2
    printf '%s\n' "$out" | tail -n 10 | sed 's/^/    /' >&2
    case "$out" in
    *cgroup*) echo "kinlet: hint: the cgroup setup does not let runc create containers;" \
        "check that /sys/fs/cgroup is mounted read-write." >&2 ;;
    *iptables* | *nf_tables*) echo "kinlet: hint: iptables failed; see the dockerd log." >&2 ;;
    *apparmor* | *seccomp*) echo "kinlet: hint: a security profile blocked runc." >&2 ;;
    esac
    exit 1
}

# ---------------------------------------------------------------------------------------------
# .NET SDK
# ---------------------------------------------------------------------------------------------

KINLET_DOTNET_CHANNEL="${KINLET_DOTNET_CHANNEL:-10.0}"

_dotnet_sdk_ok() {
    command -v dotnet >/dev/null 2>&1 || return 1
    local sdks
    sdks="$(dotnet --list-sdks 2>/dev/null || true)"
    grep -q "^${KINLET_DOTNET_CHANNEL%%.*}\." <<<"$sdks"
}

# ensure_dotnet: a .NET 10 SDK on PATH. Order: the one on PATH; one in ~/.dotnet from an earlier
# run; the distribution's dotnet-sdk-10.0 package where apt has it; Microsoft's
# dotnet-install.sh into ~/.dotnet. Exports DOTNET_ROOT when it used ~/.dotnet.
ensure_dotnet() {
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
    if _dotnet_sdk_ok; then
        KINLET_DOTNET_ACTION="using the .NET SDK $(dotnet --version) at $(dotnet_root)"
        return 0
    fi
    local userdir="$HOME/.dotnet"
    if [[ -x "$userdir/dotnet" ]]; then
        export DOTNET_ROOT="$userdir" PATH="$userdir:$PATH"
        if _dotnet_sdk_ok; then
            KINLET_DOTNET_ACTION="using the .NET SDK $(dotnet --version) in $userdir"
            log "$KINLET_DOTNET_ACTION (add $userdir to PATH in your shell profile)"
            return 0
        fi
    fi
    local pkg="dotnet-sdk-${KINLET_DOTNET_CHANNEL}"
    if command -v apt-get >/dev/null 2>&1; then
        apt_update_if_needed "$pkg"
        if apt_has "$pkg"; then
            log "no .NET ${KINLET_DOTNET_CHANNEL} SDK found: installing the distribution's $pkg"
            apt_install "$pkg" >/dev/null
            hash -r
            _dotnet_sdk_ok || die "$pkg was installed but 'dotnet --list-sdks' shows no" \
                "${KINLET_DOTNET_CHANNEL} SDK"
            KINLET_DOTNET_ACTION="installed the distribution package $pkg ($(dotnet --version))"
            log "$KINLET_DOTNET_ACTION"
            return 0
        fi
    fi
    log "no .NET ${KINLET_DOTNET_CHANNEL} SDK found and apt has no $pkg:" \
        "installing it with Microsoft's dotnet-install.sh into $userdir"
    command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates >/dev/null
    local script
    script="$(mktemp)"
    if ! curl -fsSL --retry 3 https://dot.net/v1/dotnet-install.sh -o "$script"; then
        rm -f "$script"
        die "could not download dotnet-install.sh; install the .NET ${KINLET_DOTNET_CHANNEL}" \
            "SDK by hand (https://learn.microsoft.com/dotnet/core/install/linux) and rerun"
    fi
    bash "$script" --channel "$KINLET_DOTNET_CHANNEL" --install-dir "$userdir" ||
        { rm -f "$script"; die "dotnet-install.sh failed"; }
    rm -f "$script"
    export DOTNET_ROOT="$userdir" PATH="$userdir:$PATH"
    _dotnet_sdk_ok || die "dotnet-install.sh ran but no ${KINLET_DOTNET_CHANNEL} SDK is usable"
    KINLET_DOTNET_ACTION="installed the .NET SDK $(dotnet --version) into $userdir with dotnet-install.sh"
    log "$KINLET_DOTNET_ACTION (add $userdir to PATH and DOTNET_ROOT=$userdir to your profile)"
}

# dotnet_root: the folder holding dotnet, shared/, sdk/ (from `dotnet --list-runtimes`).
dotnet_root() {
    local shared
    shared="$(dotnet --list-runtimes 2>/dev/null |
        awk '$1 == "Microsoft.NETCore.App" { p = $0 } END { print p }' |
        sed -E 's/.*\[(.*)\]$/\1/')"
    [[ -n "$shared" ]] || die "dotnet --list-runtimes lists no Microsoft.NETCore.App"
    # .../shared/Microsoft.NETCore.App -> ...
    (cd "$shared/../.." && pwd -P)
}
