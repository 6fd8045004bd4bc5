# shellcheck shell=bash
# The REMOTE_* variables set here are read by the scripts that source this
# file, which shellcheck cannot see:
# shellcheck disable=SC2034
#
# Remote-build servers for tests, on 127.0.0.1 only and without network
# access:
#   - an HTTP remote cache: nginx serving a directory, with WebDAV PUT so
#     that Bazel can upload (--remote_cache=http://...);
#   - Bazel's reference REAPI worker (RemoteWorker), which executes actions
#     and serves a gRPC cache (--remote_executor=grpc://...), compiled with
#     plain javac from Debian's bazel-bootstrap-source against the Bazel
#     server jar, which already holds every class it needs.
#
# This file is a library: source it. It only defines functions and
# variables; it sets no shell options and installs no traps, because both
# would change the caller's shell. It is safe under `set -euo pipefail`.
#
#   source tests/remote/servers.sh
#   trap remote_stop_all EXIT
#   remote_start_cache "$tmp/cache"
#   remote_start_worker "$tmp/worker" --sandboxing --sandboxing_block_network
#   bazel build --remote_cache="$REMOTE_CACHE_URL" //...
#   bazel build --remote_executor="$REMOTE_EXECUTOR" --spawn_strategy=remote //...
#
# Functions (each returns non-zero and prints the reason and the server's
# log tail on stderr when it fails):
#   remote_free_port            print a TCP port on 127.0.0.1 that is free now
#   remote_start_cache DIR      start nginx with its state under DIR; sets
#                               REMOTE_CACHE_URL   http://127.0.0.1:PORT
#                               REMOTE_CACHE_PORT  PORT
#                               REMOTE_CACHE_LOG   access log, one line per
#                                 request: METHOD URI STATUS BODY_BYTES_SENT
#                                 REQUEST_LENGTH CONTENT_LENGTH
#                               REMOTE_CACHE_ROOT  directory holding ac/ and cas/
#                               REMOTE_CACHE_DIR   DIR
#   remote_stop_cache [DIR]     stop the cache started in DIR (default: last)
#   remote_build_worker DIR     put the compiled worker into DIR/classes and
#                               linux-sandbox into DIR/res; sets
#                               REMOTE_WORKER_BUILT to "present" (DIR had it),
#                               "cache" (copied from the compile cache) or
#                               "javac" (compiled now)
#   remote_start_worker DIR [WORKER_FLAGS...]
#                               build if needed, then start the worker; sets
#                               REMOTE_EXECUTOR    grpc://127.0.0.1:PORT
#                               REMOTE_WORKER_PORT PORT
#                               REMOTE_WORKER_LOG  the worker's stdout+stderr
#                               REMOTE_WORKER_DIR  DIR (work/ and cas/ inside)
#   remote_stop_worker [DIR]    stop the worker started in DIR (default: last)
#   remote_stop_all             stop both; safe to call more than once
#
# One cache and one worker at a time per shell. Call the start functions
# directly, not in $(...) or a pipeline, since they set variables; the
# variables are not exported.
#
# Settings read from the environment (all optional):
#   REMOTE_START_TIMEOUT   whole seconds to wait for a server to answer (30)
#   REMOTE_STOP_TIMEOUT    whole seconds to wait for a server to exit before
#                          SIGKILL (10)
#   REMOTE_WORKER_CACHE    compile cache for the worker's classes
#                          (~/.cache/imagewriter/remote-worker; set it empty
#                          to compile every time)
#   REMOTE_WORKER_JAVA_OPTS  extra JVM flags, split on whitespace
#   REMOTE_BAZEL_JAR, REMOTE_WORKER_SRC, REMOTE_LINUX_SANDBOX, REMOTE_NGINX
#                          override where the Debian packages put things

: "${REMOTE_BAZEL_JAR:=/usr/share/bazel/A-server.jar}"
: "${REMOTE_WORKER_SRC:=/usr/src/bazel-bootstrap/src/tools/remote/src/main/java/com/google/devtools/build/remote/worker}"
: "${REMOTE_LINUX_SANDBOX:=/usr/libexec/x86_64-linux-gnu/bazel/linux-sandbox}"
: "${REMOTE_START_TIMEOUT:=30}"
: "${REMOTE_STOP_TIMEOUT:=10}"

# Upstream binds the gRPC port (and the optional HTTP port) on every
# interface. A test server must never be reachable from outside the
# machine, so the source is edited to bind 127.0.0.1 before compiling.
_REMOTE_SED_LOOPBACK='s/NettyServerBuilder\.forPort(workerOptions\.listenPort)/NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", workerOptions.listenPort))/; s/b\.bind(remoteWorkerOptions\.httpListenPort)/b.bind("127.0.0.1", remoteWorkerOptions.httpListenPort)/'
# -proc:none: the server jar lists AutoValue's annotation processors as a
# service; the worker uses none of them, and skipping them saves about a
# third of the compile time (the classes come out byte-identical).
_REMOTE_JAVAC_FLAGS=(-nowarn -proc:none -encoding UTF-8)
_REMOTE_WORKER_MAIN=com.google.devtools.build.remote.worker.RemoteWorker

_remote_err() {
  echo "servers.sh: $*" >&2
}

# Print the last lines of each existing log file, so that a failed start in
# CI explains itself without anyone having to fetch the files.
_remote_log_tail() {
  local f
  for f in "$@"; do
    if [[ -s $f ]]; then
      echo "---- last lines of $f ----" >&2
      tail -n 30 "$f" >&2
    fi
  done
}

# "PID STARTTIME" of a live process, or nothing. The start time (field 22 of
# /proc/PID/stat) tells a process apart from a later one that reuses its PID.
# A zombie counts as gone: it has exited, and in a container whose init
# does not reap, it may stay a zombie for ever.
_remote_proc_id() {
  local stat rest
  stat=$(cat 2>/dev/null "/proc/$1/stat") || return 1
  # comm (field 2) may hold spaces and parentheses; cut after the last ')'.
  rest=${stat##*) }
  # shellcheck disable=SC2086 # split the remaining fields on purpose
  set -- $rest
  [[ $1 != Z && $1 != X ]] || return 1
  echo "${stat%% *} ${20}"
}

_remote_alive() {
  _remote_proc_id "$1" >/dev/null
}

# True if PID's command line contains MARKER. Checked before every signal so
# that a stale pid file can never make us signal a process we did not start.
_remote_cmdline_has() {
  local cmd
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
  [[ $cmd == *"$2"* ]]
}

# "PID STARTTIME" of every descendant of PID, one a line. nginx's workers
# and the actions the worker is running are children of the process we
# signal; they are remembered before it exits, since afterwards they are
# re-parented and can no longer be found from it.
_remote_descendants() {
  local -a queue=("$1")
  local p c
  local -A kids=()
  while read -r c p; do
    kids[$p]+="$c "
  done < <(ps -e -o pid=,ppid= 2>/dev/null)
  while ((${#queue[@]})); do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    for c in ${kids[$p]:-}; do
      _remote_proc_id "$c" || true
      queue+=("$c")
    done
  done
}

# _remote_stop_pid PID MARKER SIGNAL WHAT: send SIGNAL to PID if it is still
# the process we started (its command line holds MARKER), wait up to
# REMOTE_STOP_TIMEOUT seconds, then SIGKILL it and whatever it had started.
_remote_stop_pid() {
  local pid=$1 marker=$2 sig=$3 what=$4 i id ok=0
  local -a family=()
  _remote_alive "$pid" || return 0
  if ! _remote_cmdline_has "$pid" "$marker"; then
    _remote_err "pid $pid is not $what any more; leaving it alone"
    return 0
  fi
  mapfile -t family < <(_remote_descendants "$pid")
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < REMOTE_STOP_TIMEOUT * 10; i++)); do
    _remote_alive "$pid" || { ok=1; break; }
    sleep 0.1
  done
  if ((!ok)); then
    _remote_err "$what (pid $pid) did not exit within ${REMOTE_STOP_TIMEOUT}s of SIG$sig; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      _remote_alive "$pid" || break
      sleep 0.1
    done
  fi
  # Reap it if it is this shell's child (the worker is); for other
  # processes wait fails harmlessly.
  _remote_alive "$pid" || wait "$pid" 2>/dev/null || true
  # Leftover children: only those with the same PID and start time as
  # before, so a reused PID is never hit.
  for id in "${family[@]}"; do
    if [[ $(_remote_proc_id "${id%% *}" || true) == "$id" ]]; then
      kill -KILL "${id%% *}" 2>/dev/null || true
    fi
  done
  if _remote_alive "$pid"; then
    _remote_err "$what (pid $pid) survived SIGKILL"
    return 1
  fi
}

# Wait until TCP PORT on 127.0.0.1 accepts a connection. Bash's /dev/tcp
# avoids a dependency; on loopback a closed port is refused at once, so
# each probe is quick.
_remote_port_open() {
  (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

remote_free_port() {
  # Ask the kernel for a free port by binding port 0. Another process could
  # take it before the server binds it; the start functions retry then.
  python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_remote_nginx() {
  if [[ -n ${REMOTE_NGINX:-} ]]; then
    echo "$REMOTE_NGINX"
  elif command -v nginx 2>/dev/null; then
    :
  elif [[ -x /usr/sbin/nginx ]]; then
    # Not on a normal user's PATH on Debian.
    echo /usr/sbin/nginx
  else
    _remote_err "nginx not found (apt-get install nginx)"
    return 1
  fi
}

# _remote_write_nginx_conf DIR PORT USER_LINE
_remote_write_nginx_conf() {
  local dir=$1 port=$2 user_line=$3
  # Every path is under DIR and quoted, so DIR may contain spaces and
  # nothing is written to /var/log/nginx or /var/lib/nginx. All the temp
  # paths are set, even of modules that are not used, because nginx creates
  # them at start and fails when it may not (for a user other than root).
  cat >"$dir/nginx.conf" <<EOF
# Written by tests/remote/servers.sh.
worker_processes 1;
$user_line
pid "$dir/nginx.pid";
error_log "$dir/error.log" warn;
daemon on;
events { worker_connections 256; }
http {
    # One line per request, for tests that count the bytes moved:
    # method, URI, status, bytes of response body sent, bytes of the whole
    # request (line, headers and body), and the request's Content-Length
    # ("-" when it has none).
    log_format iw '\$request_method \$uri \$status \$body_bytes_sent \$request_length \$content_length';
    access_log "$dir/access.log" iw;
    client_body_temp_path "$dir/tmp/body";
    proxy_temp_path "$dir/tmp/proxy";
    fastcgi_temp_path "$dir/tmp/fastcgi";
    uwsgi_temp_path "$dir/tmp/uwsgi";
    scgi_temp_path "$dir/tmp/scgi";
    # Blobs can be large (image layers); 0 means no limit.
    client_max_body_size 0;
    default_type application/octet-stream;
    sendfile on;
    server {
        listen 127.0.0.1:$port;
        root "$dir/root";
        # Readiness probe, kept out of the access log so that tests summing
        # GET bytes see only Bazel's requests.
        location = /.ready {
            access_log off;
            return 204;
        }
        location / {
            # A miss is a normal answer for a cache; keep error.log for
            # real errors.
            log_not_found off;
            dav_methods PUT;
            # Bazel PUTs ac/<hash> and cas/<hash> without creating ac/ or
            # cas/ first.
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }
    }
}
EOF
}

remote_start_cache() {
  [[ -n ${1:-} ]] || { _remote_err "usage: remote_start_cache DIR"; return 2; }
  local dir=$1
  local nginx port attempt user_line="" ready=0 pid="" i
  nginx=$(_remote_nginx) || return 1
  if [[ -n ${REMOTE_CACHE_DIR:-} && -s $REMOTE_CACHE_DIR/nginx.pid ]] &&
    _remote_alive "$(cat "$REMOTE_CACHE_DIR/nginx.pid")"; then
    _remote_err "a cache is already running from $REMOTE_CACHE_DIR; stop it first"
    return 1
  fi
  mkdir -p "$dir/root" "$dir/tmp" || return 1
  # Absolute and symlink-free: nginx resolves relative paths against its
  # prefix, and the marker matched before signalling must be exact.
  dir=$(cd "$dir" && pwd -P) || return 1
  rm -f "$dir/access.log" "$dir/error.log" "$dir/nginx.pid"
  if [[ $(id -u) -eq 0 ]]; then
    # Started by root, nginx runs its worker process as an unprivileged
    # user, which must be able to write the stored blobs and request bodies
    # (otherwise every PUT fails with 500); hence the chown. That user also
    # needs search permission on every directory above DIR, which mktemp -d
    # (mode 700) denies; then the worker runs as root like the caller
    # rather than failing every request.
    chown -R nobody:nogroup "$dir/root" "$dir/tmp" || return 1
    if setpriv --reuid=nobody --regid=nogroup --clear-groups \
      test -w "$dir/root" -a -w "$dir/tmp" 2>/dev/null; then
      user_line="user nobody nogroup;"
    else
      user_line="user root root;"
    fi
  fi
  for attempt in 1 2 3; do
    port=$(remote_free_port) || return 1
    _remote_write_nginx_conf "$dir" "$port" "$user_line"
    # -e: the log for errors before the configuration is read; without it
    # nginx tries /var/log/nginx/error.log. Output goes to a file so that a
    # caller capturing this function's output never waits on the daemon.
    if "$nginx" -p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf" \
      </dev/null >"$dir/nginx.out" 2>&1; then
      break
    fi
    if ((attempt < 3)) && grep -qs 'Address already in use' "$dir/nginx.out" "$dir/error.log"; then
      continue # the port was taken after remote_free_port; pick another
    fi
    _remote_err "nginx did not start"
    _remote_log_tail "$dir/nginx.out" "$dir/error.log"
    return 1
  done
  REMOTE_CACHE_DIR=$dir
  REMOTE_CACHE_PORT=$port
  REMOTE_CACHE_URL="http://127.0.0.1:$port"
  REMOTE_CACHE_LOG="$dir/access.log"
  REMOTE_CACHE_ROOT="$dir/root"
  # nginx has bound the port when it returns, but the daemon writes its pid
  # file and starts its worker process afterwards: poll until a request is
  # actually served.
  for ((i = 0; i < REMOTE_START_TIMEOUT * 10; i++)); do
    if [[ -z $pid && -s $dir/nginx.pid ]]; then
      pid=$(cat "$dir/nginx.pid")
    fi
    if [[ -n $pid ]] && ! _remote_alive "$pid"; then
      break
    fi
    if [[ -n $pid ]] && [[ $(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' \
      --max-time 2 "$REMOTE_CACHE_URL/.ready" 2>/dev/null) == 204 ]]; then
      ready=1
      break
    fi
    sleep 0.1
  done
  if ((!ready)); then
    _remote_err "nginx on port $port did not answer within ${REMOTE_START_TIMEOUT}s"
    _remote_log_tail "$dir/nginx.out" "$dir/error.log"
    remote_stop_cache "$dir"
    return 1
  fi
}

remote_stop_cache() {
  local dir=${1:-${REMOTE_CACHE_DIR:-}} pid
  [[ -n $dir ]] || return 0
  # The same absolute form as at start, which the marker below must match.
  dir=$(cd "$dir" 2>/dev/null && pwd -P) || return 0
  if [[ -s $dir/nginx.pid ]]; then
    pid=$(cat "$dir/nginx.pid")
    # SIGQUIT: graceful, lets requests in flight finish. The master's
    # command line keeps the configuration path, which names DIR.
    _remote_stop_pid "$pid" "$dir/nginx.conf" QUIT "nginx for $dir" || return 1
    rm -f "$dir/nginx.pid"
  fi
  if [[ $dir == "${REMOTE_CACHE_DIR:-}" ]]; then
    # The URL is no longer valid; the log and the stored blobs remain, for
    # tests that inspect them after stopping.
    REMOTE_CACHE_URL=
    REMOTE_CACHE_PORT=
  fi
}

# Compile cache root: one directory per key, each holding classes/.
_remote_worker_cache_root() {
  local root
  if [[ -n ${REMOTE_WORKER_CACHE+set} ]]; then
    root=$REMOTE_WORKER_CACHE
  elif [[ -n ${HOME:-} ]]; then
    root=$HOME/.cache/imagewriter/remote-worker
  else
    root=
  fi
  # An unwritable cache (read-only home, sandboxed test) is not an error;
  # it only means compiling every time.
  if [[ -n $root ]] && mkdir -p "$root" 2>/dev/null && [[ -w $root ]]; then
    echo "$root"
  fi
}

# Everything the compiled classes depend on: the worker sources, the jar
# they compile against, the javac version and the edits and flags used. A
# Debian update of bazel-bootstrap or the JDK therefore gets a new key.
_remote_worker_key() {
  {
    echo "sed: $_REMOTE_SED_LOOPBACK"
    echo "javac flags: ${_REMOTE_JAVAC_FLAGS[*]}"
    javac -version 2>&1
    sha256sum <"$REMOTE_BAZEL_JAR"
    (cd "$REMOTE_WORKER_SRC" && find . -type f -name '*.java' -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-32
}

remote_build_worker() {
  [[ -n ${1:-} ]] || { _remote_err "usage: remote_build_worker DIR"; return 2; }
  local dir=$1
  local key cache tmp f
  for f in "$REMOTE_BAZEL_JAR" "$REMOTE_WORKER_SRC/RemoteWorker.java" "$REMOTE_LINUX_SANDBOX"; do
    if [[ ! -e $f ]]; then
      _remote_err "$f is missing (apt-get install bazel-bootstrap bazel-bootstrap-source default-jdk-headless)"
      return 1
    fi
  done
  command -v javac >/dev/null || { _remote_err "javac not found (apt-get install default-jdk-headless)"; return 1; }
  mkdir -p "$dir" || return 1
  key=$(_remote_worker_key) || return 1
  if [[ -f $dir/classes/.key && $(cat "$dir/classes/.key") == "$key" ]]; then
    REMOTE_WORKER_BUILT=present
  else
    rm -rf "$dir/classes" "$dir/src"
    cache=$(_remote_worker_cache_root)
    if [[ -n $cache && -f $cache/$key/classes/.key ]]; then
      cp -R "$cache/$key/classes" "$dir/classes" || return 1
      REMOTE_WORKER_BUILT=cache
    else
      mkdir -p "$dir/src" "$dir/classes" || return 1
      cp -R "$REMOTE_WORKER_SRC" "$dir/src/worker" || return 1
      sed -i "$_REMOTE_SED_LOOPBACK" "$dir/src/worker/RemoteWorker.java" || return 1
      # If a new bazel-bootstrap-source changed these lines, the edit would
      # silently do nothing and the worker would listen on every interface.
      if grep -q 'forPort(' "$dir/src/worker/RemoteWorker.java" ||
        grep -q 'b\.bind(remoteWorkerOptions' "$dir/src/worker/RemoteWorker.java"; then
        _remote_err "could not make RemoteWorker.java bind 127.0.0.1 only; its source changed"
        return 1
      fi
      # javac prints notes about deprecated APIs even with -nowarn; keep
      # them in a file and show it only when compiling fails.
      if ! javac "${_REMOTE_JAVAC_FLAGS[@]}" -d "$dir/classes" -cp "$REMOTE_BAZEL_JAR" \
        "$dir"/src/worker/*.java "$dir"/src/worker/http/*.java >"$dir/javac.log" 2>&1; then
        _remote_err "compiling RemoteWorker failed"
        _remote_log_tail "$dir/javac.log"
        return 1
      fi
      echo "$key" >"$dir/classes/.key"
      REMOTE_WORKER_BUILT=javac
      if [[ -n $cache ]]; then
        # Publish with a rename so that a concurrent run never sees half a
        # directory; if another run published the same key first, keep
        # theirs.
        if tmp=$(mktemp -d "$cache/.tmp.XXXXXX"); then
          chmod 755 "$tmp"
          if ! { cp -R "$dir/classes" "$tmp/classes" && mv -T "$tmp" "$cache/$key" 2>/dev/null; }; then
            rm -rf "$tmp"
          fi
        fi
      fi
    fi
  fi
  # --sandboxing loads linux-sandbox as the class-path resource
  # /main/tools/linux-sandbox (in a Bazel-built deploy jar it is bundled);
  # DIR/res is on the class path for that. Copied every time because it is
  # small and should match the installed package.
  mkdir -p "$dir/res/main/tools" || return 1
  cp "$REMOTE_LINUX_SANDBOX" "$dir/res/main/tools/linux-sandbox" || return 1
  chmod 755 "$dir/res/main/tools/linux-sandbox"
}

remote_start_worker() {
  [[ -n ${1:-} ]] || { _remote_err "usage: remote_start_worker DIR [WORKER_FLAGS...]"; return 2; }
  local dir=$1
  shift
  local arg sandboxing=0 block_network=0 attempt port pid i ready
  local -a java_opts=() check=()
  if [[ -n ${REMOTE_WORKER_DIR:-} && -s $REMOTE_WORKER_DIR/java.pid ]] &&
    _remote_alive "$(cat "$REMOTE_WORKER_DIR/java.pid")"; then
    _remote_err "a worker is already running from $REMOTE_WORKER_DIR; stop it first"
    return 1
  fi
  command -v java >/dev/null || { _remote_err "java not found (apt-get install default-jdk-headless)"; return 1; }
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd -P) || return 1
  remote_build_worker "$dir" || return 1
  mkdir -p "$dir/work" "$dir/cas" || return 1

  for arg in "$@"; do
    case $arg in
      --sandboxing | --sandboxing=true | --sandboxing=1) sandboxing=1 ;;
      --nosandboxing | --sandboxing=false | --sandboxing=0) sandboxing=0 ;;
      --sandboxing_block_network | --sandboxing_block_network=true | --sandboxing_block_network=1) block_network=1 ;;
      --nosandboxing_block_network | --sandboxing_block_network=false | --sandboxing_block_network=0) block_network=0 ;;
      --listen_port* | --work_path* | --cas_path* | --pid_file*)
        _remote_err "$arg is set by remote_start_worker itself"
        return 1
        ;;
    esac
  done
  if ((sandboxing)); then
    # The worker runs the same self-check at start, but when it fails it
    # dies with a NullPointerException instead of the sandbox's message.
    # Run the copied binary here, with the network namespace if asked for,
    # to fail clearly.
    check=("$dir/res/main/tools/linux-sandbox")
    ((block_network)) && check+=(-N)
    if ! (cd "$dir/work" && "${check[@]}" -- /bin/true) >"$dir/sandbox-check.log" 2>&1; then
      _remote_err "linux-sandbox does not work here (needs user namespaces); try without --sandboxing"
      _remote_log_tail "$dir/sandbox-check.log"
      return 1
    fi
  fi

  read -r -a java_opts <<<"${REMOTE_WORKER_JAVA_OPTS:-}"
  for attempt in 1 2 3; do
    port=$(remote_free_port) || return 1
    rm -f "$dir/worker.pid"
    # exec, so that $! is the JVM itself. stdin and the output are
    # redirected so that the worker never holds the caller's terminal or
    # pipes open (a caller's $(...) would otherwise wait for it).
    (cd "$dir" && exec java "${java_opts[@]}" \
      -cp "$dir/classes:$dir/res:$REMOTE_BAZEL_JAR" "$_REMOTE_WORKER_MAIN" \
      --listen_port="$port" --work_path="$dir/work" --cas_path="$dir/cas" \
      --pid_file="$dir/worker.pid" "$@") </dev/null >"$dir/worker.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/java.pid"
    REMOTE_WORKER_DIR=$dir
    REMOTE_WORKER_LOG="$dir/worker.log"
    # Ready once the port accepts connections and the worker has written
    # its pid file, which it does only after its gRPC server has started.
    ready=0
    for ((i = 0; i < REMOTE_START_TIMEOUT * 10; i++)); do
      _remote_alive "$pid" || break
      if [[ -s $dir/worker.pid ]] && _remote_port_open "$port"; then
        ready=1
        break
      fi
      sleep 0.1
    done
    if ((ready)); then
      REMOTE_WORKER_PORT=$port
      REMOTE_EXECUTOR="grpc://127.0.0.1:$port"
      return 0
    fi
    if ! _remote_alive "$pid"; then
      wait "$pid" 2>/dev/null || true
      if ((attempt < 3)) && grep -qs 'Address already in use' "$dir/worker.log"; then
        continue # the port was taken after remote_free_port; pick another
      fi
      _remote_err "the remote worker exited during start"
    else
      _remote_err "the remote worker did not listen on port $port within ${REMOTE_START_TIMEOUT}s"
    fi
    _remote_log_tail "$dir/worker.log"
    remote_stop_worker "$dir"
    return 1
  done
}

remote_stop_worker() {
  local dir=${1:-${REMOTE_WORKER_DIR:-}} pid
  [[ -n $dir ]] || return 0
  # The same absolute form as at start, which the marker below must match.
  dir=$(cd "$dir" 2>/dev/null && pwd -P) || return 0
  if [[ -s $dir/java.pid ]]; then
    pid=$(cat "$dir/java.pid")
    # SIGTERM lets the JVM run its shutdown hooks (which remove worker.pid).
    # The --pid_file flag in its command line names DIR.
    _remote_stop_pid "$pid" "--pid_file=$dir/worker.pid" TERM "remote worker for $dir" || return 1
    rm -f "$dir/java.pid" "$dir/worker.pid"
  fi
  if [[ $dir == "${REMOTE_WORKER_DIR:-}" ]]; then
    REMOTE_EXECUTOR=
    REMOTE_WORKER_PORT=
  fi
}

remote_stop_all() {
  local rc=0
  remote_stop_worker || rc=1
  remote_stop_cache || rc=1
  return "$rc"
}
