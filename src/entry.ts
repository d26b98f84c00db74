/**
 * The CLI's one bundle (dist/cli.cjs, which bin/callhook.cjs loads): the command line on the main
 * thread, and in a worker thread that a command started from the same entry, that command's
 * worker side. Each is initialised only where it runs.
 */
import { isMainThread, workerData } from 'node:worker_threads';

/** What a command's worker is started with: the field that names its task (see each `serve…`). */
const task = workerData as { callhookHalf?: unknown; callhookGenerate?: unknown } | null;

if (isMainThread) void import('./cli.js').then(({ main }) => main());
// Hint: a worker whose module fails to initialise ends with the error, which its command reads
// as a thread that failed (it goes on on one thread).
else if (task?.callhookHalf === 'validate') void import('./commands/validate.js');
else if (task?.callhookHalf === 'summarise') void import('./commands/summarise-worker.js');
else if (task?.callhookGenerate !== undefined) void import('./commands/generate.js');
