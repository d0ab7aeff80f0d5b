// Where a built bundle keeps the WASM module a page loads first: in the folder of the bundle's
// files (`target/site/pkg` for the desk, `target/site-phone/pkg` for the phone).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// `incident-desk.wasm`, or its hashed name: split modules and chunks carry other names.
export function mainModule(pkg) {
  return mainFile(pkg, 'wasm');
}

// The script the page imports first, which loads the main module (and the split loader).
export function mainScript(pkg) {
  return mainFile(pkg, 'js');
}

function mainFile(pkg, extension) {
  const pattern = new RegExp(`^incident-desk(\\.[A-Za-z0-9_-]+)?\\.${extension}$`);
  const found = readdirSync(pkg).filter((name) => pattern.test(name));
  if (found.length !== 1) throw new Error(`expected one main .${extension} in ${pkg}, found: ${found.join(', ') || 'none'}`);
  return { name: found[0], path: join(pkg, found[0]) };
}
