"""Shallow pulls from registries that want credentials; run by pull_auth.py.

The layer blobs of a shallow oci_pull are downloaded by actions
(rules/private/fetch_blob.py) that look the registry's credentials up
themselves, where oci_pull did, so that no secret is part of an action. For
the htpasswd registry and the Bearer front (password, identity token,
credential helper):
  - the pulled repository holds no layer, and building its output group
    `layers` makes the registry's own log show a GET of each layer;
  - skopeo reads the pulled layout completed with those blobs (it checks
    every blob against its digest);
  - Bazel's execution log of those actions (command lines, environment,
    inputs) holds no secret and no user-specific path;
and then:
  - the fetch action retries 503s;
  - a credential changed or removed after the pull fails the fetch action
    with a message that names the registry and the source;
  - no file of the output base holds a secret.
"""
import base64
import json
import os
import shutil
import subprocess
import tempfile


def b64(text):
    return base64.b64encode(text.encode()).decode()


def add(ws, addr, digest):
    """The repository the late-credential cases pull: it must be in the WORKSPACE."""
    ws.add("late", addr, digest)


def blob_gets(reg, since):
    """Hex digests of blobs the registry served (GET, 200) after request #since."""
    return {path.rsplit(":", 1)[1] for method, path, status in reg.requests()[since:]
            if method == "GET" and status == 200 and "/blobs/sha256:" in path}


def skopeo_reads(ws, repo):
    """skopeo copies the pulled layout, completed with the fetched blobs, to a dir: (exit, output)."""
    tmp = tempfile.mkdtemp(dir=ws.work)
    layout = os.path.join(tmp, "layout")
    shutil.copytree(os.path.join(ws.work, "ob", "external", repo, "layout"), layout)
    for name in os.listdir(ws.fetched(repo)):
        shutil.copyfile(os.path.join(ws.fetched(repo), name), os.path.join(layout, "blobs", "sha256", name))
    proc = subprocess.run(["skopeo", "copy", "-q", "oci:" + layout, "dir:" + os.path.join(tmp, "dir")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return proc.returncode, proc.stdout.decode()


def expect_layers(ws, check, what, repo, reg, secrets, **env):
    """Builds the `layers` output group of a shallow pull that needed credentials."""
    external = os.path.join(ws.work, "ob", "external", repo, "layout", "blobs", "sha256")
    shallow = ws.missing_layers(repo, external)
    since = len(reg.requests())
    log = os.path.join(ws.work, "exec-%s.json" % repo)
    # With the client's PATH (under ws.work) out of the actions' environment,
    # the credential helper is found only through the PATH oci_pull recorded.
    code, out = ws.fetch(repo, "--output_groups=layers", "--incompatible_strict_action_env",
                         "--execution_log_json_file=" + log, **env)
    layers = ws.layers(repo)
    missing = ws.missing_layers(repo, ws.fetched(repo)) if code == 0 else layers
    gets = blob_gets(reg, since)
    check("shallow pull (%s): the repository holds no layer; the fetch actions GET each one" % what,
          shallow == layers and not missing and set(layers) <= gets and not any(s in out for s in secrets),
          "not in the repository: %s\nexit %d, not fetched: %s\nregistry served: %s\n%s"
          % (shallow, code, missing, sorted(gets), out))
    if code != 0:
        return
    code, out = skopeo_reads(ws, repo)
    check("shallow pull (%s): skopeo reads the layout with the fetched layers" % what, code == 0, out)
    text = open(log).read() if os.path.exists(log) else ""
    leaked = [s for s in secrets if s in text]
    user_paths = [p for p in (ws.home, ws.work) if p in text]
    check("shallow pull (%s): the fetch actions' command lines, environment and inputs hold no secret "
          "and no user path" % what,
          "OciFetchBlob" in text and not leaked and not user_paths,
          "OciFetchBlob in the log: %s, secrets: %d, user paths: %s" % ("OciFetchBlob" in text, len(leaked), user_paths))


def late_credentials(ws, check, reg, password, secrets):
    """A credential that changes after the pull fails the fetch action, clearly."""
    good = {"auths": {reg.addr: {"auth": b64("alice:" + password)}}}
    config = ws.config("late", good)
    code, out = ws.fetch("late", DOCKER_CONFIG=config)
    check("shallow pull (late): pulled with good credentials", code == 0, out)
    url = "fetch http://%s/v2/iw/hello/blobs/sha256:" % reg.addr
    cases = [
        ("a wrong password", {"auths": {reg.addr: {"auth": b64("alice:wrong-" + password)}}},
         "%s refused the credentials from `auths` in %s/config.json (HTTP 401)" % (reg.addr, config)),
        ("no credential", {"auths": {}},
         "%s wants credentials (basic) and there are none usable: anonymous access (no credentials for it in "
         "%s/.config/containers/auth.json, %s/config.json; looked up in the environment oci_pull was fetched "
         "with, recorded in " % (reg.addr, ws.home, config)),
    ]
    for what, content, needle in cases:
        ws.config("late", content)  # new contents, same path: the repository is not fetched again
        code, out = ws.fetch("late", "--output_groups=layers", DOCKER_CONFIG=config)
        leaked = [s for s in secrets + ["wrong-" + password] if s in out]
        check("shallow pull: %s at action time fails the fetch naming the registry and the source" % what,
              code != 0 and url in out and needle in out and not leaked,
              "exit %d, secrets shown: %d, want %r\n%s" % (code, len(leaked), needle, out))


def output_base_clean(ws, check, secrets):
    """No regular file of the nested Bazel's output base holds a secret."""
    found = []
    encoded = [s.encode() for s in secrets]
    for top, dirs, files in os.walk(os.path.join(ws.work, "ob")):
        for name in files:
            path = os.path.join(top, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            if any(s in data for s in encoded):
                found.append(path)
    check("no file of the output base holds a password, its base64 or an identity token", not found, str(found))


def run(ws, basic, front, plain, check, password):
    secrets = [password, b64("alice:" + password), b64("bob:" + password), "refresh-" + password]
    expect_layers(ws, check, "htpasswd, config.json auths", "auths", basic, secrets,
                  DOCKER_CONFIG=ws.config("auths", {"auths": {basic.addr: {"auth": b64("alice:" + password)}}}))
    helper_log = os.path.join(ws.work, "helper.log")
    calls = len(open(helper_log).read().split())
    expect_layers(ws, check, "htpasswd, credHelpers", "helper", basic, secrets,
                  DOCKER_CONFIG=ws.config("helper", {"credHelpers": {basic.addr: "iwtest"}}))
    check("the fetch action ran the credential helper", len(open(helper_log).read().split()) > calls)
    tokens = len(front.token_requests)
    front.faults = 2
    expect_layers(ws, check, "Bearer realm, password", "bearer", plain, secrets,
                  DOCKER_CONFIG=ws.config("bearer", {"auths": {front.addr: {"auth": b64("bob:" + password)}}}))
    check("the fetch action retried both 503s of the Bearer front", front.faults == 0, str(front.faults))
    expect_layers(ws, check, "Bearer realm, identity token", "identity", plain, secrets,
                  DOCKER_CONFIG=ws.config("identity", {"auths": {front.addr: {"identitytoken": "refresh-" + password}}}))
    got = front.token_requests[tokens:]
    check("the fetch actions got their tokens with the password and with the identity token",
          ("basic", "repository:iw/hello:pull") in got and ("refresh", "repository:iw/hello:pull") in got, str(got))
    late_credentials(ws, check, basic, password, secrets)
    output_base_clean(ws, check, secrets)
    check("an action's key holds no user path: the pulled repository's auth_env.json is not an input",
          not any("auth_env.json" in open(os.path.join(ws.work, f)).read()
                  for f in os.listdir(ws.work) if f.startswith("exec-")))
