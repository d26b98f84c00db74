#!/usr/bin/env node
// Hint: dist/ is built by `npm install` (prepare) or `npm run build`; in a clone not yet built,
// or with dependencies missing, say so in one line (exit 2, a usage error) rather than Node's stack.
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(`callhook: ${error.message.split('\n')[0]}; run npm install (which builds dist/) first\n`);
  process.exitCode = 2;
}
