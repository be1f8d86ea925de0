// Size limits the function enforces and a well-behaved client stays under.
// They are part of the wire contract: a client batches pushes to fit them.

/** Largest request body the function reads, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Most changes in one push. */
export const MAX_CHANGES_PER_PUSH = 1000;

/** Most changes one pull returns; also the default `limit`. */
export const MAX_PULL_LIMIT = 1000;

/** Longest cursor a client may send back (cursors are opaque server tokens). */
export const MAX_CURSOR_LENGTH = 512;

/** Most streams one user may hold open at once (tabs, devices). */
export const MAX_STREAMS_PER_USER = 8;

/** Most history entries one page returns. */
export const MAX_HISTORY_LIMIT = 1000;
/** Trips one checksum request may name (`public.trip_checksums` answers at most this many). */
export const MAX_CHECKSUM_TRIPS = 1000;

/** Pushes one user may have in flight at once on one function instance; more get 429 `too_many_pushes`. */
export const MAX_PUSHES_IN_FLIGHT_PER_USER = 2;

/**
 * Other database requests (pull, checksum, history, invite) one user may have
 * in flight at once on one function instance; more get 429 `too_many_requests`.
 * An engine sends one at a time, so this leaves room for a few devices and tabs.
 */
export const MAX_REQUESTS_IN_FLIGHT_PER_USER = 4;
