/** A raw TCP sender, for peers that send what node's own clients would not (a head left unfinished). */
import { connect } from 'node:net';

/** Sends raw bytes and collects what comes back until the server closes or `ms` pass. */
export function rawExchange(port: number, chunks: (string | Buffer)[], ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (d) => {
      answer += d.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    for (const chunk of chunks) socket.write(chunk);
  });
}
