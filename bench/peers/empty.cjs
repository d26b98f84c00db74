// A floor, not a peer: an empty ES module. Node starts an ES module entry through its module
// loader, which `node -e 0` (CommonJS) does not; callhook's CLI is an ES module.
