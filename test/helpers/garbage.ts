/**
 * `size` bytes of seeded pseudo-random data from `low`, `span` values of them (high bytes only by
 * default: no UTF-8 and no line break), beginning with 0xFF: binary data for the reader to refuse.
 */
export function garbageBytes(seed: number, low = 0x80, span = 128, size = 8192): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < bytes.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = low + (seed % span);
  }
  bytes[0] = 0xff;
  return bytes;
}
