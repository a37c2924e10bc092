#!/usr/bin/env bash
# stack.sh — one local Switchboard stack in a directory: a PostgreSQL cluster (unix
# socket only), the configuration, a self-signed certificate and the rendered nginx
# config. Used by script/server (DIR = var/) and by the test harness (DIR = a
# throw-away temporary directory), so both run exactly the same set-up.
#
#   stack.sh init DIR        create what is missing (idempotent) and start PostgreSQL
#   stack.sh setup-db DIR    apply migrations and seed the demo org (password in DIR/demo-password)
#   stack.sh pg-start DIR | pg-stop DIR
#   stack.sh nginx-conf DIR  (re-)render DIR/nginx.conf
#   stack.sh env DIR         print `export ...` lines for the switchboard CLI
#   stack.sh state-dir DIR   print where DIR's cluster, sockets and recordings live
#   stack.sh backup DIR FILE   write the database (pg_dump), the recordings and the
#                              secret key to the tar archive FILE
#   stack.sh restore DIR FILE  replace the database and recordings with those of FILE
#                              (the pool must be stopped: the secret key changes)
#
# PostgreSQL runs with its durable defaults (fsync, synchronous_commit,
# full_page_writes on). Only a throw-away cluster may set SB_PG_UNSAFE_FAST=1, which
# starts the server with the three off (script/test does, for its temporary stacks).
#
# Where the files other users reach live: the postgres user runs the cluster, and
# nginx's workers (www-data) read the static files and recordings and write to the
# FastCGI socket and nginx's temporary files. When DIR lies inside a directory they
# cannot traverse (a checkout in /root), those pieces go to
# /var/lib/switchboard/<hash of DIR>/ (SB_STATE_ROOT) and DIR/pg, DIR/pgsock, DIR/run,
# DIR/recordings and DIR/log/postgres.log are symbolic links to them; the static files
# are copied there for nginx. Nothing in the user's home changes its permissions.
#
# Knobs (environment): SB_BIN (the switchboard binary), SB_HTTPS_PORT (8443),
# SB_HTTP_PORT (8080), SB_WORKERS (4), SB_NGINX_WORKERS (1), SB_NGINX_DAEMON (off),
# SB_LOGIN_RATE (10r/s), SB_LOGIN_BURST (20), SB_API_RATE (200r/s), SB_API_BURST (400),
# SB_WEBHOOK_RATE (100r/s), SB_WEBHOOK_BURST (1000),
# SB_ACCESS_LOG (DIR/log/nginx-access.log), SB_SCRYPT_LOG2_N (17), SB_PG_UNSAFE_FAST,
# SB_STATE_ROOT (/var/lib/switchboard).
set -euo pipefail

SB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() { echo "stack: $*" >&2; exit 1; }

# Runs a PostgreSQL server tool as the postgres user when we are root (they refuse root).
as_pg() {
    # From /: the current directory may be one the postgres user cannot enter.
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

abs_dir() { mkdir -p "$1" && cd "$1" && pwd; }

sb_bin() { echo "${SB_BIN:-$SB_REPO/build/switchboard}"; }

# Users whose processes must reach DIR's pieces: postgres (the cluster, its socket
# and log) and nginx's worker user.
other_users() {
    local u
    for u in postgres www-data; do id "$u" >/dev/null 2>&1 && echo "$u"; done
}

# The directory holding pg, pgsock, run, recordings and tmp for DIR (see the header):
# DIR itself unless we are root and another user cannot traverse DIR. An existing
# cluster decides (DIR/pg a link or a directory), so the answer never changes under it.
state_dir() {
    local dir=$1 u
    if [ -L "$dir/pg" ]; then dirname "$(readlink -f "$dir/pg")"; return 0; fi
    if [ -d "$dir/pg" ] || [ "$(id -u)" != 0 ]; then echo "$dir"; return 0; fi
    for u in $(other_users); do
        if ! runuser -u "$u" -- test -x "$dir"; then
            echo "${SB_STATE_ROOT:-/var/lib/switchboard}/$(printf '%s' "$dir" | sha256sum | cut -c1-16)"
            return 0
        fi
    done
    echo "$dir"
}

# Creates DIR's pieces in the state directory and links them from DIR.
make_state() {
    local dir=$1 state; state=$(state_dir "$dir")
    mkdir -p "$dir/log"
    if [ "$state" = "$dir" ]; then
        mkdir -p "$dir/pg" "$dir/pgsock" "$dir/run" "$dir/recordings" "$dir/tmp"
        return 0
    fi
    # A state directory left behind by a deleted DIR belongs to nobody: start afresh.
    if [ ! -L "$dir/pg" ] && [ -e "$state" ]; then
        [ -f "$state/pg/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -w -D "$state/pg" -m immediate stop >/dev/null 2>&1
        rm -rf "$state"
    fi
    mkdir -p "$state" "$state/pg" "$state/pgsock" "$state/run" "$state/recordings" "$state/tmp" "$state/log"
    chmod 755 "$(dirname "$state")" "$state" "$state/run" "$state/recordings"
    printf '%s\n' "$dir" >"$state/checkout"
    local piece
    for piece in pg pgsock run recordings tmp; do
        if [ -L "$dir/$piece" ] || [ ! -e "$dir/$piece" ]; then ln -sfn "$state/$piece" "$dir/$piece"
        elif [ "$piece" = recordings ] || [ "$piece" = tmp ] || [ "$piece" = run ]; then
            # From an earlier layout: keep what is there, then link.
            cp -a "$dir/$piece/." "$state/$piece/" 2>/dev/null || true
            rm -rf "${dir:?}/$piece"
            ln -sfn "$state/$piece" "$dir/$piece"
        fi
    done
    ln -sfn "$state/log/postgres.log" "$dir/log/postgres.log"
}

# Real paths (other users cannot follow links through a directory they cannot traverse).
pg_data() { readlink -f "$1/pg"; }
pg_sock() { readlink -f "$1/pgsock"; }
pg_log() { echo "$(state_dir "$1")/log/postgres.log"; }

pg_running() { [ -f "$(pg_data "$1")/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$(pg_data "$1")" status >/dev/null 2>&1; }

pg_start() {
    local dir=$1 unsafe=''
    pg_running "$dir" && return 0
    # Throw-away clusters only (the test suite): no durability, for speed.
    [ "${SB_PG_UNSAFE_FAST:-}" = 1 ] && unsafe=' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'
    as_pg "$PG_BIN/pg_ctl" -w -t 60 -D "$(pg_data "$dir")" -l "$(pg_log "$dir")" \
        -o "-k $(pg_sock "$dir") -c listen_addresses='' -c unix_socket_permissions=0770$unsafe" start >/dev/null \
        || { tail -n 20 "$(pg_log "$dir")" >&2; die "PostgreSQL did not start (log: $(pg_log "$dir"))"; }
}

pg_stop() {
    local dir=$1
    pg_running "$dir" || return 0
    as_pg "$PG_BIN/pg_ctl" -w -t 60 -D "$(pg_data "$dir")" -m fast stop >/dev/null
}

# How many 2 MB pages the stopped cluster's shared memory needs (PostgreSQL works it
# out from its settings; it can only while stopped).
pg_huge_pages_needed() {
    as_pg "$PG_BIN/postgres" -D "$(pg_data "$1")" -C shared_memory_size_in_huge_pages
}

# Whether the running cluster's shared memory is on huge pages: "huge" or "small".
pg_huge_pages_in_use() {
    local pid
    pid=$(head -n 1 "$(pg_data "$1")/postmaster.pid" 2>/dev/null) || { echo small; return; }
    if grep -q 'anon_hugepage' "/proc/$pid/maps" 2>/dev/null; then echo huge; else echo small; fi
}

psql_admin() {
    local dir=$1; shift
    psql -X -q -v ON_ERROR_STOP=1 -h "$(pg_sock "$dir")" -U postgres -d "${PGDATABASE_OVERRIDE:-postgres}" "$@"
}

# The cluster, its two roles (schema owner and the application role, which owns
# nothing and so stays under row-level security) and the database.
pg_init() {
    local dir=$1 data
    make_state "$dir"
    data=$(pg_data "$dir")
    if [ ! -f "$data/PG_VERSION" ]; then
        local state; state=$(state_dir "$dir")
        [ "$(id -u)" = 0 ] && chown postgres: "$data" "$(pg_sock "$dir")" "$state/log"
        chmod 700 "$data"
        as_pg test -w "$data" || die "the postgres user cannot write $data"
        as_pg "$PG_BIN/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/log/initdb.log" 2>&1 \
            || { cat "$dir/log/initdb.log" >&2; die "initdb failed"; }
        as_pg tee -a "$data/postgresql.conf" >/dev/null <<'CONF'
# Switchboard local cluster (PostgreSQL's durable defaults: fsync, synchronous_commit
# and full_page_writes stay on)
max_connections = 300
shared_buffers = 256MB
log_min_messages = warning
log_line_prefix = '%m [%p] '
CONF
    elif grep -Eq '^(fsync|synchronous_commit|full_page_writes) = off$' "$data/postgresql.conf"; then
        # A cluster made by an earlier version ran without durability: restore the defaults.
        as_pg sed -i -E '/^(fsync|synchronous_commit|full_page_writes) = off$/d' "$data/postgresql.conf"
        if pg_running "$dir"; then as_pg "$PG_BIN/pg_ctl" -D "$data" reload >/dev/null; fi
    fi
    pg_start "$dir"
    psql_admin "$dir" <<'SQL'
SELECT 'CREATE ROLE switchboard LOGIN BYPASSRLS' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchboard')\gexec
-- The schema owner runs the maintenance commands (migrate, seed, user, org) for
-- every tenant, so it bypasses row-level security; the application role never does.
ALTER ROLE switchboard BYPASSRLS;
SELECT 'CREATE ROLE switchboard_app LOGIN NOSUPERUSER NOBYPASSRLS' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchboard_app')\gexec
SELECT 'CREATE DATABASE switchboard OWNER switchboard' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'switchboard')\gexec
SQL
}

ensure_secret() {
    local file=$1 bytes=$2
    if [ ! -s "$file" ]; then
        (umask 077; openssl rand -base64 "$bytes" | tr -d '\n=/+' >"$file")
    fi
}

write_config() {
    local dir=$1
    ensure_secret "$dir/secret-key" 48
    (umask 077; cat >"$dir/switchboard.conf" <<CONF
# Generated by script/lib/stack.sh for this local stack; edit freely, it is only
# rewritten when missing settings change.
database_url = host=$dir/pgsock dbname=switchboard user=switchboard_app
admin_database_url = host=$dir/pgsock dbname=switchboard user=switchboard
secret_key = $(cat "$dir/secret-key")
listen = unix:$dir/run/switchboard.sock
workers = ${SB_WORKERS:-4}
template_dir = $SB_REPO/templates
static_dir = $SB_REPO/static
sql_dir = $SB_REPO/sql
recordings_dir = $dir/recordings
scrypt_log2_n = ${SB_SCRYPT_LOG2_N:-17}
CONF
    )
    # This site as browsers and providers reach it (links in emails, providers'
    # callbacks), when the caller knows it (script/server does).
    [ -z "${SB_PUBLIC_URL:-}" ] || printf 'public_url = %s\n' "$SB_PUBLIC_URL" >>"$dir/switchboard.conf"
}

tls_cert() {
    local dir=$1
    [ -s "$dir/tls/cert.pem" ] && [ -s "$dir/tls/key.pem" ] && return 0
    mkdir -p "$dir/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
        -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
        -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" >/dev/null 2>&1 || die "openssl could not make a certificate"
    chmod 600 "$dir/tls/key.pem"
}

# The static files nginx serves: the checkout's, or a copy in the state directory when
# nginx's worker user cannot read the checkout (a checkout in /root).
static_dir_for_nginx() {
    local dir=$1 state; state=$(state_dir "$dir")
    if [ "$(id -u)" != 0 ] || ! id www-data >/dev/null 2>&1 \
        || runuser -u www-data -- test -r "$SB_REPO/static/css/app.css"; then
        echo "$SB_REPO/static"; return 0
    fi
    rm -rf "$state/static.new"
    cp -r "$SB_REPO/static" "$state/static.new"
    chmod -R a+rX "$state/static.new"
    rm -rf "$state/static"
    mv "$state/static.new" "$state/static"
    echo "$state/static"
}

# nginx workers must read static files and recordings and reach the FastCGI socket.
# As root we give them an unprivileged user when it can, else root.
nginx_user() { # DIR STATIC_DIR
    [ "$(id -u)" = 0 ] || return 0
    local u state; state=$(state_dir "$1")
    for u in www-data nobody; do
        if id "$u" >/dev/null 2>&1 && runuser -u "$u" -- test -r "$2/css/app.css" \
            && runuser -u "$u" -- test -x "$state/run" && runuser -u "$u" -- test -x "$state/recordings"; then
            echo "$u"; return 0
        fi
    done
    echo root
}

listen_lines() { # port [extra]
    local port=$1 extra=${2:-}
    printf 'listen 127.0.0.1:%s%s;' "$port" "$extra"
    if grep -q ' lo$' /proc/net/if_inet6 2>/dev/null; then printf ' listen [::1]:%s%s;' "$port" "$extra"; fi
}

nginx_conf() {
    local dir=$1 user state static
    make_state "$dir"
    state=$(state_dir "$dir")
    mkdir -p "$state/tmp/body" "$state/tmp/fastcgi" "$state/tmp/proxy" "$state/tmp/uwsgi" "$state/tmp/scgi" "$dir/log"
    static=$(static_dir_for_nginx "$dir")
    user=$(nginx_user "$dir" "$static")
    if [ -n "$user" ]; then
        chown -R "$user" "$state/tmp"
        chmod 755 "$dir" "$state" "$state/run" "$state/recordings"
    fi
    cp "$SB_REPO/nginx/fastcgi.params" "$dir/fastcgi.params"
    SBN_USER_DIRECTIVE=${user:+"user $user;"} \
    SBN_NGINX_WORKERS=${SB_NGINX_WORKERS:-1} \
    SBN_PREFIX=$dir SBN_TEMP_DIR=$state/tmp \
    SBN_DAEMON_DIRECTIVE="daemon ${SB_NGINX_DAEMON:-off};" \
    SBN_MIME_TYPES=/etc/nginx/mime.types \
    SBN_UPLOAD_LIMIT=21m \
    SBN_ACCESS_LOG="${SB_ACCESS_LOG:-$dir/log/nginx-access.log switchboard buffer=64k flush=1s}" \
    SBN_LOGIN_RATE=${SB_LOGIN_RATE:-10r/s} SBN_LOGIN_BURST=${SB_LOGIN_BURST:-20} \
    SBN_API_RATE=${SB_API_RATE:-200r/s} SBN_API_BURST=${SB_API_BURST:-400} \
    SBN_WEBHOOK_RATE=${SB_WEBHOOK_RATE:-100r/s} SBN_WEBHOOK_BURST=${SB_WEBHOOK_BURST:-1000} \
    SBN_FASTCGI_ADDRESS="unix:$state/run/switchboard.sock" \
    SBN_HTTP_LISTEN="$(listen_lines "${SB_HTTP_PORT:-8080}")" \
    SBN_HTTPS_LISTEN="$(listen_lines "${SB_HTTPS_PORT:-8443}" ' ssl http2')" \
    SBN_HTTPS_PORT=${SB_HTTPS_PORT:-8443} \
    SBN_TLS_CERT=$dir/tls/cert.pem SBN_TLS_KEY=$dir/tls/key.pem \
    SBN_STATIC_DIR=$static SBN_RECORDINGS_DIR=$state/recordings \
    perl -pe 's/@([A-Z_]+)@/exists $ENV{"SBN_$1"} ? $ENV{"SBN_$1"} : die "unknown placeholder \@$1\@\n"/ge' \
        "$SB_REPO/nginx/switchboard.conf.in" >"$dir/nginx.conf.new"
    mv "$dir/nginx.conf.new" "$dir/nginx.conf"
}

cmd_init() {
    local dir; dir=$(abs_dir "$1")
    mkdir -p "$dir/log"
    chmod 755 "$dir"
    pg_init "$dir"
    write_config "$dir"
    tls_cert "$dir"
    nginx_conf "$dir"
}

cmd_setup_db() {
    local dir; dir=$(abs_dir "$1")
    local bin; bin=$(sb_bin)
    ensure_secret "$dir/demo-password" 18
    "$bin" --config "$dir/switchboard.conf" migrate
    "$bin" --config "$dir/switchboard.conf" seed --demo --admin-password-stdin <"$dir/demo-password" >/dev/null
}

cmd_env() {
    local dir; dir=$(abs_dir "$1")
    local bin; bin=$(sb_bin)
    printf 'export SWITCHBOARD_CONFIG=%q\n' "$dir/switchboard.conf"
    printf 'export PATH=%q:"$PATH"\n' "$(dirname "$bin")"
    printf 'export SWITCHBOARD_DATABASE_URL=%q\n' "host=$dir/pgsock dbname=switchboard user=switchboard_app"
    printf 'export SWITCHBOARD_ADMIN_DATABASE_URL=%q\n' "host=$dir/pgsock dbname=switchboard user=switchboard"
    printf 'export SWITCHBOARD_SECRET_KEY=%q\n' "$(cat "$dir/secret-key")"
    printf 'export SWITCHBOARD_TEMPLATE_DIR=%q SWITCHBOARD_STATIC_DIR=%q SWITCHBOARD_SQL_DIR=%q\n' \
        "$SB_REPO/templates" "$SB_REPO/static" "$SB_REPO/sql"
    printf 'export SWITCHBOARD_RECORDINGS_DIR=%q\n' "$dir/recordings"
}

# A backup is a tar archive: switchboard.dump (pg_dump's custom format, the whole
# database with its row-level security policies and grants; the roles themselves are
# made by `init`), recordings/ and secret-key (it seals the provider secrets stored in
# the database), and demo-password when there is one.
cmd_backup() {
    local dir; dir=$(abs_dir "$1")
    local file=$2 tmp
    [ -n "$file" ] || die "usage: stack.sh backup DIR FILE"
    pg_running "$dir" || die "PostgreSQL of $dir is not running"
    tmp=$(mktemp -d)
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" RETURN
    (umask 077
     pg_dump -Fc -h "$(pg_sock "$dir")" -U postgres -d switchboard -f "$tmp/switchboard.dump" \
        || die "pg_dump failed"
     cp "$dir/secret-key" "$tmp/secret-key"
     [ -s "$dir/demo-password" ] && cp "$dir/demo-password" "$tmp/demo-password"
     mkdir "$tmp/recordings"
     cp -a "$(readlink -f "$dir/recordings")/." "$tmp/recordings/"
     tar -cf "$file.partial" -C "$tmp" . && mv "$file.partial" "$file") || die "could not write $file"
}

cmd_restore() {
    local dir; dir=$(abs_dir "$1")
    local file=$2 tmp rec
    [ -n "$file" ] && [ -f "$file" ] || die "usage: stack.sh restore DIR FILE (an archive made by backup)"
    pg_running "$dir" || die "PostgreSQL of $dir is not running (stack.sh init DIR first)"
    tmp=$(mktemp -d)
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" RETURN
    tar -xf "$file" -C "$tmp" || die "$file is not a backup archive"
    [ -s "$tmp/switchboard.dump" ] && [ -s "$tmp/secret-key" ] || die "$file is not a backup archive (no switchboard.dump or secret-key)"
    psql_admin "$dir" <<'SQL'
DROP DATABASE IF EXISTS switchboard WITH (FORCE);
CREATE DATABASE switchboard OWNER switchboard;
SQL
    pg_restore --exit-on-error -h "$(pg_sock "$dir")" -U postgres -d switchboard "$tmp/switchboard.dump" \
        || die "pg_restore failed"
    rec=$(readlink -f "$dir/recordings")
    find "$rec" -mindepth 1 -delete
    cp -a "$tmp/recordings/." "$rec/"
    chmod -R a+rX "$rec"
    (umask 077; cp "$tmp/secret-key" "$dir/secret-key")
    [ -s "$tmp/demo-password" ] && (umask 077; cp "$tmp/demo-password" "$dir/demo-password")
    # The configuration keeps everything else; only its secret key follows the data.
    if [ -f "$dir/switchboard.conf" ]; then
        KEY=$(cat "$dir/secret-key") perl -pi -e 's/^secret_key = .*$/secret_key = $ENV{KEY}/' "$dir/switchboard.conf"
    fi
    return 0
}

main() {
    [ $# -ge 2 ] || die "usage: stack.sh init|setup-db|pg-start|pg-stop|pg-huge-pages-needed|pg-huge-pages-in-use|nginx-conf|env DIR | backup|restore DIR FILE"
    local cmd=$1 dir=$2
    case $cmd in
        init) cmd_init "$dir" ;;
        setup-db) cmd_setup_db "$dir" ;;
        pg-start) pg_start "$(abs_dir "$dir")" ;;
        pg-stop) pg_stop "$(abs_dir "$dir")" ;;
        pg-huge-pages-needed) pg_huge_pages_needed "$(abs_dir "$dir")" ;;
        pg-huge-pages-in-use) pg_huge_pages_in_use "$(abs_dir "$dir")" ;;
        nginx-conf) nginx_conf "$(abs_dir "$dir")" ;;
        env) cmd_env "$dir" ;;
        state-dir) state_dir "$(abs_dir "$dir")" ;;
        backup) cmd_backup "$dir" "${3:-}" ;;
        restore) cmd_restore "$dir" "${3:-}" ;;
        *) die "unknown command '$cmd'" ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
