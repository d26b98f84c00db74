/** Test conveniences over the capture reader: a folder's deliveries in an array, and one body read alone. */
import { CapturedBodies, type CapturedDelivery, capturedDeliveries } from '../../src/input/captures.js';

/** Every delivery `capturedDeliveries` gives, in an array. */
export async function listCapturedDeliveries(paths: readonly string[]): Promise<CapturedDelivery[]> {
  const found: CapturedDelivery[] = [];
  for await (const delivery of capturedDeliveries(paths)) found.push(delivery);
  return found;
}

/** One captured delivery's body, byte for byte (see `CapturedBodies`). */
export async function readCapturedBody(delivery: CapturedDelivery): Promise<Buffer> {
  const bodies = new CapturedBodies();
  try {
    return await bodies.read(delivery);
  } finally {
    await bodies.close();
  }
}
