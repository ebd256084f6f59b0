#!/usr/bin/env bash
# Starts a throwaway SeaweedFS (S3-compatible object storage) on loopback for the tests,
# building `weed` once into a cache (scripts/build-weed.sh), and prints the settings to export:
#   eval "$(scripts/start-seaweedfs.sh)"
# Reuses a running one (same folder). Stop it: kill "$(cat /tmp/anjian-weed/pid)".
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${WEED_DIR_TEST:-/tmp/anjian-weed}"
bucket=anjian-test
key=anjian-test
secret=anjian-test-secret-key
weed=$(scripts/build-weed.sh)
print_env() {
    cat <<ENV
export ANJIAN_TEST_BLOBS=s3://$bucket
export AWS_ENDPOINT_URL=http://127.0.0.1:$1
export AWS_ALLOW_HTTP=true
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=$key
export AWS_SECRET_ACCESS_KEY=$secret
ENV
}
up() { curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/" ; }
if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null && [ -f "$dir/s3.port" ] &&
    up "$(cat "$dir/s3.port")"; then
    print_env "$(cat "$dir/s3.port")"
    exit 0
fi
rm -rf "$dir"
mkdir -p "$dir/data"
# Four free HTTP ports below 30000 (each service's gRPC port is its HTTP port + 10000).
read -r master volume filer s3 < <(python3 - <<'PY'
import random, socket
def free(p):
    for q in (p, p + 10000):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", q))
        except OSError:
            return False
        finally:
            s.close()
    return True
ports = []
while len(ports) < 4:
    p = random.randrange(20000, 22000)
    if p not in ports and free(p):
        ports.append(p)
print(*ports)
PY
)
cat >"$dir/s3.json" <<JSON
{"identities": [{"name": "anjian", "credentials": [{"accessKey": "$key", "secretKey": "$secret"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
nohup "$weed" mini -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="$master" -volume.port="$volume" -filer.port="$filer" -s3.port="$s3" \
    -s3.config="$dir/s3.json" -bucket="$bucket" -master.telemetry=false \
    -webdav=false -admin.ui=false -admin.port.legacy=0 -s3.port.iceberg=0 -s3.port.lance=0 \
    >"$dir/log" 2>&1 &
echo $! >"$dir/pid"
echo "$s3" >"$dir/s3.port"
for _ in $(seq 1 300); do
    up "$s3" && break
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
    sleep 0.2
done
# Serving is not enough: the bucket and the credentials are set up last.
for _ in $(seq 1 300); do
    grep -q "ready to use" "$dir/log" && break
    sleep 0.2
done
grep -q "ready to use" "$dir/log" || { echo "SeaweedFS did not start" >&2; tail -30 "$dir/log" >&2; exit 1; }
print_env "$s3"
