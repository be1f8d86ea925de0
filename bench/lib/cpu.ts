// CPU time of the Chromium this bench launched, per process type, read from
// /proc. Wall-clock rates on this shared 2-core machine move with the load;
// the CPU a phase costs the renderer (the page's JS, serialization, request
// objects) and the browser process (IndexedDB's backing store, the network)
// moves much less, and says which side of IndexedDB's IPC the time is spent on.
import { readdirSync, readFileSync } from 'node:fs';

export type ChromiumCpu = Record<string, number>;

function stat(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Milliseconds of CPU (user + system) so far of every Chromium process this Node process started, by `--type` (`browser` for the main one). */
export function chromiumCpu(): ChromiumCpu {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = stat(Number(entry));
    if (!fields) continue;
    const parent = Number(fields[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const ticksMs = 1000 / 100; // USER_HZ is 100 on Linux
  const out: ChromiumCpu = {};
  const walk = (pid: number, top: boolean) => {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return;
    }
    if (top && !/chrom/i.test(cmd)) return;
    const fields = stat(pid);
    if (fields) {
      const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
      out[type] = (out[type] ?? 0) + (Number(fields[11]) + Number(fields[12])) * ticksMs;
    }
    for (const child of children.get(pid) ?? []) walk(child, false);
  };
  for (const pid of children.get(process.pid) ?? []) walk(pid, true);
  return out;
}

/** CPU ms spent between two readings, renderer and browser process (the rest is noise: GPU, utilities). */
export function cpuSince(before: ChromiumCpu, after: ChromiumCpu = chromiumCpu()): { renderer: number; browser: number } {
  const spent = (type: string) => (after[type] ?? 0) - (before[type] ?? 0);
  return { renderer: spent('renderer'), browser: spent('browser') };
}

/** `renderer R + browser B ms` per 1000 rows. */
export function perThousand(cpu: { renderer: number; browser: number }, rows: number): string {
  const k = rows / 1000;
  return `renderer ${(cpu.renderer / k).toFixed(0)} + browser ${(cpu.browser / k).toFixed(0)} ms`;
}
