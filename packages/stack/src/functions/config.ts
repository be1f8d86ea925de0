import { existsSync } from 'node:fs';
import path from 'node:path';

/** The `[functions.<name>]` keys of supabase/config.toml the local stack honours. */
export interface FunctionSettings {
  verifyJwt: boolean;
  /** `import_map`, as written (relative to the supabase folder). */
  importMap?: string;
}

/**
 * `[functions.<name>]` sections of supabase/config.toml, as the Supabase CLI
 * reads them. Only `verify_jwt` and `import_map` are read; the rest of the
 * file is ignored.
 */
export function functionSettings(configToml: string): Map<string, FunctionSettings> {
  const out = new Map<string, FunctionSettings>();
  let current: FunctionSettings | undefined;
  for (const raw of configToml.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      const fn = /^functions\.([A-Za-z0-9_-]+)$/.exec(header[1]!.trim());
      current = fn ? { verifyJwt: true } : undefined;
      if (fn) out.set(fn[1]!, current!);
      continue;
    }
    if (!current) continue;
    const verify = /^verify_jwt\s*=\s*(true|false)$/.exec(line);
    if (verify) current.verifyJwt = verify[1] === 'true';
    const importMap = /^import_map\s*=\s*"([^"]*)"$/.exec(line);
    if (importMap) current.importMap = importMap[1]!;
  }
  return out;
}

/** Which functions skip the gateway's JWT check (`verify_jwt = false`). */
export function functionsWithoutJwtCheck(configToml: string): Set<string> {
  return new Set([...functionSettings(configToml)].filter(([, s]) => !s.verifyJwt).map(([name]) => name));
}

/**
 * The import map a function runs with, chosen as `supabase functions deploy`
 * chooses the one it uploads: `import_map` from config.toml (relative to the
 * supabase folder), else the function's own deno.json. Undefined when neither
 * exists (the deploy then uploads no import map).
 */
export function importMapFor(name: string, functionsDir: string, configToml: string): string | undefined {
  const configured = functionSettings(configToml).get(name)?.importMap;
  if (configured) return path.resolve(path.dirname(functionsDir), configured);
  const own = path.join(functionsDir, name, 'deno.json');
  return existsSync(own) ? own : undefined;
}
