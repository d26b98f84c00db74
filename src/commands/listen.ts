/** `callhook listen`: a local receiver that checks, shows and captures deliveries byte for byte. */
import { maskPhonesInText } from '../core/timeline.js';
import { CallhookError, ExitCode } from '../errors.js';
import { parseSecrets } from '../http/signing.js';
import { colorsFor, escapeTerminal, terminalWidth, warningLine, wrapMessage } from '../render/terminal.js';
import { plural } from '../render/words.js';
import { CaptureWriter } from '../server/capture.js';
import {
  bodyBudgetOf,
  type Delivery,
  isLoopbackHost,
  type ListenSettings,
  outputNotRead,
  startListener,
} from '../server/listen.js';
import {
  drawDeliveries,
  maskedDelivery,
  renderCounts,
  renderDeliveryEvents,
  renderDeliveryJson,
  renderDeliveryLine,
  renderDeliveryProblems,
  renderExposedWarning,
  renderListeningJson,
} from '../server/render.js';
import { GatheringWriter } from './gathering-writer.js';
import { type ListenOptions, parseListenOptions, type RawListenOptions } from './listen-options.js';
import { exitOnceWritten, onStopSignals, type StopSignal, stdoutGone } from './signals.js';

function signSettings(options: ListenOptions): ListenSettings['sign'] {
  if (!options.sign) return undefined;
  // The secrets are read as replay reads them, and checked before the port is opened.
  const keys = parseSecrets(process.env[options.secretEnv], options.sign, options.secretEnv);
  return options.sign === 'standard'
    ? { scheme: 'standard', keys, toleranceSeconds: options.toleranceSeconds }
    : { scheme: 'hmac', keys, header: options.signatureHeader };
}

/**
 * Past this many bytes written to stdout and not yet taken by its reader, requests are refused
 * (503, Retry-After: 1) until it takes them. Hint: a reader that stops (a pager left, a paused
 * pane, `| sleep`) held every line in memory: 850 MB after 700,000 deliveries, then a V8 crash
 * under a smaller heap (hT60). Sixteen of the largest lines a 5 MB body's events draw.
 */
const outputWaitingBytes = 16 * 1024 * 1024;

/** The action of `callhook listen`. */
export async function listen(raw: RawListenOptions): Promise<void> {
  const options = parseListenOptions(raw);
  const sign = signSettings(options);
  const out = process.stdout;
  const err = process.stderr;
  const colors = colorsFor(out);
  const ctx = { width: options.width ?? terminalWidth(out), colors };
  const messageWidth = options.width ?? terminalWidth(err);
  // Hint: under --mask every line listen prints goes through the one mask, its own lines too.
  const shown = options.mask ? maskPhonesInText : (text: string) => text;
  // Hint: written after the start-up line, which scripts read as the first line of stderr.
  const warnings: string[] = [];
  const onWarning = (message: string) => warnings.push(warningLine(message, messageWidth));
  const capture = options.out
    ? await CaptureWriter.open(options.out, { durable: options.durable, onWarning })
    : undefined;

  // Hint: the deliveries answered in one turn of the event loop are drawn together, and their
  // lines go out in one write: a system call and a trip through the stream per delivery showed in
  // the profile under load, and drawing each between the answers kept the renderer out of the
  // processor's caches.
  let answered: Delivery[] = [];
  const draw = (received: Delivery): string => {
    const delivery = options.mask ? maskedDelivery(received) : received;
    if (options.format === 'json') return renderDeliveryJson(delivery);
    let text = renderDeliveryLine(delivery, colors, ctx.width) + renderDeliveryProblems(delivery, colors, ctx.width);
    if (!options.compact && delivery.events.length > 0) text += renderDeliveryEvents(delivery, ctx);
    return text;
  };
  const writer = new GatheringWriter(out);
  // Requests refused while stdout was not read: not drawn (their lines would wait too), counted.
  let unread = 0;
  const sayWhenRead = () => {
    if (writer.waiting > outputWaitingBytes) {
      out.once('drain', sayWhenRead);
      return;
    }
    err.write(
      warningLine(
        `stdout is read again: ${plural(unread, 'request was', 'requests were')} refused meanwhile, not shown`,
        messageWidth,
      ),
    );
    unread = 0;
  };
  const shownOf = (deliveries: Delivery[]): Delivery[] => {
    const shownOnes = deliveries.filter((delivery) => delivery.error !== outputNotRead);
    if (shownOnes.length === deliveries.length) return deliveries;
    if (unread === 0) {
      err.write(
        warningLine(
          `stdout is not being read (${outputWaitingBytes / 1024 / 1024} MiB of lines wait for its reader): answering every request 503 with Retry-After: 1, and showing none of them, until it is`,
          messageWidth,
        ),
      );
      out.once('drain', sayWhenRead);
    }
    unread += deliveries.length - shownOnes.length;
    return shownOnes;
  };
  const flush = () => {
    const deliveries = shownOf(answered);
    answered = [];
    const { text, failures } = drawDeliveries(deliveries, draw);
    for (const failure of failures) err.write(warningLine(failure, messageWidth));
    if (text !== '') writer.write(text);
  };
  const onDelivery = (delivery: Delivery) => {
    if (answered.length === 0) setImmediate(flush);
    answered.push(delivery);
  };

  const listener = await startListener(
    {
      host: options.host,
      port: options.port,
      path: options.path,
      maxBodyBytes: options.maxBodyBytes,
      bodyBudgetBytes: bodyBudgetOf(options.maxBodyBytes),
      type: options.type,
      acceptInvalid: options.acceptInvalid,
      sign,
      respond: options.respond,
      failRate: options.failRate,
      seed: options.seed,
      failCode: options.failCode,
      retryAfter: options.retryAfter,
      delayMs: options.delayMs,
      forward: options.forward
        ? { url: options.forward, insecure: options.insecure, timeoutMs: options.forwardTimeoutMs }
        : undefined,
      headersTimeoutMs: options.headersTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      capture,
      outputWaiting: () => writer.waiting > outputWaitingBytes,
    },
    onDelivery,
  ).catch((error: NodeJS.ErrnoException) => {
    const reasons: Record<string, string> = {
      EADDRINUSE: 'the port is in use (try another --port, or 0 for a free one)',
      EACCES: 'permission denied (ports below 1024 need privileges)',
      EADDRNOTAVAIL: 'no such address on this machine',
      ENOTFOUND: 'no such host',
    };
    const reason = error.code ? reasons[error.code] : undefined;
    if (!reason) throw error;
    throw new CallhookError(`cannot listen on ${options.host}:${options.port}: ${reason}`, ExitCode.usage);
  });

  // Hint: the handlers are in place before listen says it is listening, so a supervisor that stops
  // it as soon as it reads that line gets the same graceful stop, not the default death by signal.
  /** The signal that stopped listen, if one did (not its stdout gone). */
  let stoppedBy: StopSignal | undefined;
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    let done = false;
    /** Stops for `why`, saying how to abort the requests in flight. */
    const stop = (why: string, abort: string) => {
      stopping = true;
      err.write(
        `\n${wrapMessage(`stopping (${why}): finishing the requests in flight (${abort} to abort them)`, messageWidth)}`,
      );
      listener
        .stop()
        .then(() => capture?.close())
        .catch((error: unknown) => err.write(`callhook: while stopping: ${escapeTerminal(shown(String(error)))}\n`))
        .then(() => {
          done = true;
          resolve();
        });
    };
    const onSignal = (signal: StopSignal) => {
      // Hint: the handlers stay until node exits; removed when the stop was done, a signal in the
      // moment before the exit got node's default action (exit 130) though nothing was left to stop.
      if (done) return;
      if (stopping) {
        err.write('aborting the requests in flight\n');
        listener.abort();
        return;
      }
      stoppedBy = signal;
      // Hint: named as replay names it: under systemd, in CI or with the terminal closed there is no Ctrl-C.
      stop(signal, `${signal === 'SIGINT' ? 'Ctrl-C' : signal} again`);
    };
    // Hint: never taken away: they stay until node exits (see `done`).
    onStopSignals(onSignal);
    // Hint: the reader of stdout gone (`listen | head`) stops a server as a signal does, not at once
    // as a report's run ends: exiting there reset the senders' requests in flight.
    stdoutGone.stop = () => {
      // Hint: not Ctrl-C alone: with stdout a pipe there is often no terminal to press it in.
      if (!stopping) stop(stdoutGone.failed ? 'stdout failed' : 'stdout closed', 'Ctrl-C, SIGTERM or SIGHUP');
    };
  });
  // Hint: the path is masked alone, as a delivery's is: in a link the mask keeps the path whole.
  const path = options.path ?? '/';
  const url = `${listener.url.slice(0, -path.length)}${shown(path)}`;
  err.write(`listening on ${url}\n`);
  // The start-up line comes first, so scripts can read it from the first line of stderr.
  if (!isLoopbackHost(listener.address)) err.write(renderExposedWarning(options.host, messageWidth));
  if (options.format === 'json') {
    const folder = options.out === undefined ? undefined : shown(options.out);
    writer.write(renderListeningJson({ url, port: listener.port, out: folder }));
  }
  if (capture)
    err.write(
      `${wrapMessage(`capturing to ${escapeTerminal(shown(capture.folder))}`, messageWidth)}${warnings.join('')}`,
    );

  await stopped;
  flush();
  if (options.format === 'json') writer.write(`${JSON.stringify({ kind: 'stopped', ...listener.counts })}\n`);
  // Hint: what waits for stdout goes to the stream now, so that the wait for it to be written takes it in.
  writer.release();
  err.write(renderCounts(listener.counts, messageWidth));
  // Hint: the run ends here, once those lines are out, not when node runs out of work: a second
  // Ctrl-C then got the default action (exit 130) though everything had stopped (review hR19).
  // Hint: a write to stdout that failed ends it with its own code instead, and lines a reader of
  // stdout stopped taking with the signal's, as cut short (see `exitOnceWritten`).
  await exitOnceWritten(undefined, stoppedBy);
}
