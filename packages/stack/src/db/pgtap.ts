import { copyFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where Debian's postgresql-15-pgtap puts its pure-SQL extension files. */
const DEBIAN_PGTAP_DIR = '/usr/share/postgresql/15/extension';

/**
 * pgTAP is plain SQL, so Debian's files for PostgreSQL 15 load into the
 * embedded PostgreSQL 17. Copies them into `extensionDir` when the Debian
 * package is present; returns whether it was.
 */
export async function installPgtap(extensionDir: string): Promise<boolean> {
  if (!existsSync(DEBIAN_PGTAP_DIR)) return false;
  const files = (await readdir(DEBIAN_PGTAP_DIR)).filter((f) => f.startsWith('pgtap'));
  if (files.length === 0) return false;
  await Promise.all(files.map((f) => copyFile(path.join(DEBIAN_PGTAP_DIR, f), path.join(extensionDir, f))));
  return true;
}
