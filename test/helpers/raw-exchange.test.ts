import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { rawExchange } from './raw-exchange.js';

it('counts its time from when the bytes went out, not from the connect: a busy test process still sends them', async () => {
  // A sender that "gives up after 50 ms" gave up before it connected when the process was busy
  // (a loaded machine, an in-process listen): nothing was sent, and listen's test saw no delivery.
  let received = '';
  const server = createServer((socket: Socket) => {
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const answer = rawExchange((server.address() as AddressInfo).port, ['hello'], 50);
    const busyUntil = Date.now() + 100;
    while (Date.now() < busyUntil) {
      // the process busy past the sender's 50 ms, before it could connect
    }
    expect(await answer).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toBe('hello');
  } finally {
    server.close();
  }
});
