// What the phone's main WASM module is made of, so the next person sees where its bytes go:
// the final module's sections (raw and brotli), then the module before wasm-bindgen and
// wasm-opt (names kept) by crate and by largest item, from twiggy.
//
// Usage: node end2end/bench/wasm-breakdown.mjs PKG_FOLDER NAMED_MODULE
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { mainModule } from '../checks/site.mjs';

const [pkg, named] = process.argv.slice(2);
const { name: mainName, path: mainPath } = mainModule(pkg);
const bytes = readFileSync(mainPath);
const brotli = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// Sections: id byte, LEB128 length, payload (the WebAssembly binary format).
const NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'data count'];
let at = 8;
const sections = [];
while (at < bytes.length) {
  const id = bytes[at++];
  let size = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at++];
    size |= (byte & 0x7f) << shift;
    if (!(byte & 0x80)) break;
  }
  sections.push({ name: NAMES[id] ?? `#${id}`, size, packed: brotli(bytes.subarray(at, at + size)) });
  at += size;
}
console.log(`main module ${mainName}: ${kb(bytes.length)} raw, ${kb(brotli(bytes))} brotli`);
for (const s of sections.filter((s) => s.size > 1024).sort((a, b) => b.size - a.size)) {
  console.log(`    ${s.name.padEnd(8)} ${kb(s.size).padStart(10)} raw ${kb(s.packed).padStart(10)} brotli (alone)`);
}

// twiggy on the module with names (before wasm-bindgen and wasm-opt: sizes are larger than
// shipped, proportions hold).
let csv;
try {
  csv = execFileSync('twiggy', ['top', '-f', 'csv', '-n', '1000000', named], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
} catch {
  console.log('(twiggy not installed: `cargo install twiggy --version 0.8.0 --locked` for the breakdown by crate)');
  process.exit(0);
}
const rows = csv.trim().split('\n').slice(1).map((line) => {
  const m = line.match(/^(?:"((?:[^"]|"")*)"|([^,]*)),(\d+),/);
  return m ? { name: (m[1] ?? m[2]).replace(/""/g, '"'), size: Number(m[3]) } : null;
}).filter((row) => row && !row.name.startsWith('"') && !row.name.startsWith('custom section'));
const crateOf = (name) => {
  if (name.startsWith('data segment') || name.startsWith('data[')) return '(data segments)';
  const path = name.replace(/^[<&(\[]+/, '').replace(/^(?:impl |dyn |mut )+/, '');
  const head = path.match(/^([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
  return head ? head[1] : '(other: closures, glue, shims)';
};
const byCrate = new Map();
for (const row of rows) byCrate.set(crateOf(row.name), (byCrate.get(crateOf(row.name)) ?? 0) + row.size);
const total = rows.reduce((sum, row) => sum + row.size, 0);
console.log(`by crate (shallow, before wasm-opt; ${kb(total)} in all, ${named}):`);
for (const [crate, size] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, 14)) {
  console.log(`    ${kb(size).padStart(10)}  ${crate}`);
}
console.log('largest items:');
for (const row of rows.sort((a, b) => b.size - a.size).slice(0, 12)) {
  console.log(`    ${kb(row.size).padStart(10)}  ${row.name.slice(0, 110)}`);
}
