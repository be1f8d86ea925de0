// Installs what the two commands need on a fresh machine, and nothing when it
// is all there: `npm ci` when node_modules is missing or older than the
// lockfile; with --test, Debian's psql, pgTAP, pg_prove and Chromium.
// Plain JavaScript: it must run before any dependency is installed.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });
const stamp = 'node_modules/.package-lock.json';

if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync('package-lock.json').mtimeMs) {
  console.log('packsync: installing npm dependencies (npm ci)');
  run('npm ci --no-audit --no-fund');
}

if (process.argv.includes('--test')) {
  const debian = {
    'postgresql-client': '/usr/bin/psql', // pg_prove runs the tests through psql
    'postgresql-15-pgtap': '/usr/share/postgresql/15/extension/pgtap.control',
    'libtap-parser-sourcehandler-pgtap-perl': '/usr/bin/pg_prove',
    chromium: '/usr/bin/chromium',
  };
  const missing = Object.entries(debian).filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  if (missing.length > 0) {
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    console.log(`packsync: installing Debian packages: ${missing.join(' ')}`);
    run(`${sudo}apt-get update -qq`);
    run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`);
  }
}
