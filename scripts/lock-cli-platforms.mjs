// The registry these machines reach does not serve the Supabase CLI's
// non-Linux-x64 platform packages, so `npm install` leaves them out of
// package-lock.json and `npm ci` then refuses the lockfile. This puts their
// entries back (os/cpu/libc tell npm to skip them on other platforms, so none
// is ever fetched here). Run it after any `npm install` that rewrites the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const cli = lock.packages['node_modules/supabase'];
const platforms = {
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'linux-arm64': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'linux-x64': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'windows-arm64': { os: ['win32'], cpu: ['arm64'] },
  'windows-x64': { os: ['win32'], cpu: ['x64'] },
};
let added = 0;
for (const [platform, constraints] of Object.entries(platforms)) {
  const key = `node_modules/@supabase/cli-${platform}`;
  if (lock.packages[key]) continue;
  lock.packages[key] = { version: cli.version, dev: true, license: 'MIT', optional: true, ...constraints };
  added++;
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} Supabase CLI platform entr${added === 1 ? 'y' : 'ies'} added`);
