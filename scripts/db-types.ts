// `npm run db:types`: regenerates supabase/types/database.ts from the
// migrations with the real Supabase CLI, on a throw-away database.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateTypes } from '../packages/stack/src/db/migrate.ts';
import { withThrowawayDatabase } from '../packages/stack/src/db/throwaway.ts';
import { DATABASE_TYPES_FILE } from '../packages/stack/src/db/types-file.ts';
import { freePort } from '../packages/stack/src/net.ts';

const types = await withThrowawayDatabase(await freePort(), generateTypes);
await mkdir(path.dirname(DATABASE_TYPES_FILE), { recursive: true });
await writeFile(DATABASE_TYPES_FILE, types);
console.log(`wrote ${path.relative(process.cwd(), DATABASE_TYPES_FILE)}`);
