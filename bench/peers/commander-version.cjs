// A floor, not a peer: a CommonJS file that loads commander (from node_modules, as a CLI written
// with it does) and prints a version with it, declaring no command. callhook's `--version` is
// this plus its own commands' declarations, bundled into one file.
const { Command } = require('commander');

new Command().version('0.0.0').parse(process.argv);
