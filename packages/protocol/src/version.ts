// The wire version. Bump it whenever a schema in this package changes shape:
// `wire.test.ts` pins a hash of every wire schema together with this number,
// so an unannounced change fails the build instead of a deployed client.

/** Version of the HTTP protocol between the sync engine and the `sync` function. */
// 2: error type `rate` (429), /sync/invite and /sync/history, /sync/health
//    without the service-role key answers only its status.
export const PROTOCOL_VERSION = 2;

/** Every request carries the client's protocol version in this header. */
export const PROTOCOL_HEADER = 'x-packsync-protocol';
