#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: a fresh data directory under /tmp, trust auth, listening
# on 127.0.0.1 only, on a free port, with durability switched off (fast, and nothing is worth keeping).
#
# Two ways to use it:
#   source scripts/pg-throwaway.sh && pg_throwaway_start   # exports WUYU_TEST_PG_URL and installs
#                                                          # an EXIT trap that stops and deletes it
#   bash scripts/pg-throwaway.sh <command> [args...]       # runs one command with the cluster up
#
# Needs the PostgreSQL server binaries (Debian package postgresql, any major); the highest version
# under /usr/lib/postgresql/*/bin is used. PostgreSQL refuses to run as root, so as root the server
# runs as the `postgres` system user (created by the Debian package).

PG_THROWAWAY_DIR=
PG_THROWAWAY_BIN=

# Runs a server binary as a user PostgreSQL accepts, from a directory that user can read.
_pg_as_owner() {
    if [[ $(id -u) == 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

pg_throwaway_start() {
    local bindir port
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z $bindir || ! -x $bindir/initdb || ! -x $bindir/pg_ctl ]]; then
        echo "pg-throwaway: no PostgreSQL server found under /usr/lib/postgresql/*/bin" \
            "(apt-get install postgresql)" >&2
        return 1
    fi
    if [[ $(id -u) == 0 ]] && ! id postgres >/dev/null 2>&1; then
        echo "pg-throwaway: running as root but there is no 'postgres' user to run the server" >&2
        return 1
    fi
    PG_THROWAWAY_BIN=$bindir

    PG_THROWAWAY_DIR=$(mktemp -d /tmp/wuyu-pg.XXXXXX) || return 1
    # Install the trap as soon as there is something to clean up.
    trap pg_throwaway_stop EXIT
    if [[ $(id -u) == 0 ]]; then
        chown postgres: "$PG_THROWAWAY_DIR" || return 1
    fi

    # The first port from 55432 on that nobody listens on (bash's /dev/tcp connects or fails).
    for ((port = 55432; port < 55532; port++)); do
        (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
    done

    # --no-locale/UTF8: the same collation everywhere, whatever the machine's locale.
    if ! _pg_as_owner "$bindir/initdb" -D "$PG_THROWAWAY_DIR/data" -U postgres -A trust \
        -E UTF8 --no-locale --no-sync --no-instructions >"$PG_THROWAWAY_DIR/initdb.log" 2>&1; then
        cat "$PG_THROWAWAY_DIR/initdb.log" >&2
        echo "pg-throwaway: initdb failed" >&2
        return 1
    fi
    # -k: the Unix socket goes into the temp dir, so no system directory is needed or touched.
    if ! _pg_as_owner "$bindir/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -l "$PG_THROWAWAY_DIR/server.log" \
        -w -t 60 -o "-h 127.0.0.1 -p $port -k $PG_THROWAWAY_DIR -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
        cat "$PG_THROWAWAY_DIR/server.log" >&2
        echo "pg-throwaway: pg_ctl start failed" >&2
        return 1
    fi
    if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 10; then
        echo "pg-throwaway: server started but does not accept connections on port $port" >&2
        return 1
    fi

    export WUYU_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "pg-throwaway: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}')" \
        "at $WUYU_TEST_PG_URL (data in $PG_THROWAWAY_DIR)"
}

# Stops the server (immediate: there is nothing to save) and deletes its directory. Idempotent.
pg_throwaway_stop() {
    [[ -n $PG_THROWAWAY_DIR ]] || return 0
    if [[ -f $PG_THROWAWAY_DIR/data/postmaster.pid ]]; then
        _pg_as_owner "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m immediate -w \
            stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_THROWAWAY_DIR"
    echo "pg-throwaway: stopped and removed $PG_THROWAWAY_DIR"
    PG_THROWAWAY_DIR=
    unset WUYU_TEST_PG_URL
}

# Executed rather than sourced: run the given command against a throwaway cluster.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    if [[ $# == 0 ]]; then
        echo "usage: bash $0 <command> [args...]   (or source it and call pg_throwaway_start)" >&2
        exit 2
    fi
    pg_throwaway_start
    "$@"
fi
