#!/bin/sh
# pg-cluster.sh - a throwaway PostgreSQL cluster for the tests and the bench.
#
#   sh scripts/pg-cluster.sh start DIR [--fast] [--tcp PORT]
#                                                 prints the base URI
#   sh scripts/pg-cluster.sh stop DIR             stops it, removes DIR
#
# start makes DIR (absent or empty), initdb's DIR/data (UTF8, locale C),
# and runs the server with no TCP at all: its only door is the socket in
# DIR, with trust auth, so DIR is mode 0700 (anyone who can reach the
# socket is superuser).  The server logs to DIR/postgres.log.  Role
# `affild` (LOGIN CREATEDB) owns what the tests make.  The URI printed is
#
#   postgresql://affild@/postgres?host=DIR&port=5432
#
# (libpq: an empty host part, the socket directory as host=); a database
# of its own is the same with its name in place of `postgres`.
#
# --fast turns off fsync and full_page_writes (the tests: only a crash of
# the machine could lose data, and nobody keeps it); without it the
# cluster is as durable as a real one (the bench).
#
# --tcp PORT also listens on 127.0.0.1:PORT, where every role must give
# its password (scram-sha-256), as a production server asks a daemon
# that is not its neighbour (tests/e2e/test_deployed.py); the socket in
# DIR, and the URI printed, then have port PORT too.
#
# initdb and postgres refuse to run as root: as root, they run as Debian's
# `postgres` system user, who gets DIR; as anyone else, as themselves.
set -eu

usage() {
	echo "usage: pg-cluster.sh start DIR [--fast] [--tcp PORT] | stop DIR" >&2
	exit 2
}
die() {
	echo "pg-cluster.sh: $*" >&2
	exit 1
}

[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2
fast=no tcp=
case $cmd in
start | stop) ;;
*) usage ;;
esac
while [ $# -gt 0 ]; do
	case $cmd:$1 in
	start:--fast) fast=yes ;;
	start:--tcp)
		[ $# -ge 2 ] || usage
		tcp=$2
		shift
		case $tcp in
		'' | *[!0-9]*) usage ;;
		esac
		;;
	*) usage ;;
	esac
	shift
done

# The path goes into postgresql.conf and into a URI unquoted: allow only
# what needs no quoting in either (no spaces, quotes, %, &, ...).
case $dir in
/*) ;;
*) dir=$PWD/$dir ;;
esac
case $dir in
*[!A-Za-z0-9/._-]*) die "DIR may hold only A-Z a-z 0-9 / . _ -: $dir" ;;
esac
# sun_path is 108 bytes: DIR/.s.PGSQL.PORT and its NUL must fit
[ ${#dir} -le 92 ] || die "DIR too long for a socket path (92 bytes max): $dir"

# The client's environment must not move the server or the socket.
unset PGDATA PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS

# pg_config may be libpq-dev's of another major (apt.postgresql.org) with
# no server beside it: take its bindir only if initdb is there.
bin=$(pg_config --bindir 2>/dev/null || true)
if [ ! -x "$bin/initdb" ]; then
	bin=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
[ -x "$bin/initdb" ] || die "no PostgreSQL server found (apt-get install postgresql)"

# as_pg CMD... - run a server program as whoever may run it
if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 ||
	    die "as root, needs the postgres system user (Debian's postgresql package)"
	as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
	as_pg() { "$@"; }
fi

# running - does a server run on DIR/data?  (a stale postmaster.pid: no)
running() {
	[ -f "$dir/data/postmaster.pid" ] &&
	    as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

if [ "$cmd" = stop ]; then
	[ -e "$dir" ] || exit 0
	# rm -rf only what start made (not `stop /` by a slip)
	[ -f "$dir/.pg-cluster" ] || die "$dir was not made by pg-cluster.sh start"
	if running; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -s stop
	fi
	rm -rf "$dir"
	exit 0
fi

running && die "a cluster runs in $dir: pg-cluster.sh stop $dir"
if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
	die "$dir exists and is not empty (a stopped cluster? pg-cluster.sh stop $dir)"
fi
mkdir -p "$dir"
chmod 0700 "$dir"
: > "$dir/.pg-cluster"
if [ "$(id -u)" -eq 0 ]; then
	chown postgres: "$dir"
	as_pg test -w "$dir" ||
	    die "user postgres cannot reach $dir (a parent not searchable?)"
fi

as_pg "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C \
    -A trust >/dev/null
# the local socket, trusted; TCP on loopback only, with a password
echo "local all all trust" > "$dir/data/pg_hba.conf"
listen=
if [ -n "$tcp" ]; then
	echo "host all all 127.0.0.1/32 scram-sha-256" >> "$dir/data/pg_hba.conf"
	listen=127.0.0.1
fi
cat >> "$dir/data/postgresql.conf" <<EOF

# pg-cluster.sh
listen_addresses = '$listen'
unix_socket_directories = '$dir'
port = ${tcp:-5432}
max_connections = 200
shared_buffers = 128MB
EOF
if [ "$fast" = yes ]; then
	printf 'fsync = off\nfull_page_writes = off\n' >> "$dir/data/postgresql.conf"
fi
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -s start ||
    die "the server did not start; see $dir/postgres.log"

port=${tcp:-5432}
"$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
    -c 'CREATE ROLE affild LOGIN CREATEDB'
echo "postgresql://affild@/postgres?host=$dir&port=$port"
