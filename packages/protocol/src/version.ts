// The wire version. Bump it whenever a schema in this package changes shape:
// `wire.test.ts` pins a hash of every wire schema together with this number,
// so an unannounced change fails the build instead of a deployed client.

/** Version of the HTTP protocol between the sync engine and the `sync` function. */
// Still 1: nothing has shipped, and everything added since the first pin is
// additive (error type `rate` for 429s, /sync/invite, /sync/history and
// /sync/checksum, a status-only /sync/health without the service-role key, the
// 429 code `too_many_requests` with its cap MAX_REQUESTS_IN_FLIGHT_PER_USER;
// the engine's transport treats any 429 as retryable after Retry-After).
// DESIGN.md's contract fixes `x-packsync-protocol: 1`.
export const PROTOCOL_VERSION = 1;

/** Every request carries the client's protocol version in this header. */
export const PROTOCOL_HEADER = 'x-packsync-protocol';
