#!/usr/bin/env bash
# Pushes an image or index built by the rules with `skopeo copy`, keeping
# every digest, and prints the pushed digest.
#
#   bazel run //pkg:push -- [--repository R] [--tag T]... [--insecure] [skopeo copy flags]
#
# --repository and --tag replace the target's repository and remote_tags;
# --insecure allows plain HTTP and unverified TLS (loopback registries).
# Credentials come from skopeo's usual auth files (or --dest-creds).
set -euo pipefail
%{runfiles_prelude}
layout="$runfiles/%{layout}"
require "$layout" "$runfiles/%{digest}" "$runfiles/%{tags}"
digest=$(cat "$runfiles/%{digest}")
repository=%{repository}
mapfile -t tags < "$runfiles/%{tags}"
override_tags=()
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -r|--repository) repository="$2"; shift 2 ;;
    --repository=*) repository="${1#*=}"; shift ;;
    -t|--tag) override_tags+=("$2"); shift 2 ;;
    --tag=*) override_tags+=("${1#*=}"); shift ;;
    --insecure) extra+=(--dest-tls-verify=false); shift ;;
    *) extra+=("$1"); shift ;;
  esac
done
[[ ${#override_tags[@]} -eq 0 ]] || tags=("${override_tags[@]}")
refs=()
for tag in "${tags[@]}"; do refs+=("$repository:$tag"); done
[[ ${#refs[@]} -gt 0 ]] || refs=("$repository@$digest")
skopeo=${IMAGEWRITER_SKOPEO:-skopeo}
digestfile=$(mktemp)
trap 'rm -f "$digestfile"' EXIT
for ref in "${refs[@]}"; do
  "$skopeo" copy --all --preserve-digests --digestfile "$digestfile" "${extra[@]}" \
    "oci:$layout" "docker://$ref"
  pushed=$(cat "$digestfile")
  if [[ "$pushed" != "$digest" ]]; then
    echo "oci_push: $ref received digest $pushed, expected $digest" >&2
    exit 1
  fi
  echo "pushed ${ref%@*}@$pushed"
done
