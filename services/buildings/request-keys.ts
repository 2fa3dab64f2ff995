import { createHash } from "node:crypto";
import { Errors, type ServiceSchema } from "moleculer";
import type { Sequelize, Transaction } from "sequelize";
import { claimKey, findKey, purgeExpiredKeys, saveKeyAnswer } from "../models/idempotency-keys.statements";

export interface IdempotencyOptions {
	/** How long a key is remembered. */
	ttlHours: number;
	/** How long the first request with a key may take before a repeat is answered from the state. */
	firstAnswerWithinMs: number;
}

/** What a first request with a key did: it saved its work, or the key was in use (a repeat). */
export type KeyedSave<T> = { outcome: "saved"; saved: T } | { outcome: "repeat" };

/** What the mixin gives a service. */
export interface IdempotencyKeys {
	/** Runs `save` in a transaction with the key's claim: both are kept, or neither. */
	saveOnce<T extends { building: { id: number } }>(
		key: string,
		hash: string,
		save: (transaction: Transaction) => Promise<T>,
	): Promise<KeyedSave<T>>;
	/** Answers a repeat: the first answer, or `current(buildingId)` if the first never saved one. */
	replay<A>(key: string, hash: string, current: (buildingId: number) => Promise<A>): Promise<A>;
	/** Keeps the first answer for repeats; a failure only costs a repeat its exact answer. */
	saveAnswer(key: string, answer: unknown): Promise<void>;
}

/** A fingerprint of a request's parameters, to tell a true repeat from a reused key. */
export function requestHash(params: Record<string, unknown>): string {
	const canonical = JSON.stringify(
		Object.keys(params)
			.sort()
			.map(key => [key, params[key] ?? null]),
	);
	return createHash("sha256").update(canonical).digest("hex");
}

const PURGE_INTERVAL_MS = 60_000;

type Self = {
	sequelize: Sequelize;
	logger: { warn(...args: unknown[]): void; info(...args: unknown[]): void };
	purgeTimer?: NodeJS.Timeout;
};

/**
 * `Idempotency-Key`s of a service's create action, in its idempotency_keys table: a key is
 * claimed in the transaction that saves what the request creates, so a repeat (or a
 * concurrent twin) finds the first request's work instead of doing it again. Expired keys are
 * purged every minute.
 */
export function IdempotencyMixin({ ttlHours, firstAnswerWithinMs }: IdempotencyOptions): Partial<ServiceSchema> {
	return {
		methods: {
			async saveOnce<T extends { building: { id: number } }>(
				this: Self,
				key: string,
				hash: string,
				save: (t: Transaction) => Promise<T>,
			): Promise<KeyedSave<T>> {
				const transaction = await this.sequelize.transaction();
				try {
					const saved = await save(transaction);
					const claimed = await claimKey(this.sequelize, transaction, { key, hash, buildingId: saved.building.id, ttlHours });
					// A key in use: what was saved is rolled back, the request is a repeat.
					await (claimed ? transaction.commit() : transaction.rollback());
					return claimed ? { outcome: "saved", saved } : { outcome: "repeat" };
				} catch (err) {
					await transaction.rollback().catch(() => undefined);
					throw err;
				}
			},

			async replay<A>(this: Self, key: string, hash: string, current: (buildingId: number) => Promise<A>): Promise<A> {
				const record = await findKey(this.sequelize, key, ttlHours);
				if (record && record.requestHash !== hash) {
					const message = "This Idempotency-Key was used for a different request.";
					throw new Errors.ValidationError(message, "VALIDATION_ERROR", [
						{ type: "idempotencyKeyReused", field: "idempotencyKey", message },
					]);
				}
				if (record?.response) return record.response as A;
				// The first request's node stopped before saving its answer: answer with the state now.
				if (record && Date.now() - new Date(record.createdAt).getTime() > firstAnswerWithinMs) return current(record.buildingId);
				// The first request is still being handled (or the key expired a moment ago).
				const message = "A request with this Idempotency-Key is in progress. Try again shortly.";
				throw new Errors.MoleculerClientError(message, 409, "IDEMPOTENCY_KEY_IN_USE");
			},

			async saveAnswer(this: Self, key: string, answer: unknown): Promise<void> {
				await saveKeyAnswer(this.sequelize, key, answer).catch((err: Error) => this.logger.warn(`Answer to key not saved: ${err.message}`));
			},
		},

		started() {
			this.purgeTimer = setInterval(() => {
				purgeExpiredKeys(this.sequelize, ttlHours).then(
					purged => purged > 0 && this.logger.info(`Forgot ${purged} expired Idempotency-Key(s).`),
					(err: Error) => this.logger.warn(`Purging expired keys failed: ${err.message}`),
				);
			}, PURGE_INTERVAL_MS);
		},

		stopped() {
			clearInterval(this.purgeTimer);
		},
	};
}
