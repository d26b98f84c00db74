/** A raw TCP sender, for peers that send what node's own clients would not (a head left unfinished). */
import { connect } from 'node:net';

/**
 * Sends raw bytes and collects what comes back until the server closes or `ms` pass from when the
 * last of them went out. Hint: counted from the connect, a busy process (a loaded machine, a
 * listen in the test's own process) gave up before it had connected, so nothing was sent.
 */
export function rawExchange(port: number, chunks: (string | Buffer)[], ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const wait = () => {
      timer = setTimeout(() => socket.destroy(), ms);
    };
    socket.on('data', (d) => {
      answer += d.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    for (const [i, chunk] of chunks.entries()) socket.write(chunk, i === chunks.length - 1 ? wait : undefined);
    if (chunks.length === 0) socket.once('connect', wait);
  });
}
