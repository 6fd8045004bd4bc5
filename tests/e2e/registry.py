"""A loopback registry for tests: docker-registry, optionally behind basic
auth, and a test-only front that speaks the Bearer token flow and injects
faults.

The access log of docker-registry is what upload counts are read from: it is
the registry's own record of what it received, not the client's claim.
"""
import base64
import http.client
import http.server
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bcrypt_line(user, password):
    """An htpasswd line; docker-registry accepts bcrypt only."""
    if shutil.which("htpasswd"):
        out = subprocess.run(["htpasswd", "-nbB", "-C", "4", user, password],
                             check=True, stdout=subprocess.PIPE).stdout.decode()
        return out.strip() + "\n"
    import crypt  # Deprecated in 3.11, gone in 3.13; htpasswd covers that.
    return "%s:%s\n" % (user, crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))


class Registry:
    """docker-registry on 127.0.0.1 with an access log; stopped by stop()."""

    def __init__(self, workdir, users=None, env=None):
        if shutil.which("docker-registry") is None:
            raise RuntimeError("docker-registry is not installed: run tools/setup.sh")
        self.port = free_port()
        self.addr = "127.0.0.1:%d" % self.port
        self.log = os.path.join(workdir, "registry-%d.log" % self.port)
        config = os.path.join(workdir, "registry-%d.yml" % self.port)
        text = ("version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: false\n"
                "storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"
                "http:\n  addr: %s\n" % (os.path.join(workdir, "data-%d" % self.port), self.addr))
        if users:
            htpasswd = os.path.join(workdir, "htpasswd-%d" % self.port)
            with open(htpasswd, "w") as f:
                for user, password in users.items():
                    f.write(bcrypt_line(user, password))
            text += "auth:\n  htpasswd:\n    realm: imagewriter-test\n    path: %s\n" % htpasswd
        with open(config, "w") as f:
            f.write(text)
        self.logfile = open(self.log, "wb")
        self.proc = subprocess.Popen(["docker-registry", "serve", config], env=env,
                                     stdout=self.logfile, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("docker-registry did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.logfile.close()

    def requests(self):
        """(method, path, status) of every request in the access log so far."""
        self.logfile.flush()
        pattern = re.compile(r'"([A-Z]+) (\S+) HTTP/[0-9.]+" (\d+) ')
        with open(self.log, errors="replace") as f:
            return [(m.group(1), m.group(2), int(m.group(3))) for m in map(pattern.search, f) if m]

    def uploads(self, since=0):
        """Blob uploads started (POST .../blobs/uploads/) after request #since."""
        return [r for r in self.requests()[since:]
                if r[0] == "POST" and "/blobs/uploads/" in r[1]]


class Front(http.server.ThreadingHTTPServer):
    """A Bearer-token registry front: /token issues tokens for basic-auth
    credentials (or a refresh token); /v2/ needs a token and is forwarded to
    the backend. `faults` counts 503s still to answer, `resets` connections
    still to drop, before forwarding; `token_uses`, when set, is how many
    requests a token is good for before it expires (a 401 again)."""

    daemon_threads = True

    def __init__(self, backend, users, refresh_tokens=()):
        super().__init__(("127.0.0.1", 0), _FrontHandler)
        self.backend = backend
        self.users = dict(users)
        self.refresh_tokens = set(refresh_tokens)
        self.tokens = set()
        self.token_requests = []  # (how: basic|refresh|anonymous, scope)
        self.faults = 0
        self.resets = 0
        self.token_uses = None
        self.realm = None  # The challenge's realm; None: this front's /token.
        self.uses = {}
        self.lock = threading.Lock()
        self.addr = "127.0.0.1:%d" % self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def take(self, name):
        with self.lock:
            if getattr(self, name) > 0:
                setattr(self, name, getattr(self, name) - 1)
                return True
        return False

    def token_valid(self, token):
        """Whether token was issued and has not expired; counts this use."""
        with self.lock:
            if token not in self.tokens:
                return False
            self.uses[token] = self.uses.get(token, 0) + 1
            if self.token_uses is not None and self.uses[token] > self.token_uses:
                self.tokens.discard(token)
                return False
            return True


class _FrontHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, status, body=b"", headers=(), length=None):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _token(self, body):
        server = self.server
        form = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        form.update(urllib.parse.parse_qsl(body.decode()))
        how = "anonymous"
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if server.users.get(user) != password:
                return self._reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            how = "basic"
        elif form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in server.refresh_tokens:
                return self._reply(401, b'{"error":"invalid_grant"}')
            how = "refresh"
        server.token_requests.append((how, form.get("scope", "")))
        if how == "anonymous":
            return self._reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
        token = secrets.token_hex(16)
        server.tokens.add(token)
        key = "access_token" if self.command == "POST" else "token"
        self._reply(200, ('{"%s":"%s"}' % (key, token)).encode(), [("Content-Type", "application/json")])

    def _forward(self, body):
        server = self.server
        if server.take("resets"):
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if server.take("faults"):
            return self._reply(503, b'{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}')
        auth = self.headers.get("Authorization", "")
        if not (auth.startswith("Bearer ") and server.token_valid(auth[7:])):
            repo = self.path.split("/")[2] if self.path.count("/") > 2 else ""
            challenge = 'Bearer realm="%s",service="iw-test"' % (server.realm or "http://%s/token" % server.addr)
            if repo:
                challenge += ',scope="repository:%s:pull"' % repo
            return self._reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', [("WWW-Authenticate", challenge)])
        conn = http.client.HTTPConnection(server.backend, timeout=120)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("authorization", "transfer-encoding", "content-length", "connection")}
        headers["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        out = [(k, v) for k, v in resp.getheaders()
               if k.lower() not in ("content-length", "transfer-encoding", "connection")]
        if self.command == "HEAD":
            self._reply(resp.status, b"", out, length=resp.getheader("Content-Length", "0"))
        else:
            self._reply(resp.status, data, out)
        conn.close()

    def _handle(self):
        body = self._body()
        if self.path.startswith("/token"):
            return self._token(body)
        return self._forward(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = _handle

