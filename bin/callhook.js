#!/usr/bin/env node
// Hint: dist/ is built by `npm install` (prepare) or `npm run build`; in a clone not yet built,
// or with dependencies missing, say so in one line (exit 2, a usage error) rather than Node's stack.
// Any other error here is a file of callhook's own that could not be loaded (a chunk of dist/ under
// `ulimit -n`): the error funnel may be that file, so it is said here, with none of them loaded.
try {
  await import('../dist/cli.js');
} catch (error) {
  const { relative } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { getSystemErrorMap } = await import('node:util');
  const firstLine = String(error?.message ?? error).split('\n')[0];
  const reason = getSystemErrorMap().get(error?.errno)?.[1] ?? firstLine;
  const file =
    typeof error?.path === 'string' ? relative(fileURLToPath(new URL('..', import.meta.url)), error.path) : '';
  const message =
    error?.code === 'ERR_MODULE_NOT_FOUND'
      ? `${firstLine}; run npm install (which builds dist/) first`
      : file
        ? `cannot load ${file}: ${reason}`
        : firstLine;
  // Hint: control characters escaped; errors.ts, which escapes every other line, may be what failed to load.
  const escaped = message.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  process.stderr.write(`callhook: ${escaped}\n`);
  process.exitCode = 2;
}
