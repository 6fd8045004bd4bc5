#!/usr/bin/env bash
# Downloads one blob from a registry and checks it against its digest:
#   fetch_blob.sh URL sha256:HEX OUTPUT
# Run by oci_blob's action (rules/private/pulled.bzl). A 401 with a Bearer
# challenge gets an anonymous pull token from the realm, as docker does;
# oci_pull fetches the layers of a registry that needs credentials itself,
# so no secret ever reaches an action. The token goes to curl on stdin, not
# on its command line.
set -euo pipefail
url=$1 digest=$2 out=$3
headers=$(mktemp)
# A stalled or unreachable registry fails the action instead of hanging it;
# 5xx, 429 and timeouts get three more tries.
limits=(--connect-timeout 30 --speed-limit 1024 --speed-time 60 --retry 3)
trap 'rm -f "$headers"' EXIT
code=$(curl -sS "${limits[@]}" -L -o "$out" -D "$headers" -w '%{http_code}' "$url")
if [[ $code == 401 ]]; then
  challenge=$(grep -i '^www-authenticate: *bearer ' "$headers" | head -1 | tr -d '\r') || true
  param() { sed -n "s/.*[ ,]$1=\"\\([^\"]*\\)\".*/\\1/p" <<<"$challenge"; }
  realm=$(param realm)
  if [[ -z $realm ]]; then
    echo "fetch $url: the registry wants credentials; pull with oci_pull(layer_handling = \"eager\")" >&2
    exit 1
  fi
  case $realm in
    https://*) ;;
    http://*@*) bad=1 ;;
    http://127.0.0.1[:/?]* | http://127.0.0.1 | http://localhost[:/?]* | http://localhost | "http://[::1]"[:/?]* | "http://[::1]") ;;
    *) bad=1 ;;
  esac
  if [[ -n ${bad:-} ]]; then
    echo "fetch $url: the Bearer realm \"$realm\" is not https:// (or http:// to 127.0.0.1, localhost or [::1])" >&2
    exit 1
  fi
  token=$(curl -sS "${limits[@]}" -G "$realm" --data-urlencode "service=$(param service)" --data-urlencode "scope=$(param scope)" \
    | sed -n 's/.*"\(access_\)\{0,1\}token" *: *"\([^"]*\)".*/\2/p' | head -1)
  code=$(printf 'header = "Authorization: Bearer %s"\n' "$token" \
    | curl -sS "${limits[@]}" -L -K - -o "$out" -D "$headers" -w '%{http_code}' "$url")
fi
if [[ $code != 200 ]]; then
  echo "fetch $url: HTTP $code" >&2
  rm -f "$out"
  exit 1
fi
actual="sha256:$(sha256sum "$out" | cut -d' ' -f1)"
if [[ $actual != "$digest" ]]; then
  echo "fetch $url: the blob has digest $actual, not $digest" >&2
  rm -f "$out"
  exit 1
fi
