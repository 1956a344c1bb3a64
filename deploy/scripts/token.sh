#!/usr/bin/env bash
# Prints an access token for a user, by the code flow with PKCE against the confederal issuer (tenancy),
# doing with curl what a browser does: authorise, sign in on the issuer's page, exchange the code.
#   deploy/scripts/token.sh USER [ISSUER]        password from AES_PASSWORD, else asked for
#   TOKEN=$(deploy/scripts/token.sh op.ml) && grpcurl -plaintext -H "authorization: Bearer $TOKEN" …
set -euo pipefail
user=${1:?usage: token.sh USER [ISSUER]}
issuer=${2:-http://127.0.0.1:5101}
issuer=${issuer%/}
if [[ -z "${AES_PASSWORD:-}" ]]; then
  read -rsp "Mot de passe / password for $user: " AES_PASSWORD </dev/tty; echo >&2
fi
jar=$(mktemp); trap 'rm -f "$jar"' EXIT
redirect=http://127.0.0.1:7890/callback
verifier=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n')
authorize="/connect/authorize?client_id=aes-cli&response_type=code&scope=aes&redirect_uri=$(printf %s "$redirect" | jq -sRr @uri)&code_challenge=$challenge&code_challenge_method=S256"

login=$(curl -sf -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$issuer$authorize")
page=$(curl -sf -c "$jar" -b "$jar" "$login")
field() { sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" <<<"$page" | head -1 | sed 's/&amp;/\&/g; s/&#x2B;/+/g; s/&#x2F;/\//g; s/&#x3D;/=/g'; }
back=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
  --data-urlencode "__RequestVerificationToken=$(field __RequestVerificationToken)" --data-urlencode "returnUrl=$(field returnUrl)" \
  --data-urlencode "username=$user" --data-urlencode "password=$AES_PASSWORD" "$issuer/account/login")
if [[ "$back" != 302* ]]; then
  echo "Connexion refusée / sign-in refused for $user" >&2; exit 1
fi
code=$(curl -sf -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "${back#302 }" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
curl -sf "$issuer/connect/token" -d grant_type=authorization_code -d client_id=aes-cli -d "code=$code" \
  --data-urlencode "redirect_uri=$redirect" -d "code_verifier=$verifier" | jq -r .access_token
