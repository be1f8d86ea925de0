// POST /sync/checksum: a fingerprint per trip of what the caller can see
// (sha256 of the sorted lines `entity:id:version` of its live rows), so the
// engine can compare its mirror after catching up and fetch a divergent trip
// again. Trips the caller cannot see are left out of the answer.
import { z } from 'zod';
import { uuid } from '../../model/src/index.ts';
import { MAX_CHECKSUM_TRIPS } from './limits.ts';

export const checksumRequest = z.strictObject({
  trip_ids: z.array(uuid).min(1).max(MAX_CHECKSUM_TRIPS),
});
export type ChecksumRequest = z.infer<typeof checksumRequest>;

export const checksumResponse = z.strictObject({
  checksums: z.array(z.strictObject({ trip_id: uuid, checksum: z.string().regex(/^[0-9a-f]{64}$/) })),
});
export type ChecksumResponse = z.infer<typeof checksumResponse>;
