#!/usr/bin/env bash
# Checks gorx/nest against NestJS 11 (CommonJS packages) installed from the npm registry, in a
# scratch project under a temp dir. Not part of `npm test`: it needs the registry.
#
#   scripts/check-nest11.sh              # ESM app, CommonJS app (require(esm)), CommonJS import()
#   CHECK_TS5=1 scripts/check-nest11.sh  # also type-check the CommonJS app with TypeScript 5.x
#   KEEP=1 scripts/check-nest11.sh       # keep the scratch dir
#
# The app is scripts/nest11-check/*.ts, compiled with the repo's tsc (three ways, see below).
# Exits non-zero on the first failure.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
TSC="$REPO/node_modules/.bin/tsc"
SRC="$REPO/scripts/nest11-check"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gorx-nest11.XXXXXX")
cleanup() {
  if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "build and pack gorx (tarball in $WORK)"
(cd "$REPO" && npm run --silent build)
TGZ=$(cd "$REPO" && npm pack --silent --pack-destination "$WORK" | tail -n 1)

step "scratch app: NestJS 11 from the registry + the packed gorx"
APP="$WORK/app"
mkdir -p "$APP"
cd "$APP"
npm init -y >/dev/null
npm pkg set type=module
npm install --no-audit --no-fund --loglevel=error \
  @nestjs/common@11 @nestjs/core@11 @nestjs/platform-express@11 @nestjs/terminus@11 \
  reflect-metadata@0.2 rxjs@7 @types/node@20 "$WORK/$TGZ"
npm ls --depth=0
echo "node $(node --version), tsc $("$TSC" --version)"

# $1: directory, $2: tsconfig name, $3: out dir, $4: extra compiler options (JSON members).
tsconfig() {
  cat >"$1/$2" <<EOF
{
  "compilerOptions": {
    "target": "ES2022", "strict": true, "esModuleInterop": true, "skipLibCheck": true,
    "experimentalDecorators": true, "emitDecoratorMetadata": true, "types": ["node"],
    "rootDir": "src", "outDir": "$3", $4
  },
  "include": ["src"]
}
EOF
}

step "ESM app (\"type\": \"module\", tsc module nodenext)"
mkdir -p esm/src
cp "$SRC"/*.ts esm/src/
tsconfig esm tsconfig.json out '"module": "nodenext"'
"$TSC" -p esm/tsconfig.json
node esm/out/main.js

step "CommonJS app (\"type\": \"commonjs\"): tsc module commonjs, require() of ESM gorx/nest"
mkdir -p cjs/src
echo '{ "type": "commonjs" }' >cjs/package.json
cp "$SRC"/*.ts cjs/src/
cp "$SRC"/dynamic-import.cjs cjs/
tsconfig cjs tsconfig.commonjs.json out-commonjs '"module": "commonjs"'
"$TSC" -p cjs/tsconfig.commonjs.json
if [ "$(node -p 'process.features.require_module === true')" != true ]; then
  echo "this Node has no require(esm) (needs 20.19+ or 22.12+): a CommonJS app must use import()"
  exit 1
fi
node cjs/out-commonjs/main.js

step "CommonJS app: tsc module nodenext (CommonJS output in a \"type\": \"commonjs\" package)"
tsconfig cjs tsconfig.nodenext.json out-nodenext '"module": "nodenext"'
"$TSC" -p cjs/tsconfig.nodenext.json
node cjs/out-nodenext/main.js

step "CommonJS import() of gorx/nest, with require(esm) turned off"
node --no-experimental-require-module cjs/dynamic-import.cjs

if [ -n "${CHECK_TS5:-}" ]; then
  step "TypeScript 5.x: CommonJS app with module commonjs (Node10 resolution) and module nodenext"
  npm install --no-audit --no-fund --loglevel=error typescript@5
  echo "tsc $(npx tsc --version)"
  tsconfig cjs tsconfig.ts5-nodenext.json out-ts5-nodenext '"module": "nodenext"'
  npx tsc -p cjs/tsconfig.ts5-nodenext.json
  node cjs/out-ts5-nodenext/main.js
  tsconfig cjs tsconfig.ts5-commonjs.json out-ts5-commonjs '"module": "commonjs"'
  npx tsc -p cjs/tsconfig.ts5-commonjs.json
  node cjs/out-ts5-commonjs/main.js
fi

step "NestJS 11: all checks passed"
