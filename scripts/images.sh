#!/usr/bin/env bash
# Builds Kinlet's local images with no registry, cached by content hash.
#
#   scripts/images.sh [--samples] [--test] [--force] [--verbose]
#
#   --samples   the base images and the sample images (kinlet.local/hello, kinlet.local/orders)
#   --test      the base images and the test images (kinlet.local/testfn, kinlet.local/grpcfn)
#               (neither option: both)
#   --force     rebuild every image even when it is up to date
#   --verbose   show the docker build output (it always goes to <state>/images/logs/<image>.log)
#
# Images (the base ones are built first, in this order):
#   kinlet.local/busybox:latest              busybox-static rootfs, `docker import`
#   kinlet.local/debian:bookworm-minbase     debootstrap --variant=minbase bookworm, `docker import`
#   kinlet.local/dotnet-runtime:10.0         minbase + the host SDK's shared runtimes (user app, uid 1000)
#   kinlet.local/dotnet-sdk:10.0             the runtime image + the host's whole dotnet root, offline NuGet
#                                            (a local feed: the CloudEvents SDK for function templates,
#                                            Markdig for samples/markdown)
#   kinlet.local/node:18                     minbase + Debian's nodejs (function base for `kinlet deploy`)
#   kinlet.local/python:3.11                 minbase + Debian's python3 (function base for `kinlet deploy`)
#   kinlet.local/hello:latest                samples/hello (multi-stage on the two images above)
#   kinlet.local/orders:latest               samples/orders (same pattern)
#   kinlet.local/testfn:latest               tests/images/testfn (same pattern)
#   kinlet.local/grpcfn:latest               tests/images/grpcfn: `dotnet publish` on the host (Grpc.AspNetCore
#                                            from NuGet), the output copied onto the runtime image offline
#
# Each image carries the label dev.kinlet.inputs-hash: a sha256 over everything it is made of (the
# recipe text, the host runtime/SDK versions, the files it copies, the ids of the images it is
# built FROM). When the tag exists with the same label the image is "up to date" and nothing runs.
# A rebuilt base changes its id, so everything built on it is rebuilt too.
#
# Caches under <state>/images (state: /var/lib/kinlet as root, else ~/.local/share/kinlet):
#   debootstrap/<recipe>/rootfs   the stripped minbase rootfs (delete it to re-download)
#   debootstrap/debs              the downloaded .debs
#   hashcache/                    content hashes of big trees, keyed by their metadata
#   logs/                         one build log per image
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"

# There is no buildx plugin on the machines Kinlet targets: use the classic builder
# (multi-stage works; it also supports --network none).
export DOCKER_BUILDKIT=0

want_samples=""
want_test=""
force=""
verbose=""
while (($#)); do
    case "$1" in
    --samples) want_samples=1 ;;
    --test) want_test=1 ;;
    --force) force=1 ;;
    --verbose | -v) verbose=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
if [[ -z "$want_samples" && -z "$want_test" ]]; then
    want_samples=1
    want_test=1
fi

LABEL=dev.kinlet.inputs-hash
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${KINLET_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

BUSYBOX_IMAGE=kinlet.local/busybox:latest
MINBASE_IMAGE=kinlet.local/debian:bookworm-minbase
RUNTIME_IMAGE=kinlet.local/dotnet-runtime:10.0
SDK_IMAGE=kinlet.local/dotnet-sdk:10.0
NODE_IMAGE=kinlet.local/node:18
PYTHON_IMAGE=kinlet.local/python:3.11
HELLO_IMAGE=kinlet.local/hello:latest
ORDERS_IMAGE=kinlet.local/orders:latest
TESTFN_IMAGE=kinlet.local/testfn:latest
GRPCFN_IMAGE=kinlet.local/grpcfn:latest

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

sha256() { sha256sum | cut -c1-64; }

image_label() {
    docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true
}
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

# up_to_date TAG HASH [EXTRA_TAG...]: TAG exists with HASH (then makes sure the extra tags
# point at it too).
up_to_date() {
    local tag="$1" hash="$2" t
    shift 2
    [[ -z "$force" && "$(image_label "$tag")" == "$hash" ]] || return 1
    for t in "$@"; do
        [[ "$(image_id "$t")" == "$(image_id "$tag")" ]] || docker tag "$tag" "$t"
    done
}

# report TAG STATUS START
report() { printf '%-42s %-11s %7s\n' "$1" "$2" "$(elapsed "$3")"; }

# retire OLD_ID NEW_TAG: the image that TAG named before a rebuild is removed at the end of the
# run (children first), when no container or other tag uses it.
RETIRED=()
retire() {
    local old="$1" tag="$2"
    [[ -n "$old" && "$old" != "$(image_id "$tag")" ]] || return 0
    RETIRED+=("$old")
}
remove_retired() {
    local i
    for ((i = ${#RETIRED[@]} - 1; i >= 0; i--)); do
        docker image rm "${RETIRED[i]}" >/dev/null 2>&1 || true
    done
}

# build_log NAME: the log file for NAME.
build_log() { printf '%s/logs/%s.log\n' "$WORK" "${1//[\/:]/_}"; }

# run_logged LOG CMD...: runs CMD with its output in LOG (and on the terminal with --verbose);
# on failure prints the log's tail and exits.
run_logged() {
    local logf="$1"
    shift
    local rc=0
    if [[ -n "$verbose" ]]; then
        "$@" 2>&1 | tee "$logf" || rc=$?
    else
        "$@" >"$logf" 2>&1 || rc=$?
    fi
    if ((rc != 0)); then
        printf 'kinlet: error: %s failed (exit %d); last lines of %s:\n' "$*" "$rc" "$logf" >&2
        tail -n 30 "$logf" | sed 's/^/    /' >&2
        exit 1
    fi
}

# paths_hash DIR PATH...: a content hash of PATHs under DIR (file contents, modes, symlink
# targets, empty directories). Cached in hashcache/ under a key made of the paths' metadata
# (name, size, mtime, mode), so an unchanged tree costs one `find`, a changed one a full hash.
# Directories named bin/ or obj/ are skipped when PRUNE_BUILD_OUTPUT=1.
paths_hash() {
    local dir="$1"
    shift
    local prune=()
    if [[ "${PRUNE_BUILD_OUTPUT:-}" == 1 ]]; then
        prune=(\( -type d \( -name bin -o -name obj \) -prune \) -o)
    fi
    local meta cache h
    # Directories' own mtimes are left out: tools touch them (dotnet touches metadata/) and
    # what is in them is listed anyway.
    meta="$(cd "$dir" && find "$@" "${prune[@]}" \( -type d -printf '%y %p %m\n' \) -o \
        -printf '%y %p %s %T@ %m %l\n' | LC_ALL=C sort | sha256)"
    cache="$WORK/hashcache/$meta"
    if [[ -s "$cache" ]]; then
        cat "$cache"
        return 0
    fi
    h="$(cd "$dir" && {
        find "$@" "${prune[@]}" ! -type f -printf '%y %p %m %l\n'
        find "$@" "${prune[@]}" -type f -printf '%m %p\n'
        find "$@" "${prune[@]}" -type f -print0 | xargs -0 -r sha256sum
    } | LC_ALL=C sort | sha256)"
    printf '%s\n' "$h" >"$cache"
    printf '%s\n' "$h"
}

# from_images DOCKERFILE: the images a Dockerfile builds FROM (not its own stage names).
from_images() {
    awk 'toupper($1) == "FROM" {
            img = $2; if (img ~ /^--/) img = $3
            if (!(tolower(img) in stage)) print img
            if (NF >= 4 && tolower($(NF - 1)) == "as") stage[tolower($NF)] = 1
         }' "$1"
}

# ---------------------------------------------------------------------------------------------
# kinlet.local/busybox
# ---------------------------------------------------------------------------------------------

build_busybox() {
    local start bb version hash old tmp
    start="$(now_s)"
    bb="$(static_busybox)" || die "no static busybox (apt-get install busybox-static)"
    version="$("$bb" 2>&1 || true)"
    version="$(awk 'NR == 1 { sub(/^v/, "", $2); print $2 }' <<<"$version")"
    hash="$({
        echo "busybox-recipe-1"
        declare -f build_busybox busybox_rootfs
        sha256sum <"$bb"
    } | sha256)"
    if up_to_date "$BUSYBOX_IMAGE" "$hash" "kinlet.local/busybox:$version"; then
        report "$BUSYBOX_IMAGE" "up to date" "$start"
        return 0
    fi
    old="$(image_id "$BUSYBOX_IMAGE")"
    tmp="$(mktemp -d)"
    busybox_rootfs "$bb" "$tmp"
    tar --numeric-owner --owner=0 --group=0 -C "$tmp" -cf - . |
        docker import \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["sh"]' \
            --change "LABEL $LABEL=$hash org.opencontainers.image.version=$version" \
            - "$BUSYBOX_IMAGE" >"$(build_log busybox)"
    rm -rf "$tmp"
    docker tag "$BUSYBOX_IMAGE" "kinlet.local/busybox:$version"
    retire "$old" "$BUSYBOX_IMAGE"
    report "$BUSYBOX_IMAGE" "built" "$start"
}

# busybox_rootfs BUSYBOX DIR: a root filesystem of busybox applets (symlinks to /bin/busybox).
busybox_rootfs() {
    local bb="$1" dir="$2" p
    mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,var/www,var/log,dev,proc,sys}
    install -d -m 1777 "$dir/tmp"
    cp "$bb" "$dir/bin/busybox"
    for p in $("$bb" --list-full); do
        [[ "$p" == bin/busybox ]] && continue
        mkdir -p "$dir/$(dirname "$p")"
        ln -sf /bin/busybox "$dir/$p"
    done
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
        'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$dir/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$dir/etc/group"
    printf '%s\n' 'hosts: files dns' >"$dir/etc/nsswitch.conf"
    chmod 700 "$dir/root"
}

# ---------------------------------------------------------------------------------------------
# kinlet.local/debian:bookworm-minbase
# ---------------------------------------------------------------------------------------------

# The parts of the recipe that shape the rootfs; a change makes a new rootfs folder.
minbase_recipe() {
    echo "minbase-recipe-1 $DEBIAN_SUITE $DEBIAN_MIRROR include=ca-certificates"
    declare -f minbase_rootfs minbase_strip
}

build_minbase() {
    local start recipe rootfs hash old stamp
    start="$(now_s)"
    recipe="$(minbase_recipe | sha256)"
    rootfs="$WORK/debootstrap/${DEBIAN_SUITE}-${recipe:0:12}/rootfs"
    hash="$({
        echo "$recipe"
        declare -f build_minbase
    } | sha256)"
    if up_to_date "$MINBASE_IMAGE" "$hash"; then
        report "$MINBASE_IMAGE" "up to date" "$start"
        return 0
    fi
    # The rootfs is kept: importing it again needs no download.
    [[ -f "$rootfs/.kinlet-stamp" ]] || minbase_rootfs "$rootfs"
    stamp="$(cut -d' ' -f1 "$rootfs/.kinlet-stamp")"
    old="$(image_id "$MINBASE_IMAGE")"
    as_root tar --numeric-owner -C "$rootfs" \
        --exclude=./.kinlet-stamp --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
        -cf - . |
        docker import \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["bash"]' \
            --change "LABEL $LABEL=$hash org.opencontainers.image.version=$DEBIAN_SUITE-$stamp" \
            - "$MINBASE_IMAGE" >"$(build_log minbase)"
    docker tag "$MINBASE_IMAGE" "kinlet.local/debian:$DEBIAN_SUITE-minbase-$stamp"
    retire "$old" "$MINBASE_IMAGE"
    report "$MINBASE_IMAGE" "built" "$start"
}

# minbase_rootfs DIR: debootstrap into DIR (the .debs are kept in debootstrap/debs), strip it,
# stamp it with the date. Older rootfs folders of other recipes are removed.
minbase_rootfs() {
    local rootfs="$1" parent debs
    parent="$(dirname "$rootfs")"
    debs="$WORK/debootstrap/debs"
    # Remove rootfs folders of older recipes (they are big).
    local d
    for d in "$WORK/debootstrap/${DEBIAN_SUITE}"-*; do
        [[ -d "$d" && "$d" != "$parent" ]] && as_root rm -rf "$d"
    done
    as_root rm -rf "$rootfs"
    mkdir -p "$parent" "$debs"
    log "debootstrap --variant=minbase $DEBIAN_SUITE (log: $(build_log debootstrap))"
    run_logged "$(build_log debootstrap)" as_root debootstrap --variant=minbase \
        --include=ca-certificates --cache-dir="$debs" "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR"
    minbase_strip "$rootfs"
    date -u +%Y%m%d | as_root tee "$rootfs/.kinlet-stamp" >/dev/null
}

# minbase_strip DIR: removes docs, man pages, locales, apt lists and caches, and tells dpkg and
# apt to keep it that way for packages installed later in images built on it.
minbase_strip() {
    local r="$1"
    # shellcheck disable=SC2016 # expanded by the inner sh
    as_root sh -eu -c '
        r="$1"
        find "$r/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
        find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
        rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* \
            "$r"/usr/share/lintian "$r"/usr/share/linda
        rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
            "$r"/var/cache/apt/archives/partial/* "$r"/var/cache/debconf/*-old \
            "$r"/var/lib/dpkg/*-old "$r"/var/log/*.log "$r"/var/log/apt/* "$r"/tmp/* "$r"/var/tmp/*
        : >"$r/etc/machine-id"
        mkdir -p "$r/etc/dpkg/dpkg.cfg.d" "$r/etc/apt/apt.conf.d"
        cat >"$r/etc/dpkg/dpkg.cfg.d/90kinlet-slim" <<EOF
# kinlet.local/debian:minbase: no docs, man pages or translations
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
        cat >"$r/etc/apt/apt.conf.d/90kinlet-slim" <<EOF
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
EOF
    ' sh "$r"
}

# ---------------------------------------------------------------------------------------------
# kinlet.local/dotnet-runtime and kinlet.local/dotnet-sdk
# ---------------------------------------------------------------------------------------------

# The host's .NET: its root and the newest 10.x runtimes the SDK runs on.
dotnet_facts() {
    DOTNET_ROOT_DIR="$(dotnet_root)"
    NETCORE_VERSION="$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" && $2 ~ /^10\./ { v = $2 } END { print v }')"
    ASPNET_VERSION="$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" && $2 ~ /^10\./ { v = $2 } END { print v }')"
    SDK_VERSION="$(dotnet --version)"
    [[ -n "$NETCORE_VERSION" ]] || die "the host has no Microsoft.NETCore.App 10.x runtime"
    [[ -n "$ASPNET_VERSION" ]] || die "the host has no Microsoft.AspNetCore.App 10.x runtime"
    RUNTIME_PATHS=(./dotnet ./host "./shared/Microsoft.NETCore.App/$NETCORE_VERSION"
        "./shared/Microsoft.AspNetCore.App/$ASPNET_VERSION")
    local f
    for f in LICENSE.txt ThirdPartyNotices.txt; do
        [[ -e "$DOTNET_ROOT_DIR/$f" ]] && RUNTIME_PATHS+=("./$f")
    done
    # The SDK image adds everything else in the dotnet root.
    SDK_PATHS=()
    while IFS= read -r f; do
        SDK_PATHS+=("$f")
    done < <(cd "$DOTNET_ROOT_DIR" && find . -mindepth 1 -maxdepth 1 ! -name shared ! -name host \
        ! -name dotnet ! -name LICENSE.txt ! -name ThirdPartyNotices.txt | LC_ALL=C sort)
    while IFS= read -r f; do
        SDK_PATHS+=("$f")
    done < <(cd "$DOTNET_ROOT_DIR" && find ./shared -mindepth 2 -maxdepth 2 \
        ! -path "./shared/Microsoft.NETCore.App/$NETCORE_VERSION" \
        ! -path "./shared/Microsoft.AspNetCore.App/$ASPNET_VERSION" | LC_ALL=C sort)
}

runtime_dockerfile() {
    cat <<EOF
# kinlet.local/dotnet-runtime:10.0 (generated by scripts/images.sh)
FROM $MINBASE_IMAGE
COPY dotnet/ /usr/share/dotnet/
RUN ln -sf /usr/share/dotnet/dotnet /usr/bin/dotnet \\
 && groupadd --gid 1000 app \\
 && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/app --shell /bin/sh app
ENV DOTNET_ROOT=/usr/share/dotnet \\
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \\
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \\
    DOTNET_NOLOGO=1 \\
    DOTNET_RUNNING_IN_CONTAINER=true \\
    APP_UID=1000
WORKDIR /app
LABEL org.opencontainers.image.version=$NETCORE_VERSION \\
      dev.kinlet.aspnetcore-version=$ASPNET_VERSION
EOF
}

sdk_dockerfile() {
    cat <<EOF
# kinlet.local/dotnet-sdk:10.0 (generated by scripts/images.sh)
FROM $RUNTIME_IMAGE
COPY dotnet/ /usr/share/dotnet/
# No network in builds: NuGet has no sources unless a project's own nuget.config adds some.
COPY NuGet.Config /root/.nuget/NuGet/NuGet.Config
COPY --chown=app:app NuGet.Config /home/app/.nuget/NuGet/NuGet.Config
COPY feed/ /usr/share/kinlet/nuget/
ENV DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1 \\
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \\
    DOTNET_GENERATE_ASPNET_CERTIFICATE=false \\
    DOTNET_CLI_USE_MSBUILD_SERVER=0 \\
    MSBUILDDISABLENODEREUSE=1 \\
    NUGET_XMLDOC_MODE=skip
WORKDIR /src
LABEL org.opencontainers.image.version=$SDK_VERSION
EOF
}

nuget_config() {
    cat <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<!-- kinlet.local/dotnet-sdk: builds run offline. One local feed holds the few packages Kinlet's
     function templates use (the CloudEvents SDK); framework-only projects need no package. -->
<configuration>
  <packageSources>
    <clear />
    <add key="kinlet-local" value="/usr/share/kinlet/nuget" />
  </packageSources>
</configuration>
EOF
}

# build_from_dotnet_root TAG VERSION_TAG DOCKERFILE_FN EXTRA_FILES_FN PATH...: docker build with a
# context streamed as a tar: the generated Dockerfile (+ NuGet.Config) and PATHs of the host's
# dotnet root under dotnet/.
build_from_dotnet_root() {
    local tag="$1" vtag="$2" dockerfile_fn="$3" name="$4"
    shift 4
    local start hash old tmp parent
    start="$(now_s)"
    parent="$(from_images <("$dockerfile_fn") | head -n1)"
    hash="$({
        echo "dotnet-image-recipe-1"
        "$dockerfile_fn"
        nuget_config
        declare -f build_from_dotnet_root
        [[ "$dockerfile_fn" != sdk_dockerfile ]] || (cd "$FEED_DIR" && sha256sum -- *.nupkg)
        image_id "$parent"
        printf '%s\n' "$@"
        paths_hash "$DOTNET_ROOT_DIR" "$@"
    } | sha256)"
    if up_to_date "$tag" "$hash" "$vtag"; then
        report "$tag" "up to date" "$start"
        return 0
    fi
    old="$(image_id "$tag")"
    tmp="$(mktemp -d)"
    "$dockerfile_fn" >"$tmp/Dockerfile"
    nuget_config >"$tmp/NuGet.Config"
    # Only the SDK image takes the feed; the runtime's context carries an empty folder.
    mkdir "$tmp/feed"
    [[ "$dockerfile_fn" != sdk_dockerfile ]] || cp "$FEED_DIR"/*.nupkg "$tmp/feed/"
    # The context is streamed: nothing of the (large) dotnet root is copied on disk.
    # shellcheck disable=SC2016 # expanded by the inner bash
    run_logged "$(build_log "$name")" bash -o pipefail -c '
        tmp="$1"; root="$2"; shift 2
        tar --numeric-owner --owner=0 --group=0 -cf - \
            -C "$tmp" Dockerfile NuGet.Config feed \
            -C "$root" --transform "s,^\./,dotnet/,rSH" "${@:3}" |
        docker build --force-rm --label "$1" -t "$2" -
    ' sh "$tmp" "$DOTNET_ROOT_DIR" "$LABEL=$hash" "$tag" "$@"
    rm -rf "$tmp"
    docker tag "$tag" "$vtag"
    retire "$old" "$tag"
    report "$tag" "built" "$start"
}

# FEED_PACKAGES: the packages of the SDK image's local feed (id/version), taken from the host's
# NuGet cache; a restore fills the cache first when one is missing (NuGet is reachable). Markdig is
# there for samples/markdown.
FEED_PACKAGES=(cloudnative.cloudevents/2.9.0 cloudnative.cloudevents.systemtextjson/2.9.0 markdig/1.6.0)

prepare_feed() {
    local cache p id version missing=()
    cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
    for p in "${FEED_PACKAGES[@]}"; do
        [[ -f "$cache/$p/${p%%/*}.${p##*/}.nupkg" ]] || missing+=("$p")
    done
    if ((${#missing[@]})); then
        local proj
        proj="$(mktemp -d)"
        {
            echo '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup>'
            for p in "${missing[@]}"; do
                printf '<PackageReference Include="%s" Version="%s" />\n' "${p%%/*}" "${p##*/}"
            done
            echo '</ItemGroup></Project>'
        } >"$proj/feed.csproj"
        run_logged "$(build_log nuget-feed)" dotnet restore "$proj/feed.csproj"
        rm -rf "$proj"
    fi
    FEED_DIR="$WORK/nuget-feed"
    rm -rf "$FEED_DIR"
    mkdir -p "$FEED_DIR"
    for p in "${FEED_PACKAGES[@]}"; do
        id="${p%%/*}"
        version="${p##*/}"
        cp "$cache/$p/$id.$version.nupkg" "$FEED_DIR/"
    done
}

# ---------------------------------------------------------------------------------------------
# kinlet.local/node and kinlet.local/python: function bases for `kinlet deploy`
# ---------------------------------------------------------------------------------------------

# language_dockerfile PACKAGES: minbase + Debian packages + the app user (uid 1000).
language_dockerfile() {
    cat <<EOF
# generated by scripts/images.sh
FROM $MINBASE_IMAGE
RUN apt-get update \\
 && apt-get install -y --no-install-recommends $1 \\
 && rm -rf /var/lib/apt/lists/* \\
 && groupadd --gid 1000 app \\
 && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/app --shell /bin/sh app
WORKDIR /app
EOF
}

# build_language_image TAG PACKAGES: built with the network (apt reaches the Debian mirror).
build_language_image() {
    local tag="$1" packages="$2"
    local start hash old tmp
    start="$(now_s)"
    hash="$({
        echo "language-image-recipe-1 $tag"
        language_dockerfile "$packages"
        declare -f build_language_image
        image_id "$MINBASE_IMAGE"
    } | sha256)"
    if up_to_date "$tag" "$hash"; then
        report "$tag" "up to date" "$start"
        return 0
    fi
    old="$(image_id "$tag")"
    tmp="$(mktemp -d)"
    language_dockerfile "$packages" >"$tmp/Dockerfile"
    run_logged "$(build_log "$tag")" docker build --force-rm --label "$LABEL=$hash" -t "$tag" "$tmp"
    rm -rf "$tmp"
    retire "$old" "$tag"
    report "$tag" "built" "$start"
}

# ---------------------------------------------------------------------------------------------
# Images built from a folder with a Dockerfile (samples, test images)
# ---------------------------------------------------------------------------------------------

# build_dir_image TAG DIR: docker build DIR (no network: everything the build needs is local).
build_dir_image() {
    local tag="$1" dir="$2"
    local start hash old img
    start="$(now_s)"
    [[ -f "$dir/Dockerfile" ]] || die "$dir/Dockerfile not found"
    hash="$({
        echo "dir-image-recipe-1 $tag"
        declare -f build_dir_image
        for img in $(from_images "$dir/Dockerfile"); do
            echo "$img $(image_id "$img")"
        done
        PRUNE_BUILD_OUTPUT=1 paths_hash "$dir" .
    } | sha256)"
    if up_to_date "$tag" "$hash"; then
        report "$tag" "up to date" "$start"
        return 0
    fi
    old="$(image_id "$tag")"
    local dangling_before
    dangling_before="$(docker images -q --no-trunc -f dangling=true | sort)"
    run_logged "$(build_log "$tag")" docker build --force-rm --network none \
        --label "$LABEL=$hash" -t "$tag" "$dir"
    retire "$old" "$tag"
    # The classic builder leaves the build stages as untagged images: remove this build's.
    comm -13 <(printf '%s\n' "$dangling_before") \
        <(docker images -q --no-trunc -f dangling=true | sort) |
        xargs -r docker image rm >/dev/null 2>&1 || true
    report "$tag" "built" "$start"
}

# build_published_image TAG DIR: `dotnet publish` DIR's project on the host (its NuGet packages come from
# the registry the host reaches), then docker build DIR's Dockerfile with the output as publish/ in the
# context, no network. For images whose packages the SDK image's offline feed does not carry.
build_published_image() {
    local tag="$1" dir="$2"
    local start hash old img tmp
    start="$(now_s)"
    [[ -f "$dir/Dockerfile" ]] || die "$dir/Dockerfile not found"
    hash="$({
        echo "published-image-recipe-1 $tag"
        declare -f build_published_image
        dotnet --version
        for img in $(from_images "$dir/Dockerfile"); do
            echo "$img $(image_id "$img")"
        done
        PRUNE_BUILD_OUTPUT=1 paths_hash "$dir" .
    } | sha256)"
    if up_to_date "$tag" "$hash"; then
        report "$tag" "up to date" "$start"
        return 0
    fi
    old="$(image_id "$tag")"
    tmp="$(mktemp -d)"
    # The project is copied out first: bin/ and obj/ stay out of the source tree.
    (cd "$dir" && tar --exclude=./bin --exclude=./obj -cf - .) | (mkdir "$tmp/src" && cd "$tmp/src" && tar -xf -)
    run_logged "$(build_log "$tag-publish")" dotnet publish "$tmp/src" -c Release -o "$tmp/context/publish" --nologo
    cp "$dir/Dockerfile" "$tmp/context/Dockerfile"
    run_logged "$(build_log "$tag")" docker build --force-rm --network none \
        --label "$LABEL=$hash" -t "$tag" "$tmp/context"
    rm -rf "$tmp"
    retire "$old" "$tag"
    report "$tag" "built" "$start"
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

ensure_tools busybox-static debootstrap curl
ensure_engine
ensure_dotnet

STATE="$(kinlet_state_dir)"
WORK="$STATE/images"
mkdir -p "$WORK/logs" "$WORK/hashcache" "$WORK/debootstrap"

# One images.sh at a time (tests and install may both call it).
exec 9>"$WORK/.lock"
flock -w 1800 9 || die "another scripts/images.sh holds $WORK/.lock"

total_start="$(now_s)"
build_busybox
engine_can_run "$BUSYBOX_IMAGE"
build_minbase
dotnet_facts
prepare_feed
build_from_dotnet_root "$RUNTIME_IMAGE" "kinlet.local/dotnet-runtime:$NETCORE_VERSION" \
    runtime_dockerfile dotnet-runtime "${RUNTIME_PATHS[@]}"
build_from_dotnet_root "$SDK_IMAGE" "kinlet.local/dotnet-sdk:$SDK_VERSION" \
    sdk_dockerfile dotnet-sdk "${SDK_PATHS[@]}"
build_language_image "$NODE_IMAGE" nodejs
build_language_image "$PYTHON_IMAGE" python3
if [[ -n "$want_samples" ]]; then
    build_dir_image "$HELLO_IMAGE" "$REPO_ROOT/samples/hello"
    build_dir_image "$ORDERS_IMAGE" "$REPO_ROOT/samples/orders"
fi
if [[ -n "$want_test" ]]; then
    build_dir_image "$TESTFN_IMAGE" "$REPO_ROOT/tests/images/testfn"
    build_published_image "$GRPCFN_IMAGE" "$REPO_ROOT/tests/images/grpcfn"
fi
remove_retired
printf '%-42s %-11s %7s\n' "all images" "ready" "$(elapsed "$total_start")"
