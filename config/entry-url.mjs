// Injected into the CLI's bundle as its `import.meta.url` (config/build.mjs): the URL of
// bin/callhook.cjs, which a command's worker threads start from, to load the bundle with its code
// cache as the main thread does. Hint: `__dirname` is the bundle's folder, dist/, whether the bin
// runs it or Node runs it directly.
export const entryUrl = require('node:url').pathToFileURL(
  require('node:path').join(__dirname, '..', 'bin', 'callhook.cjs'),
).href;
