// Rewrites a file of a built site together with the precompressed copies a release build made
// beside it (`--precompress`): the server prefers those, so a stale copy would still be served.
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { existsSync, writeFileSync } from 'node:fs';

export function rewrite(path, content) {
  writeFileSync(path, content);
  if (existsSync(`${path}.br`)) writeFileSync(`${path}.br`, brotliCompressSync(content));
  if (existsSync(`${path}.gz`)) writeFileSync(`${path}.gz`, gzipSync(content));
}
