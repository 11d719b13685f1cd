#!/usr/bin/env bash
# Makes what the broker and its clients need to talk over TLS with per-role accounts, in one
# directory:
#   ca.crt ca.key                  a local CA (the clients' GPS_MQTT_CA_FILE is ca.crt)
#   server.crt server.key          the broker's certificate for 127.0.0.1 and localhost
#   passwd                         the Mosquitto password file (hashed, mode 0600)
#   secrets/<account>.password     each account's random password (mode 0600), for *_PASSWORD_FILE
#
#   deploy/mosquitto/make-broker-kit.sh DIR [EXTRA_ACCOUNT...]
#
# The accounts are the roles of docs/design/transport.md; EXTRA_ACCOUNT names are added to the
# password file too (the tests add their observer account this way). Files that already exist are
# kept, so running it again (a broker restart) changes nothing. For a demo or a test on one
# machine: a production broker gets its certificate from the operator's own CA.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 DIR [EXTRA_ACCOUNT...]" >&2
  exit 2
fi
DIR="$1"
shift
ACCOUNTS=(gps-bootstrap gps-engine gps-worker-mender gps-worker-dps gps-worker-vault
  gps-worker-hub-manifest gps-ui "$@")

umask 077
mkdir -p "$DIR/secrets"
cd "$DIR"

if [ ! -s ca.crt ]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -days 825 -subj "/CN=gps local broker CA" -keyout ca.key -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  rm -f server.crt
fi
if [ ! -s server.crt ]; then
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 825 \
    -extfile <(printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth") \
    -out server.crt 2>/dev/null
  rm -f server.csr ca.srl
fi

[ -e passwd ] || : >passwd
for account in "${ACCOUNTS[@]}"; do
  secret="secrets/$account.password"
  if [ ! -s "$secret" ]; then
    openssl rand -hex 24 >"$secret"
  fi
  if ! grep -q "^$account:" passwd; then
    mosquitto_passwd -b passwd "$account" "$(cat "$secret")"
  fi
done
# The CA certificate is public: clients of any user may read it.
chmod 0644 ca.crt server.crt
