// Where a built site keeps the WASM module the page loads first.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// `incident-desk.wasm`, or its hashed name: split modules and chunks carry other names.
export function mainModule(siteRoot) {
  return mainFile(siteRoot, 'wasm');
}

// The script the page imports first, which loads the main module (and the split loader).
export function mainScript(siteRoot) {
  return mainFile(siteRoot, 'js');
}

function mainFile(siteRoot, extension) {
  const pkg = join(siteRoot, 'pkg');
  const pattern = new RegExp(`^incident-desk(\\.[A-Za-z0-9_-]+)?\\.${extension}$`);
  const found = readdirSync(pkg).filter((name) => pattern.test(name));
  if (found.length !== 1) throw new Error(`expected one main .${extension} in ${pkg}, found: ${found.join(', ') || 'none'}`);
  return { name: found[0], path: join(pkg, found[0]) };
}
