#!/usr/bin/env bash
# Pushes an image or index built by the rules with `skopeo copy`, keeping
# every digest, and prints the pushed digest.
#
#   bazel run //pkg:push -- [--repository R] [--tag T]... [--insecure] [skopeo copy flags]
#
# Then each of the target's platform_tags, naming one image of an index:
# skopeo picks that image from the layout by platform and pushes it alone
# (its blobs are already there), and its digest is checked too.
# Then, for each attested image, its OCI 1.1 referrers: the attestation
# manifests already went up inside the index (BuildKit's form), and
# registries with the referrers API list them from their `subject`. For
# the others (docker-registry 2.8 has no API), the distribution-spec's
# fallback tag `sha256-<hex of the image manifest>` gets an index of them,
# built with the image. A tag that already lists them is left alone; any
# other content there is replaced, and said so. skopeo (1.9) cannot keep
# that index's bytes: it drops the entries' artifactType, so the index is
# copied without --preserve-digests and checked to list the attestations.
# --repository and --tag replace the target's repository and remote_tags
# (without a value, a usage error: exit 2);
# --insecure allows plain HTTP and unverified TLS (loopback registries).
# FROM a shallow oci_pull, the layout read is sparse: it lacks the base's
# layer blobs, and a blob the destination already has is never downloaded
# (see "Sparse pushes" below).
# Credentials: skopeo's own lookup (auth.json, docker config.json `auths`
# and `credHelpers`), plus docker's `credsStore`, which skopeo ignores; see
# docs/registry-auth.md. Blobs the registry already has are not uploaded
# again. Transient failures (5xx, dropped connections) are retried with
# exponential backoff: $IMAGEWRITER_PUSH_ATTEMPTS tries (default 4), the
# first wait $IMAGEWRITER_PUSH_BACKOFF seconds (default 1), then doubling.
set -euo pipefail
%{runfiles_prelude}
tool="$runfiles/%{tool}"
# The OciRunfiles action's local copy of the files below, when Bazel built
# it: under --remote_download_minimal the runfiles links point at nothing.
if [[ -d "$runfiles/%{local}" ]]; then
  runfiles="$runfiles/%{local}"
  tool="$runfiles/%{local_tool}"
fi
layout="$runfiles/%{layout}"
require "$layout" "$runfiles/%{digest}" "$runfiles/%{tags}" "$runfiles/%{pulled_blobs}"
# A directory output Bazel left empty (not downloaded) still exists.
require "$layout/index.json" "$layout/oci-layout"
digest=$(cat "$runfiles/%{digest}")
repository=%{repository}
mapfile -t tags < "$runfiles/%{tags}"
mapfile -t platform_tags < "$runfiles/%{platform_tags}"
mapfile -t platforms < "$runfiles/%{platforms}"
override_tags=()
extra=()
extra_inspect=()

# A misused flag of this script: says which, and exits 2, as imagewriter's
# usage errors do.
usage_error() {
  echo "oci_push: $1" >&2
  echo "usage: $(basename "$0") [--repository REGISTRY/PATH] [--tag TAG]... [--insecure] [skopeo copy flags]" >&2
  exit 2
}

# Exits with a usage error unless the flag $1 has a value ($2, not empty):
# `set -u` alone would only say "unbound variable".
need_value() {
  [[ $# -ge 2 && -n "$2" ]] || usage_error "$1 needs a value"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -r|--repository) need_value "$@"; repository=$2; shift 2 ;;
    --repository=*) need_value "${1%%=*}" "${1#*=}"; repository=${1#*=}; shift ;;
    -t|--tag) need_value "$@"; override_tags+=("$2"); shift 2 ;;
    --tag=*) need_value "${1%%=*}" "${1#*=}"; override_tags+=("${1#*=}"); shift ;;
    --insecure) extra+=(--dest-tls-verify=false); extra_inspect+=(--tls-verify=false); shift ;;
    *) extra+=("$1"); shift ;;
  esac
done
# Names given at run time get the checks the attributes got at build time,
# by the same parser (imagewriter refs): a bad one fails here, before skopeo.
if [[ $repository != %{repository} || ${#override_tags[@]} -gt 0 ]]; then
  require "$tool"
  checked=$(mktemp)
  refs_args=(refs --repository "$repository" --output "$checked")
  for tag in "${override_tags[@]}"; do refs_args+=(--tag "$tag"); done
  if ! "$tool" "${refs_args[@]}" 2>"$checked.err"; then
    usage_error "$(sed 's/^imagewriter: //' "$checked.err" | head -1)"
  fi
  rm -f "$checked" "$checked.err"
fi
[[ ${#override_tags[@]} -eq 0 ]] || tags=("${override_tags[@]}")
refs=()
for tag in "${tags[@]}"; do refs+=("$repository:$tag"); done
[[ ${#refs[@]} -gt 0 ]] || refs=("$repository@$digest")
skopeo=${IMAGEWRITER_SKOPEO:-skopeo}
# The registry, as docker and skopeo read a name: the first component if it
# has a "." or ":" or is localhost (127.0.0.1:5000/app), else Docker Hub
# (library/app, team/app).
# `path` is the rest: "library/app" for "app".
registry=${repository%%/*}
path=${repository#*/}
if [[ $repository != */* || ( $registry != *[.:]* && $registry != localhost ) ]]; then
  registry=docker.io
  path=$repository
  [[ $path == */* ]] || path=library/$path
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Sparse pushes. FROM a shallow oci_pull, the layout lacks the pulled
# layers' blobs; the pulled_blobs file lists them ("digest url descriptor").
# skopeo (containers/image) asks the destination for each blob (a HEAD, or a
# cross-repository mount it has seen the blob at) before it opens the
# source's, so a blob the destination has is never read and need not be
# here. One the destination lacks stops the copy with "reading blob
# sha256:<hex>: open <layout>/blobs/sha256/<hex>: no such file or
# directory"; that blob alone is then fetched from the registry it was
# pulled from (fetch_blob.py: oci_pull's credentials, streamed to disk,
# digest checked) into a writable copy of the layout, and the copy is tried
# again. Each blob is fetched at most once per run.
mapfile -t pulled_blobs < "$runfiles/%{pulled_blobs}"
if [[ ${#pulled_blobs[@]} -gt 0 ]]; then
  # Absolute: the links must not depend on the directory the script runs in.
  sparse=$(cd "$layout" && pwd)
  layout="$tmp/layout"
  mkdir -p "$layout/blobs/sha256"
  cp "$sparse/index.json" "$sparse/oci-layout" "$layout/"
  for blob in "$sparse"/blobs/sha256/*; do ln -s "$blob" "$layout/blobs/sha256/"; done
fi

# The digest of the pulled blob a failed copy needed (its stderr is $1) and
# the layout lacks; fails when the copy failed for another reason.
missing_pulled_blob() {
  local digest line
  [[ ${#pulled_blobs[@]} -gt 0 ]] || return 1
  digest=$(grep -oE 'reading blob sha256:[0-9a-f]{64}: open .*/blobs/sha256/[0-9a-f]{64}: no such file or directory' "$1" \
    | head -1 | grep -oE 'sha256:[0-9a-f]{64}' | head -1) || return 1
  [[ -n $digest && ! -e "$layout/blobs/sha256/${digest#sha256:}" ]] || return 1
  for line in "${pulled_blobs[@]}"; do
    if [[ ${line%% *} == "$digest" ]]; then
      echo "$digest"
      return 0
    fi
  done
  return 1
}

# Fetches the pulled blob $1 into the layout from the registry it came from.
fetch_pulled_blob() {
  local line digest url descriptor
  for line in "${pulled_blobs[@]}"; do
    read -r digest url descriptor <<<"$line"
    [[ $digest == "$1" ]] || continue
    echo "oci_push: $registry/$path lacks the base layer $digest; fetching it from $url" >&2
    if ! python3 "$runfiles/%{fetch}" "$url" "$digest" "$runfiles/$descriptor" \
        "$layout/blobs/sha256/${digest#sha256:}"; then
      echo "oci_push: cannot push to $registry/$path: it lacks $digest, and fetching it failed" >&2
      exit 1
    fi
    return 0
  done
}

# The auth files skopeo reads, in its order of precedence.
auth_files() {
  if [[ -n "${REGISTRY_AUTH_FILE:-}" ]]; then
    echo "$REGISTRY_AUTH_FILE"
  elif [[ -n "${XDG_RUNTIME_DIR:-}" ]]; then
    echo "$XDG_RUNTIME_DIR/containers/auth.json"
  fi
  echo "${HOME:-/nonexistent}/.config/containers/auth.json"
  echo "${DOCKER_CONFIG:-${HOME:-/nonexistent}/.docker}/config.json"
}

# A registry name or an `auths` key as skopeo (containers/image) compares
# them: a URL key (https://host[:port]/v1/, docker's legacy form) is its
# host[:port] alone; other keys are the registry's host[:port] or, in
# auth.json, a repository path (host/team/app); Docker Hub's host names
# are docker.io.
normalize_key() {
  local key=$1
  case "$key" in
    http://*|https://*) key=${key#*://}; key=${key%%/*} ;;
  esac
  case "$key" in
    index.docker.io|registry-1.docker.io) key=docker.io ;;
  esac
  printf '%s\n' "$key"
}

# The `auths` keys that hold credentials for the repository, most specific
# first: host/team/app, host/team, host. A `credHelpers` key must be the
# host itself.
host=$(normalize_key "$registry")
candidates=()
prefix=$host/$path
while true; do
  candidates+=("$prefix")
  [[ "$prefix" == */* ]] || break
  prefix=${prefix%/*}
done

# The entries of an auth file's top-level `auths` and `credHelpers`
# objects, one a line: "auths<TAB>KEY" or "credHelpers<TAB>KEY", the key as
# the file spells it (one written with a JSON escape is taken to name no
# registry). grep cuts the file into JSON strings and punctuation with a
# fixed pattern; awk follows the nesting, so that a key elsewhere in the
# file (a proxy, a header, an entry's own fields) is not taken for a
# registry.
table_keys() {
  { grep -oE '"([^"\\]|\\.)*"|[][{}:,]' "$1" 2>/dev/null || true; } | awk '
    $0 == "{" || $0 == "[" {
      depth++
      if (depth == 2) table = ($0 == "{" && colon && (key == "auths" || key == "credHelpers")) ? key : ""
      colon = 0; next
    }
    $0 == "}" || $0 == "]" { depth--; colon = 0; next }
    $0 == ":" { key = text; colon = 1; if (table != "" && depth == 2) print table "\t" text; next }
    $0 == "," { colon = 0; next }
    { text = substr($0, 2, length($0) - 2); colon = 0 }'
}

# Whether an auth file has an `auths` or `credHelpers` entry that skopeo
# would use for the repository. Plain string comparison: the registry comes
# from the command line and is never made into a pattern.
names_registry() {
  local table key candidate
  while IFS=$'\t' read -r table key; do
    if [[ "$table" == credHelpers ]]; then
      if [[ "$key" == "$host" ]]; then return 0; fi
      continue
    fi
    key=$(normalize_key "$key")
    for candidate in "${candidates[@]}"; do
      if [[ "$key" == "$candidate" ]]; then return 0; fi
    done
  done < <(table_keys "$1")
  return 1
}

# Where the credentials for the registry come from, for messages: never the
# credentials themselves.
credential_source() {
  local arg f
  if [[ -n "$store_file" ]]; then
    echo "docker's credsStore helper docker-credential-$store (from $docker_config)"; return
  fi
  for arg in "${extra[@]}"; do
    case "$arg" in
      --dest-creds*|--creds*) echo "the --dest-creds flag"; return ;;
      --dest-authfile*|--authfile*) echo "the auth file given with ${arg%%=*}"; return ;;
    esac
  done
  while read -r f; do
    if [[ -f "$f" ]] && names_registry "$f"; then echo "$f"; return; fi
  done < <(auth_files)
  if [[ -n "$store" ]]; then
    echo "docker's credsStore helper docker-credential-$store (from $docker_config)"
  else
    echo "none; no credsStore, and none of $(auth_files | paste -sd, -) names $registry"
  fi
}

# docker's global `credsStore`: skopeo does not read it, so when no auth file
# names the registry, a private auth file hands the registry to that helper.
# Helper names are plain words, so a pattern reads the value safely.
store=""
store_file=""
docker_config="${DOCKER_CONFIG:-${HOME:-/nonexistent}/.docker}/config.json"
if [[ -f "$docker_config" ]]; then
  store=$(grep -oE '"credsStore"[[:space:]]*:[[:space:]]*"[A-Za-z0-9_.-]+"' "$docker_config" \
    | sed -E 's/.*"([^"]+)"$/\1/' || true)
fi
if [[ -n "$store" && "$(credential_source)" == *credsStore* ]]; then
  store_file="$tmp/auth.json"
  printf '{"credHelpers":{"%s":"%s"}}\n' "$registry" "$store" > "$store_file"
  chmod 600 "$store_file"
  extra+=(--dest-authfile "$store_file")
  extra_inspect+=(--authfile "$store_file")
fi

# What skopeo says when a registry or the network failed for now: 5xx, 429,
# dropped or refused connections, timeouts, a failed ping.
transient=' 50[0-9]|status 5[0-9][0-9]|unavailable|bad gateway|gateway timeout|too ?many ?requests| 429'
transient+='|connection (refused|reset)|broken pipe|EOF|timeout|pinging container registry|talk to a V1'

preserve=(--preserve-digests)

# Runs one skopeo copy, retrying transient failures with backoff. Output
# of a failed try goes to stderr; authentication failures are not retried.
# $1: the reference; then skopeo flags that choose what to copy.
copy() {
  local ref=$1 attempt=1 attempts=${IMAGEWRITER_PUSH_ATTEMPTS:-4} delay=${IMAGEWRITER_PUSH_BACKOFF:-1} missing
  local select=("${@:2}")
  while true; do
    if "$skopeo" copy "${select[@]}" "${preserve[@]}" --digestfile "$tmp/digest" "${extra[@]}" \
        "oci:${source:-$layout}" "docker://$ref" 2>"$tmp/stderr"; then
      return 0
    fi
    if [[ -z ${source:-} ]] && missing=$(missing_pulled_blob "$tmp/stderr"); then
      fetch_pulled_blob "$missing"
      continue
    fi
    if grep -qiE 'unauthorized|authentication required|denied|forbidden' "$tmp/stderr"; then
      cat "$tmp/stderr" >&2
      echo "oci_push: $registry refused $ref (credentials: $(credential_source))" >&2
      exit 1
    fi
    if ((attempt >= attempts)) || grep -qi 'no such host' "$tmp/stderr" \
        || ! grep -qiE "$transient" "$tmp/stderr"; then
      cat "$tmp/stderr" >&2
      echo "oci_push: pushing $ref to $registry failed after $attempt attempt(s)" >&2
      exit 1
    fi
    echo "oci_push: $ref: transient failure, retrying in ${delay}s (attempt $attempt of $attempts): $(tail -1 "$tmp/stderr")" >&2
    sleep "$delay"
    delay=$(awk -v d="$delay" 'BEGIN { print d * 2 }')
    attempt=$((attempt + 1))
  done
}

# $1: the reference; $2: the digest it must get; then copy's selection.
push() {
  local ref=$1 want=$2 pushed
  copy "$ref" "${@:3}"
  pushed=$(cat "$tmp/digest")
  if [[ "$pushed" != "$want" ]]; then
    echo "oci_push: $ref received digest $pushed, expected $want" >&2
    exit 1
  fi
  echo "pushed ${ref%@*}@$pushed"
}

for ref in "${refs[@]}"; do
  push "$ref" "$digest" --all
done
for i in "${!platform_tags[@]}"; do
  read -r os arch variant want_file <<<"${platforms[$i]}"
  require "$runfiles/$want_file"
  want=$(cat "$runfiles/$want_file")
  select=(--override-os "$os" --override-arch "$arch")
  [[ $variant == - ]] || select+=(--override-variant "$variant")
  push "$repository:${platform_tags[$i]}" "$want" "${select[@]}"
done

# The first match of the extended regular expression $2 (a fixed pattern)
# in the file $1, or a message naming the file and what it lacks ($3), and
# exit 1. The referrers layouts are build outputs: a miss means one was not
# downloaded or is in a form this script cannot read, which must not end
# the push silently.
first_match() {
  local matches=()
  require "$1"
  mapfile -t matches < <(grep -oE "$2" "$1")
  if [[ ${#matches[@]} -eq 0 ]]; then
    echo "oci_push: $1 has no $3" >&2
    exit 1
  fi
  printf '%s\n' "${matches[0]}"
}

# The referrers-tag fallback (distribution-spec v1.1, "Pushing Manifests
# with Subject"): skip a tag that already lists our attestation manifest.
while read -r referrers_layout tag_file; do
  [[ -n "$referrers_layout" ]] || continue
  source="$runfiles/$referrers_layout"
  ref="$repository:$(cat "$runfiles/$tag_file")"
  listed=$(first_match "$source/index.json" 'sha256:[0-9a-f]{64}' "manifest digest") || exit 1
  attestation=$(first_match "$source/blobs/${listed/://}" '"digest"[[:space:]]*:[[:space:]]*"sha256:[0-9a-f]{64}"' \
    "attestation manifest digest") || exit 1
  # As a JSON string, "sha256:<hex>", which is how a registry's copy lists it.
  attestation="\"sha256:${attestation##*\"sha256:}"
  if current=$("$skopeo" inspect --raw "${extra_inspect[@]}" "docker://$ref" 2>/dev/null); then
    if [[ "$current" == *"$attestation"* ]]; then
      echo "referrers ${ref} already lists the attestations"
      continue
    fi
    echo "oci_push: replacing the referrers index at $ref" >&2
  fi
  preserve=()
  copy "$ref" --all
  if ! current=$("$skopeo" inspect --raw "${extra_inspect[@]}" "docker://$ref" 2>"$tmp/stderr"); then
    cat "$tmp/stderr" >&2
    echo "oci_push: cannot read $ref back after the push" >&2
    exit 1
  fi
  if [[ "$current" != *"$attestation"* ]]; then
    echo "oci_push: $ref does not list the attestation manifest after the push" >&2
    exit 1
  fi
  echo "pushed referrers ${ref}"
done < "$runfiles/%{referrers}"
