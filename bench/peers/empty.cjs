// A floor, not a peer: an empty CommonJS file, as callhook's entry (bin/callhook.cjs) is one.
