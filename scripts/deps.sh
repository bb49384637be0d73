#!/bin/sh
# deps.sh - install the Debian packages affild needs to build and test.
# As root: apt-get installs what is missing.  As anyone else: print the
# exact command and stop, so nothing happens behind the admin's back.
set -eu

PKGS="build-essential pkg-config clang libcsv-dev libxml2-dev libsqlite3-dev
libcurl4-openssl-dev libyaml-dev libsystemd-dev libssl-dev libcmocka-dev
python3 python3-pytest python3-aiosmtpd python3-stdnum sqlite3 openssl
libcairo2-dev libpango1.0-dev fonts-dejavu-core poppler-utils
systemd openssh-server mandoc debhelper lintian dpkg-dev fakeroot
libcap2-bin util-linux libclang-rt-14-dev libglib2.0-dev libjson-c-dev
faketime strace python3-pytest-xdist
libpq-dev postgresql"

# Another apt or dpkg (unattended-upgrades, a second make) may hold the
# lock: wait for it rather than fail.
APT="apt-get -o DPkg::Lock::Timeout=600"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "affild: missing build dependencies; as root, run:" >&2
	echo "  $APT update && $APT install -y$missing" >&2
	exit 1
fi
echo "affild: installing$missing" >&2
$APT update -qq
DEBIAN_FRONTEND=noninteractive $APT install -y -qq $missing
