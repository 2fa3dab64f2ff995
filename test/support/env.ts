import "./outside-checkout";

// Runs before every test file: the gateway takes a free port, and logs stay quiet.
process.env.PORT = "0";
process.env.HOST = "127.0.0.1";
// Pending outbox jobs are retried at most 2 s apart, so tests see them drain quickly.
process.env.OUTBOX_MAX_BACKOFF ??= "2000";
