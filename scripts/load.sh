#!/usr/bin/env bash
# Load test of the web pages, one page kind at a time, with wrk on loopback (issue 16).
#
#   bash scripts/load.sh [--students 50000] [--duration 10s] [--connections 16]
#
# Starts `wuyu demo` (WUYU_BIN, default target/release/wuyu) on a free loopback port with a
# throwaway data directory, signs in as the demo roles, runs `wrk` against each page kind for the
# given duration and prints a Markdown table (requests/s, p50, p99). wrk runs on the same cores as
# the server, so the figures are lower bounds. Needs Debian's wrk (apt-get install wrk) and curl.
# WUYU_READ_CACHE=off (passed on to the server) computes the district pages' read models on
# every request: the baseline for the cached figures.
set -euo pipefail

students=50000 duration=10s connections=16
while (($#)); do
    case $1 in
        --students) students=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
bin=${WUYU_BIN:-target/release/wuyu}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[[ -x $bin ]] || { echo "no binary at $bin (cargo build --release -p wuyu-cli, or set WUYU_BIN)" >&2; exit 1; }

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
password=load-pass-123
"$bin" demo --data-dir "$data" --port "$port" --password "$password" --students "$students" \
    >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 600); do
    curl -s -o /dev/null "$base/login" && break
    kill -0 $server 2>/dev/null || { cat "$data/server.log" >&2; exit 1; }
    sleep 1
done

# The session cookie of a demo role.
session() {
    curl -s -D - -o /dev/null -H "Origin: $base" --data-urlencode "username=$1" --data-urlencode "password=$password" \
        "$base/login" | sed -n 's/^[Ss]et-[Cc]ookie: \(wuyu_session=[^;]*\).*/\1/p' | tr -d '\r'
}
# Where a page redirects to (a parent's / goes to their child's record).
location() {
    curl -s -o /dev/null -w '%{redirect_url}' -H "Cookie: $2" "$base$1" | sed "s#^$base##"
}
# The first link on a page matching a pattern.
first_link() {
    curl -s -H "Cookie: $2" "$base$1" | grep -o "href=\"$3\"" | head -1 | sed 's/^href="//; s/"$//'
}

district=$(session demo-district)
school=$(session demo-school)
teacher=$(session demo-teacher)
parent=$(session demo-parent)
school_page=$(location / "$school")
exam_page=$(first_link /exams "$district" '/exams/[0-9]*')
class_page=$(first_link "$(location / "$teacher")" "$teacher" '/schools/[0-9]*/classes/[0-9]*')
child_page=$(location / "$parent")

echo "wuyu demo --students $students · wrk -t2 -c$connections -d$duration --timeout 10s · $(nproc) cores shared by server and wrk · read cache ${WUYU_READ_CACHE:-on}"
echo
echo "| page | role | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|"
run() {
    local label=$1 path=$2 cookie=$3
    local out
    # One request first: a page's read model is built on its first visit and kept until the
    # next write, and 16 cold requests at once would each build it.
    curl -s -o /dev/null -H "Cookie: $cookie" "$base$path"
    out=$(wrk -t2 -c"$connections" -d"$duration" --timeout 10s --latency -H "Cookie: $cookie" "$base$path")
    local rps p50 p99
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    if grep -q "Non-2xx" <<<"$out"; then rps="$rps (non-2xx!)"; fi
    echo "| \`$path\` | $label | $rps | $p50 | $p99 |"
}
run district / "$district"
run district /fitness "$district"
run district /exams "$district"
run district "$exam_page" "$district"
run district /plan "$district"
run district /plan/progress "$district"
run school "$school_page" "$school"
run school /imports "$school"
run teacher "$class_page" "$teacher"
run parent "$child_page" "$parent"
