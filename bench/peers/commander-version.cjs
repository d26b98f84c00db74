// A floor, not a peer: an ES module that loads commander (from node_modules, as a CLI written
// with it does) and prints a version with it, declaring no command. callhook's `--version` is
// this plus its own commands' declarations, bundled into one file.
import { Command } from 'commander';

new Command().version('0.0.0').parse(process.argv);
