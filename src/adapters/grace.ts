/**
 * How long an adapter's stop() may take, one bound for every platform: running commands get this
 * long to answer, then what is left is dropped with a log line rather than left to a SIGKILL.
 */
export const STOP_GRACE_MS = 10_000;
