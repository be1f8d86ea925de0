/**
 * Which functions skip the gateway's JWT check: `[functions.<name>]` with
 * `verify_jwt = false` in supabase/config.toml, as the Supabase CLI reads it.
 * Only that key is read; the rest of the file is ignored.
 */
export function functionsWithoutJwtCheck(configToml: string): Set<string> {
  const open = new Set<string>();
  let section = '';
  for (const raw of configToml.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!.trim();
    const fn = /^functions\.([A-Za-z0-9_-]+)$/.exec(section);
    if (fn && /^verify_jwt\s*=\s*false$/.test(line)) open.add(fn[1]!);
  }
  return open;
}
