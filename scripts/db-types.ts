// `npm run db:types`: regenerates supabase/types/database.ts from the
// migrations with the real Supabase CLI, on a throw-away database.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DATABASE_TYPES_FILE, freePort, generateTypes, withThrowawayDatabase } from '../packages/stack/src/index.ts';

const types = await withThrowawayDatabase(await freePort(), generateTypes);
await mkdir(path.dirname(DATABASE_TYPES_FILE), { recursive: true });
await writeFile(DATABASE_TYPES_FILE, types);
console.log(`wrote ${path.relative(process.cwd(), DATABASE_TYPES_FILE)}`);
