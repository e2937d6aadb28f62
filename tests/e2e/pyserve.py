#!/usr/bin/python3
# Test helper: runs the suite's Python checkers (check-openapi.py, check-json-output.py, ...)
# without paying for Python and jsonschema's start on every call. A script's checkers start in
# a few milliseconds instead of a third of a second: the modules are imported once, and each
# call is a fork of this process that runs the checker as its own __main__.
# usage: pyserve.py DIR      serves requests through the FIFO DIR/req until DIR/req is removed
#                            or a request is "stop"; DIR/ready appears once it listens.
# A request (lib.sh's pyrun writes it) is NUL-separated: the caller's working directory, the
# checker's path, its arguments. The checker's stdout and stderr go to DIR/out and DIR/err,
# and its exit status (as a shell would give it: 128+N for a signal) to the FIFO DIR/resp.
import os
import runpy
import sys

# What the checkers import, loaded once; a module missing here is imported by the checker.
for name in ("json", "re", "base64", "hashlib", "glob", "ast", "pathlib", "urllib.parse",
             "jsonschema", "yaml"):
    try:
        __import__(name)
    except ImportError:
        pass

DIR = sys.argv[1]
REQ, RESP = os.path.join(DIR, "req"), os.path.join(DIR, "resp")


def run(cwd, script, args):
    """The child: the checker as __main__, its output in DIR/out and DIR/err."""
    try:
        os.chdir(cwd)
        for fd, name in ((1, "out"), (2, "err")):
            f = os.open(os.path.join(DIR, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(f, fd)
            os.close(f)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        sys.argv = [script] + args
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        runpy.run_path(script, run_name="__main__")
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, int) and e.code is not None:
            print(e.code, file=sys.stderr)
    except BaseException:  # a checker's crash is a failure, shown as Python would show it
        import traceback
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


open(os.path.join(DIR, "ready"), "w").close()
while True:
    try:
        with open(REQ, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        break
    if not data or data == b"stop":
        if data == b"stop":
            break
        continue
    cwd, script, *args = [p.decode("utf-8", "surrogateescape") for p in data.split(b"\0")[:-1]]
    pid = os.fork()
    if pid == 0:
        run(cwd, script, args)
    _, status = os.waitpid(pid, 0)
    st = os.waitstatus_to_exitcode(status)
    with open(RESP, "w") as f:
        f.write("%d\n" % (st if st >= 0 else 128 - st))
