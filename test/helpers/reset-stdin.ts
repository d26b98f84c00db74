/**
 * Runs the built CLI with a stdin that fails part way for real: a TCP connection that sends some
 * text and then is reset, so that the CLI's next read of stdin fails with ECONNRESET.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { binPath, type CliResult, repoRoot } from './run-cli.js';

/** The send and receive queues of the loopback connection from port `local` to port `remote` (Linux). */
function queues(local: number, remote: number): { tx: number; rx: number } | undefined {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hex(local)}`) && fields[2]?.endsWith(`:${hex(remote)}`)) {
        const [tx, rx] = (fields[4] ?? '').split(':').map((n) => Number.parseInt(n, 16));
        return { tx: tx ?? -1, rx: rx ?? -1 };
      }
    }
  }
  return undefined;
}

/**
 * Runs `callhook ...args` with stdin a connection that sends `text`, waits until the CLI has read
 * all of it (the connection's queues are empty), then resets it.
 */
export async function runWithResetStdin(args: readonly string[], text: string): Promise<CliResult> {
  let accept: (socket: Socket) => void = () => {};
  const accepted = new Promise<Socket>((resolve) => {
    accept = resolve;
  });
  const server = createServer((socket) => accept(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    // Hint: paused, so that this process reads none of what is meant for the child.
    client.pause();
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: [client, 'pipe', 'pipe'],
    });
    client.destroy();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    const closed = new Promise<Pick<CliResult, 'code' | 'signal'>>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const socket = await accepted;
    socket.write(text);
    // The child has read everything once nothing is queued either way; then it waits for more.
    for (let turn = 0; turn < 2000; turn++) {
      const sent = queues(port, socket.remotePort ?? 0);
      const received = queues(socket.remotePort ?? 0, port);
      if (sent?.tx === 0 && received?.rx === 0) break;
      await delay(5);
    }
    socket.resetAndDestroy();
    const { code, signal } = await closed;
    clearTimeout(timer);
    return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code, signal };
  } finally {
    server.close();
  }
}
