import { connect, type NatsConnection } from "nats";

/**
 * Connects the `nats` client to the first of Moleculer's NATS URLs (nats://[user:pass@]host:port,…).
 * The client takes no credentials from a URL: they are passed apart.
 */
export function connectNats(transporter: string): Promise<NatsConnection> {
	const url = new URL(transporter.split(",")[0].trim());
	const decoded = (part: string) => (part ? decodeURIComponent(part) : undefined);
	return connect({ servers: `${url.hostname}:${url.port || 4222}`, user: decoded(url.username), pass: decoded(url.password) });
}

/** A transporter as the results show it: NATS URLs without their credentials. */
export function withoutCredentials(transporter: string): string {
	return transporter.replace(/\/\/[^@/,]*@/g, "//");
}
