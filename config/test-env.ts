/**
 * Leaves NODE_EXTRA_CA_CERTS, FORCE_COLOR and NO_COLOR out of the environment that the workers,
 * and every process a test starts, inherit.
 *
 * Hint: where NODE_EXTRA_CA_CERTS is set (some machines point it at the system's whole CA bundle),
 * each Node start reads and parses that file first: measured here, 160 ms of CPU on top of 60 ms
 * for `node -e 0`, paid by each of the suite's several hundred callhook processes. No test needs it:
 * they talk to 127.0.0.1 only, over TLS with certificates they make themselves.
 *
 * Hint: a FORCE_COLOR in the environment (FORCE_COLOR=3, as some CI services and terminals set)
 * coloured what the renderers a test runs in its worker return, and what every callhook started
 * without runCli's environment printed (replay, fix, verify and package tests failed). A test
 * about colour sets FORCE_COLOR or NO_COLOR itself.
 */
const left = ['NODE_EXTRA_CA_CERTS', 'FORCE_COLOR', 'NO_COLOR'] as const;

export default function setup(): () => void {
  const saved = left.map((name) => [name, process.env[name]] as const);
  for (const name of left) delete process.env[name];
  return () => {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  };
}
