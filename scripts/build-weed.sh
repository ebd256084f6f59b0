#!/usr/bin/env bash
# Builds SeaweedFS's `weed` once into a cache outside the repository and prints its path.
# `go install` is refused for this module (its go.mod has replace directives), so the
# module is downloaded and built inside its own folder. Cold: ~8 minutes on 2 cores.
set -euo pipefail
version="v0.0.0-20261109003541-7506e5f91cd6"
cache="${ANJIAN_WEED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/anjian}"
bin="$cache/weed-$version"
if [ ! -x "$bin" ]; then
    command -v go >/dev/null || { echo "build-weed: Go is needed to build SeaweedFS" >&2; exit 1; }
    mkdir -p "$cache"
    dir=$(go mod download -json "github.com/seaweedfs/seaweedfs@$version" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
    echo "build-weed: building SeaweedFS $version (several minutes, once)" >&2
    (cd "$dir" && nice go build -o "$bin.tmp" ./weed) >&2
    mv "$bin.tmp" "$bin"
fi
echo "$bin"
