import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The database and upload folder of the server under test (see playwright.config.ts). */
const url = (process.env.E2E_DATABASE_URL ?? '').split('?')[0];
export const uploadDir = path.resolve(__dirname, '../../target/e2e-uploads');

/** psql from PATH, or from the PostgreSQL install the embedded cluster uses. */
function psql(): string {
  const root = '/usr/lib/postgresql';
  const installed = existsSync(root)
    ? readdirSync(root).map((version) => `${root}/${version}/bin/psql`).filter(existsSync)
    : [];
  return existsSync('/usr/bin/psql') ? '/usr/bin/psql' : (installed[0] ?? 'psql');
}

/** One value from one SQL query, through psql. Parameters are passed as psql variables. */
export function sqlValue(query: string, vars: Record<string, string> = {}): string {
  const args = ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url];
  for (const [name, value] of Object.entries(vars)) args.push('-v', `${name}=${value}`);
  return execFileSync(psql(), args, { input: query, encoding: 'utf8' }).trim();
}

export function storedFile(key: string): Buffer {
  return readFileSync(path.join(uploadDir, key));
}
