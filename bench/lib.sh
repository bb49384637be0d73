# lib.sh - what the benchmarks share (sourced, from the repository root).

# bench_config ROOT - a daemon's configuration under ROOT: file transport,
# one employer, the repository's templates; the folders it names exist.
bench_config() {
	mkdir -p "$1/mail" "$1/print"
	head -c 32 /dev/urandom > "$1/token.key"
	cat > "$1/affild.yaml" <<CONF
spool:
  dir: $1/spool
  sftp_chroot: false
  settle_ms: 200
  rescan_s: 60
database:
  path: $1/affild.db
mail:
  transport: file
  dir: $1/mail
  from: "Espace entreprise <affiliation@assureur.example>"
  templates: $PWD/templates/fr
  print_dir: $1/print
portal:
  enabled: false
  token_key_file: $1/token.key
process:
  creditor_id: FR12ZZZ123456
employers:
  - numero: "12345678"
    name: Exemple SAS
    options:
      - code: BASE
    base_plan: BASE
    contact_email: rh@exemple-sas.example
CONF
}
