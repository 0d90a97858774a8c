/**
 * How a server process (a subgraph or the gateway) is started from its TypeScript entry point.
 *
 * V8 sizes its heap from the machine's memory (gigabytes here) and collects garbage lazily, so a
 * server's resident size climbs to several hundred MB under load although it holds far less. A
 * bounded old space and young generation make it collect sooner; 160 MB is several times what the
 * largest answer (brokers on the civil-service graph) keeps.
 */
export const serverNodeFlags = ["--max-old-space-size=160", "--max-semi-space-size=8"] as const;

/** The arguments for `node`: the flags above, then tsx to run the entry point. */
export const serverNodeArgs = (entry: string): string[] => [...serverNodeFlags, "--import", "tsx", entry];
