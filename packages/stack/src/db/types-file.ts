import path from 'node:path';
import { repoRoot } from '../config.ts';

/** The checked-in output of `supabase gen types typescript` for `public`. */
export const DATABASE_TYPES_FILE = path.join(repoRoot, 'supabase', 'types', 'database.ts');
