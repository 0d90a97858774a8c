import pino, { type Logger } from "pino";

/** JSON logs on stdout; secrets that may pass through a request are redacted. */
export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: { paths: ["req.headers.authorization", "*.password", "*.NEO4J_PASSWORD"], censor: "[redacted]" },
  });
}
