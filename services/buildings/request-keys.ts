import { createHash } from "node:crypto";
import { Errors, type Logger } from "moleculer";
import type { Sequelize } from "sequelize";
import { findKey, purgeExpiredKeys, saveKeyAnswer } from "./request-keys.statements";

/** An `Idempotency-Key`, with the fingerprint of the request it came with. */
export interface RequestKey {
	key: string;
	hash: string;
}

/** A request's key and a fingerprint of its parameters, to tell a true repeat from a reused key. */
export function requestKey(key: string, params: Record<string, unknown>): RequestKey {
	const canonical = JSON.stringify(
		Object.keys(params)
			.sort()
			.map(name => [name, params[name] ?? null]),
	);
	return { key, hash: createHash("sha256").update(canonical).digest("hex") };
}

export interface RequestKeysOptions {
	/** How long a key is remembered. */
	ttlHours: number;
	/** How long the first request with a key may take before a repeat is answered from the state. */
	firstAnswerWithinMs: number;
}

const PURGE_INTERVAL_MS = 60_000;

/**
 * The `Idempotency-Key`s of `buildings.create`, in the idempotency_keys table. A key is claimed
 * by the statement that saves its building (`saveNewBuildings`), so a repeat (or a concurrent
 * twin) finds the first request's work instead of doing it again; here a repeat gets its
 * answer, the first answer is kept, and expired keys are purged every minute.
 */
export class RequestKeys {
	private purgeTimer?: NodeJS.Timeout;

	constructor(
		private readonly sequelize: Sequelize,
		private readonly logger: Logger,
		private readonly options: RequestKeysOptions,
	) {}

	/**
	 * Answers a repeat: the first answer, or `current(buildingId)` if the first request never saved
	 * one. 422 for the key with other parameters; 409 while the first request is still handled.
	 */
	async replay<A>({ key, hash }: RequestKey, current: (buildingId: number) => Promise<A>): Promise<A> {
		const record = await findKey(this.sequelize, key, this.options.ttlHours);
		if (record && record.requestHash !== hash) {
			const message = "This Idempotency-Key was used for a different request.";
			throw new Errors.ValidationError(message, "VALIDATION_ERROR", [{ type: "idempotencyKeyReused", field: "idempotencyKey", message }]);
		}
		if (record?.response) return record.response as A;
		// The first request's node stopped before saving its answer: answer with the state now.
		if (record && Date.now() - new Date(record.createdAt).getTime() > this.options.firstAnswerWithinMs) return current(record.buildingId);
		// The first request is still being handled (or the key expired a moment ago).
		const message = "A request with this Idempotency-Key is in progress. Try again shortly.";
		throw new Errors.MoleculerClientError(message, 409, "IDEMPOTENCY_KEY_IN_USE");
	}

	/** Keeps the first answer for repeats; a failure only costs a repeat its exact answer. */
	async saveAnswer({ key }: RequestKey, answer: unknown): Promise<void> {
		await saveKeyAnswer(this.sequelize, key, answer).catch((err: Error) => this.logger.warn(`Answer to key not saved: ${err.message}`));
	}

	start(): void {
		this.purgeTimer = setInterval(() => {
			purgeExpiredKeys(this.sequelize, this.options.ttlHours).then(
				purged => purged > 0 && this.logger.info(`Forgot ${purged} expired Idempotency-Key(s).`),
				(err: Error) => this.logger.warn(`Purging expired keys failed: ${err.message}`),
			);
		}, PURGE_INTERVAL_MS);
	}

	stop(): void {
		clearInterval(this.purgeTimer);
	}
}
