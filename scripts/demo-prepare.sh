#!/bin/sh
# demo-prepare.sh - lay out run/ for `make run`: spool, mail and print
# folders, and the invitation token key (random, made once).
set -eu
mkdir -p run/mail run/print
if [ ! -s run/token.key ]; then
	umask 077
	head -c 32 /dev/urandom > run/token.key
fi
bin/affild -c demo/affild.yaml --prepare-spool >/dev/null
echo "affild demo: drop CSV files into run/spool/12345678/in/;"
echo "  reports appear in run/spool/12345678/out/, emails in run/mail/."
echo "  bin/affilctl -c demo/affild.yaml employees   lists the employees."
