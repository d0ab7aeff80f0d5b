// Where a built site keeps the WASM module the page loads first.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// `incident-desk.wasm`, or its hashed name: split modules and chunks carry other names.
export function mainModule(siteRoot) {
  const pkg = join(siteRoot, 'pkg');
  const found = readdirSync(pkg).filter((name) => /^incident-desk(\.[A-Za-z0-9_-]+)?\.wasm$/.test(name));
  if (found.length !== 1) throw new Error(`expected one main module in ${pkg}, found: ${found.join(', ') || 'none'}`);
  return { name: found[0], path: join(pkg, found[0]) };
}
