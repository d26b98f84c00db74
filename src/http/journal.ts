/**
 * The delivery journal (`--journal`): one JSON line per batch, appended as the batch completes,
 * so a crash or Ctrl-C loses nothing and `--resume` knows what the receiver already confirmed.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { describeIoError } from '../errors.js';

/** How a batch ended. Only `delivered` is skipped by `--resume`. */
export type BatchStatus = 'delivered' | 'failed' | 'gone' | 'undelivered';

/** One journal line. */
export interface JournalEntry {
  key: string;
  status: BatchStatus;
  /** The last HTTP status, when there was a response. */
  code?: number | undefined;
  /** Requests made for this batch (0 if it was never sent). */
  attempts: number;
  /** Duration of the last attempt, in ms. */
  latencyMs?: number | undefined;
  events: number;
  source: string;
  /** Why it was not delivered. */
  reason?: string | undefined;
  /** When the batch completed (ISO-8601). */
  at: string;
}

/** Something that records finished batches. */
export interface Journal {
  append(entry: JournalEntry): void;
  close(): void;
}

/**
 * Opens `path` for appending. Hint: each line goes out with one `writeSync`, so it is in the
 * kernel before the next batch starts and survives the process being killed; an fsync per line
 * would cost more than the delivery itself and only matters if the machine loses power.
 */
export function openJournal(path: string): Journal {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (error) {
    throw describeIoError(error, path);
  }
  return {
    append(entry) {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    },
    close() {
      closeSync(fd);
    },
  };
}

/** The keys a journal's text confirms as delivered; unreadable lines (a torn last write) are ignored. */
export function confirmedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as Partial<JournalEntry>;
      if (entry.status === 'delivered' && typeof entry.key === 'string') keys.add(entry.key);
      // A later failure of the same key does not undo an earlier confirmation: the receiver has it.
    } catch {
      // A line cut short by a crash: the batch it described was not confirmed, so it is sent again.
    }
  }
  return keys;
}

/** Reads the confirmed keys of the journal at `path`; a journal that does not exist yet confirms nothing. */
export function readConfirmedKeys(path: string): Set<string> {
  try {
    return confirmedKeys(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw describeIoError(error, path);
  }
}
