#!/usr/bin/env bash
# bench/run.sh — `make bench` (SPEC §10): an optimised build on its own stack in
# bench/var (never var/), 1,000,000 demo calls loaded once, then wrk over HTTPS
# keep-alive against the calls pages beside the same run's references (nginx serving a
# static file of the page's size, pgbench -S on the same server). Prints a table and
# writes bench/results/<timestamp>.json. Stops everything it started.
#
# Knobs (environment): BENCH_CALLS (1000000), BENCH_CONTACTS (200000), BENCH_SEED (1),
# BENCH_DURATION (10s), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
# BENCH_HTTPS_PORT (9443), BENCH_HTTP_PORT (9080).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$REPO/bench/var
CALLS=${BENCH_CALLS:-1000000}
CONTACTS=${BENCH_CONTACTS:-200000}
SEED=${BENCH_SEED:-1}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_HTTPS_PORT:-9443}
BASE=https://127.0.0.1:$PORT
STACK=$REPO/script/lib/stack.sh

export SB_BIN=$REPO/build-bench/switchboard SB_WORKERS=4 SB_NGINX_WORKERS=2 \
    SB_HTTPS_PORT=$PORT SB_HTTP_PORT=${BENCH_HTTP_PORT:-9080} \
    SB_LOGIN_RATE=1000r/s SB_LOGIN_BURST=1000 SB_API_RATE=1000000r/s SB_API_BURST=1000000 \
    SB_ACCESS_LOG=off
CONF=$DIR/switchboard.conf

log() { printf 'bench: %s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

serve_pid=
nginx_pid=
cleanup() {
    if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
    if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
    if [ -f "$DIR/pg/PG_VERSION" ]; then bash "$STACK" pg-stop "$DIR" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_owner() { psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$DIR/pgsock" -U switchboard -d switchboard -c "$1"; }

build() {
    "$REPO/script/bootstrap" bench
    log "building an optimised binary in build-bench/"
    "$REPO/script/build" build-bench
}

# Loads the demo data unless this seed and size are already there.
load_data() {
    local want="seed=$SEED calls=$CALLS contacts=$CONTACTS" have
    have=$(cat "$DIR/seeded" 2>/dev/null || true)
    if [ "$have" = "$want" ] && [ "$(psql_owner "SELECT count(*) FROM calls")" = "$CALLS" ]; then
        log "demo data already loaded ($want)"
        LOAD_SECONDS=null
        return
    fi
    rm -f "$DIR/seeded"
    log "loading demo data ($want)"
    local t0; t0=$(now)
    "$SB_BIN" --config "$CONF" seed --demo --calls "$CALLS" --contacts "$CONTACTS" --seed "$SEED" >&2
    LOAD_SECONDS=$(elapsed "$t0")
    psql_owner "VACUUM ANALYZE" >/dev/null 2>&1 # warnings about the catalogs it may not vacuum
    echo "$want" >"$DIR/seeded"
    log "loaded in $LOAD_SECONDS s"
}

# The static reference: an extra location in this stack's nginx.conf only.
add_static_location() {
    mkdir -p "$DIR/www"
    chmod 755 "$DIR/www"
    perl -0pi -e "s|(\n\s*location /static/ \{)|\n        location = /bench-static.html {\n            alias $DIR/www/page.html;\n            default_type text/html;\n        }\n\$1|" "$DIR/nginx.conf"
}

start_stack() {
    bash "$STACK" init "$DIR"
    bash "$STACK" setup-db "$DIR"
    add_static_location
    load_data
    "$SB_BIN" --config "$CONF" serve 2>"$DIR/log/serve.log" &
    serve_pid=$!
    nginx -p "$DIR" -c "$DIR/nginx.conf" &
    nginx_pid=$!
    local i
    for i in $(seq 1 100); do
        curl -sk -o /dev/null "$BASE/healthz" && return 0
        sleep 0.1
    done
    log "the stack did not answer /healthz (logs in $DIR/log)"
    exit 1
}

# Signs in as the demo admin; prints the session token.
sign_in() {
    local jar=$DIR/tmp/cookies csrf
    rm -f "$jar"
    csrf=$(curl -sk -c "$jar" -b "$jar" "$BASE/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1)
    curl -sk -o /dev/null -c "$jar" -b "$jar" --data-urlencode "email=admin@demo.test" \
        --data-urlencode "password=$(cat "$DIR/demo-password")" --data-urlencode "csrf_token=$csrf" "$BASE/login"
    awk '$6 == "sb_session" { print $7 }' "$jar"
}

to_ms() { # wrk's "1.23ms" / "850.00us" / "1.02s" → milliseconds
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.2f", n }'
}

RESULTS=()
STATIC_RPS=
# run_wrk NAME PATH: one wrk run; records "name rps p50 p99 errors" or "name n/a".
run_wrk() {
    local name=$1 path=$2 code out rps p50 p99 errors
    code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Cookie: sb_session=$SESSION" "$BASE$path")
    if [ "$code" = 404 ]; then
        RESULTS+=("$name|$path|not available|||")
        return
    fi
    [ "$code" = 200 ] || log "$path answers $code"
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "Cookie: sb_session=$SESSION" "$BASE$path")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    errors=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
    RESULTS+=("$name|$path|$rps|$p50|$p99|${errors:-0}")
    [ "$name" = static ] && STATIC_RPS=$rps
    return 0
}

PGBENCH_TPS=
PGBENCH_LAT=
run_pgbench() {
    local pg="-h $DIR/pgsock -U postgres"
    # shellcheck disable=SC2086
    if ! psql -X -A -t -q $pg -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'pgbench'" | grep -q 1; then
        psql -X -q $pg -d postgres -c "CREATE DATABASE pgbench" >/dev/null
        /usr/lib/postgresql/15/bin/pgbench $pg -i -q -s 10 pgbench >/dev/null 2>&1
    fi
    local out
    # shellcheck disable=SC2086
    out=$(/usr/lib/postgresql/15/bin/pgbench $pg -S -c "$CONNS" -j "$THREADS" -T "${DURATION%s}" pgbench 2>/dev/null)
    PGBENCH_TPS=$(awk '/^tps = / { printf "%.0f", $3 }' <<<"$out")
    PGBENCH_LAT=$(awk '/^latency average = / { print $4 }' <<<"$out")
}

worker_rss() { # "pid:rss_kb ..." of the pool's workers
    ps -o pid=,rss= --ppid "$serve_pid" | awk '{ printf "%s%s:%s", sep, $1, $2; sep = " " }'
}

report() {
    local ts=$1 rss=$2 json row name path rps p50 p99 errors ratio first=1
    printf '\n%-12s %-34s %12s %9s %9s %8s %7s\n' target path 'req/s' 'p50 ms' 'p99 ms' 'vs static' errors
    json="{\"timestamp\":\"$ts\",\"calls\":$CALLS,\"contacts\":$CONTACTS,\"seed\":$SEED,\"load_seconds\":$LOAD_SECONDS,"
    json+="\"duration\":\"$DURATION\",\"connections\":$CONNS,\"threads\":$THREADS,\"targets\":["
    for row in "${RESULTS[@]}"; do
        IFS='|' read -r name path rps p50 p99 errors <<<"$row"
        [ $first = 1 ] || json+=","
        first=0
        if [ "$rps" = "not available" ]; then
            printf '%-12s %-34s %12s\n' "$name" "$path" "not available"
            json+="{\"name\":\"$name\",\"path\":\"$path\",\"available\":false}"
            continue
        fi
        ratio=$(awk -v a="$rps" -v b="$STATIC_RPS" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
        printf '%-12s %-34s %12s %9s %9s %8s %7s\n' "$name" "$path" "$rps" "$p50" "$p99" "$ratio" "$errors"
        json+="{\"name\":\"$name\",\"path\":\"$path\",\"available\":true,\"rps\":$rps,\"p50_ms\":$p50,"
        json+="\"p99_ms\":$p99,\"ratio_to_static\":$ratio,\"non_2xx\":$errors}"
    done
    printf '%-12s %-34s %12s %9s\n' pgbench "-S -c $CONNS -j $THREADS" "${PGBENCH_TPS:-?}" "avg ${PGBENCH_LAT:-?}"
    printf '\nworker RSS (pid:KB): %s\n' "$rss"
    [ -n "$LOAD_SECONDS" ] && [ "$LOAD_SECONDS" != null ] && printf 'demo data load: %s s\n' "$LOAD_SECONDS"
    json+="],\"pgbench_select_only\":{\"tps\":${PGBENCH_TPS:-null},\"latency_avg_ms\":${PGBENCH_LAT:-null}},"
    json+="\"worker_rss_kb\":[$(tr ' ' '\n' <<<"$rss" | awk -F: 'NF == 2 { printf "%s%s", sep, $2; sep = "," }')]}"
    mkdir -p "$REPO/bench/results"
    printf '%s\n' "$json" >"$REPO/bench/results/$ts.json"
    printf 'results: bench/results/%s.json\n' "$ts"
}

main() {
    command -v perl >/dev/null || { log "perl is required"; exit 1; }
    build
    LOAD_SECONDS=null
    start_stack
    SESSION=$(sign_in)
    [ -n "$SESSION" ] || { log "could not sign in as admin@demo.test"; exit 1; }
    local phone size
    phone=$(psql_owner "SELECT from_number FROM calls WHERE direction = 'inbound' AND contact_id IS NOT NULL
                        ORDER BY started_at DESC LIMIT 1")
    size=$(curl -sk -o /dev/null -w '%{http_code} %{size_download}' -H "Cookie: sb_session=$SESSION" "$BASE/calls")
    # The static file has the /calls page's size (13 KB, SPEC §10's figure, while there is no page).
    [ "${size%% *}" = 200 ] && size=${size#* } || size=13000
    head -c "$size" /dev/zero | tr '\0' 'x' >"$DIR/www/page.html"
    chmod 644 "$DIR/www/page.html"
    log "running wrk -t$THREADS -c$CONNS -d$DURATION against each target (static page: $size bytes)"
    run_wrk static /bench-static.html
    run_wrk calls /calls
    run_wrk calls_phone "/calls?phone=${phone/+/%2B}"
    run_wrk api_calls /api/v1/calls
    run_wrk analytics /calls/analytics
    run_pgbench
    report "$(date -u +%Y%m%dT%H%M%SZ)" "$(worker_rss)"
}

main "$@"
