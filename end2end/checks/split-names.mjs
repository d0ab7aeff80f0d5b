// Mends and checks the split-code names a built site refers to; run after every
// `cargo leptos build --split`, with the folder of the bundle's files.
//
// cargo-leptos 0.3.6 adds content hashes to file names by plain text replacement, and in the
// prefetch manifest (`__wasm_split_manifest.<hash>.json`) it replaces names without their
// extension, in hash-map order. With a hundred split files or more, one name is the start of
// another (`chunk_23` and `chunk_237`): depending on the order of that build, the manifest can end
// up naming `chunk_23.<hash of 23>7.<hash of 237>`, a file that does not exist, and a page whose
// lazy code is prefetched through it never hydrates. Which pages break changes from build to build.
//
// This puts back each name whose file does not exist, from the file name it was made of (every
// `.<hash>` removed), and fails when a name still finds no file, in the manifest or in the loader.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rewrite } from './site-file.mjs';

const HASH = /\.[A-Za-z0-9_-]{22}/g;
// The folder of one bundle's files: `target/site/pkg` (the desk) or `target/site-phone/pkg`.
const pkg = process.argv[2] ?? 'target/site/pkg';
const files = new Set(readdirSync(pkg));

// The hashed file each unhashed name became: `chunk_237` -> `chunk_237.<hash>`.
const hashedOf = new Map();
for (const file of files) {
  if (!file.endsWith('.wasm')) continue;
  const stem = file.slice(0, -'.wasm'.length);
  hashedOf.set(stem.replace(HASH, ''), stem);
}

const problems = [];
let mended = 0;

const mend = (name) => {
  if (files.has(`${name}.wasm`)) return name;
  const hashed = hashedOf.get(name.replace(HASH, ''));
  if (!hashed) {
    problems.push(`the manifest names ${name}, which matches no file`);
    return name;
  }
  mended += 1;
  return hashed;
};

for (const file of files) {
  if (!/^__wasm_split_manifest.*\.json$/.test(file)) continue;
  const path = join(pkg, file);
  const before = readFileSync(path, 'utf8');
  const manifest = JSON.parse(before);
  for (const [route, names] of Object.entries(manifest)) {
    manifest[route] = names.map(mend);
  }
  const after = JSON.stringify(manifest, null, 2);
  if (after === before) continue;
  rewrite(path, after);
}

for (const file of files) {
  if (!/^__wasm_split\..*\.js$/.test(file)) continue;
  const loader = readFileSync(join(pkg, file), 'utf8');
  for (const [, name] of loader.matchAll(/["']\.\/([^"'\s]+\.wasm)["']/g)) {
    if (!files.has(name)) problems.push(`the loader ${file} names ${name}, which does not exist`);
  }
}

if (problems.length) {
  console.error(`split code names in ${pkg}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`split code names in ${pkg}: all found (${mended} mended in the prefetch manifest)`);
