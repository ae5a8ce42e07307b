#!/usr/bin/env bash
# Documentation check (run by .ci/run after the tests):
#   1. builds the docfx site in docs/ (docfx 2.81.0 from the repository's tool manifest, .config/dotnet-tools.json):
#      the API reference from the XML docs of DiffOpt.Core and DiffOpt.ML, then the guides, with warnings as errors,
#      so a broken link, a missing page or an unresolved cross-reference fails;
#   2. serves docs/_site on a local port and opens pages in headless Chromium (Debian's `chromium`, installed with
#      apt-get when missing), one screenshot each, into artifacts/docs-screenshots/ (not committed);
#   3. fails if a screenshot is missing or blank (one colour, or almost nothing drawn).
# Look at artifacts/docs-screenshots/index.png after changing the layout: a check can say "not blank", not "right".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$SECONDS
step() { echo "docs check [$((SECONDS - start)) s]: $*"; }
fail() { echo "docs check: FAILED: $*" >&2; exit 1; }

install_debian_package() { # command, package
  command -v "$1" > /dev/null && return 0
  step "installing $2 (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$2" > /dev/null || { apt-get update -qq && apt-get install -y -qq "$2" > /dev/null; } ||
    fail "could not install $2; install it (Debian: apt-get install $2) and run again"
}

step "dotnet tool restore"
dotnet tool restore > /dev/null

step "docfx: API metadata and site, warnings as errors"
rm -rf docs/_site docs/obj
find docs/api -name '*.yml' -delete
find docs/api -name '.manifest' -delete
dotnet docfx docs/docfx.json --warningsAsErrors || fail "docfx reported warnings or errors (above)"
[ -s docs/_site/index.html ] || fail "docs/_site/index.html was not written"
[ -s docs/_site/api/DiffOpt.Qp.QpSolver.html ] || fail "the API reference (docs/_site/api/) was not generated"

install_debian_package python3 python3
install_debian_package chromium chromium

shots="$root/artifacts/docs-screenshots"
rm -rf "$shots"
mkdir -p "$shots"
work=$(mktemp -d "${TMPDIR:-/tmp}/diffopt-docs-check.XXXXXX")
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The modern template loads its navigation with fetch(), which file:// pages may not do: serve over HTTP.
python3 - "$root/docs/_site" "$work/port" << 'EOF' &
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
with open(sys.argv[2] + ".tmp", "w") as f: f.write(str(server.server_address[1]))
import os; os.replace(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
EOF
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "the local web server did not start"
port=$(cat "$work/port")

screenshot() { # page, output name
  step "screenshot of $1"
  rm -f "$shots/$2"
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$(mktemp -d "$work/profile.XXXXXX")" --window-size=1280,900 --virtual-time-budget=10000 \
    --screenshot="$shots/$2" "http://127.0.0.1:$port/$1" > "$work/chromium.log" 2>&1 ||
    { cat "$work/chromium.log" >&2; fail "chromium could not take a screenshot of $1"; }
  [ -s "$shots/$2" ] || { cat "$work/chromium.log" >&2; fail "no screenshot of $1"; }
}
screenshot index.html index.png
screenshot guides/concepts.html concepts.png
screenshot api/DiffOpt.Qp.QpSolver.html api-qpsolver.png

step "checking that the screenshots are not blank"
python3 "$root/build/png-not-blank.py" "$shots"/*.png || fail "a screenshot is blank (see $shots)"
step "done; screenshots in $shots"
