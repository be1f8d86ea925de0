// Ids of the rows (and changes) this device makes: UUID version 7 (RFC 9562):
// 48 bits of Unix milliseconds, a 12-bit counter that keeps ids made within
// one millisecond in order (the RFC's method 1), then random bits. Ids made one
// after another sort one after another, so the records a device queued
// together sit next to each other in every store and index keyed by id: a
// push batch's shadows are one key range, deleted with one request instead of
// one per row (apply.ts deleteShadows; bench/findings.md, measure 8).

/** A generator of time-ordered UUIDs, increasing even when the clock stands still or goes back. */
export function uuidv7(now: () => number, fill: (bytes: Uint8Array) => Uint8Array = (b) => globalThis.crypto.getRandomValues(b)): () => string {
  let last = -1;
  let counter = 0;
  return () => {
    let ms = Math.floor(now());
    if (ms > last) {
      last = ms;
      counter = 0;
    } else if (++counter > 0xfff) {
      // 4096 ids in one millisecond: borrow the next one.
      last++;
      counter = 0;
    }
    ms = last;
    const bytes = fill(new Uint8Array(16));
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
