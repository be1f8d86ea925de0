// The wire is pinned: any change to a wire schema or limit changes the hash,
// and the hash is pinned together with PROTOCOL_VERSION. When this fails,
// decide whether the change is compatible; if not, bump PROTOCOL_VERSION.
// Either way, update PINNED with the new hash and version.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as limits from './limits.ts';
import { PROTOCOL_VERSION } from './version.ts';
import { wireSchemas } from './wire.ts';

// Version 1 still: streamRequest (the stream's optional client_id) is additive; a server
// without it refuses nothing the client sends as long as the query is ignored.
const PINNED = { version: 1, hash: 'cb1ff3f1e9c2c201' };

function wireHash(): string {
  const shape = {
    limits: Object.fromEntries(Object.entries(limits).sort()),
    schemas: Object.fromEntries(
      Object.entries(wireSchemas).map(([name, schema]) => [name, z.toJSONSchema(schema)]),
    ),
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

describe('wire protocol pin', () => {
  it('matches the pinned hash for this PROTOCOL_VERSION', () => {
    expect({ version: PROTOCOL_VERSION, hash: wireHash() }).toEqual(PINNED);
  });

  it('notices a change to a wire schema', () => {
    const before = wireHash();
    const original = wireSchemas.pullRequest;
    (wireSchemas as Record<string, z.ZodType>).pullRequest = original.extend({ extra: z.string() });
    try {
      expect(wireHash()).not.toBe(before);
    } finally {
      (wireSchemas as Record<string, z.ZodType>).pullRequest = original;
    }
  });
});
