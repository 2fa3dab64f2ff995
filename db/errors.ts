import { Errors } from "moleculer";
import {
	ConnectionError,
	DatabaseError,
	ForeignKeyConstraintError,
	TimeoutError,
	UniqueConstraintError,
	ValidationError as SequelizeValidationError,
} from "sequelize";

const { MoleculerClientError, MoleculerError, MoleculerRetryableError } = Errors;

/** 404 for an id that has no row; the same name and shape as moleculer-db's own. */
export class EntityNotFoundError extends MoleculerClientError {
	constructor(id: unknown) {
		super("Entity not found", 404, "NOT_FOUND", { id });
		this.name = "EntityNotFoundError";
	}
}

/** 503: the service's database cannot be reached; worth trying again later. */
export class DatabaseUnavailableError extends MoleculerRetryableError {
	constructor() {
		super("The database is unavailable. Try again later.", 503, "DATABASE_UNAVAILABLE");
		this.name = "ServiceUnavailableError";
	}
}

/** 503: the statement lost a deadlock or a serialization conflict; running it again will do. */
export class TransactionConflictError extends MoleculerRetryableError {
	constructor() {
		super("The database was busy with a conflicting change. Try again.", 503, "TRANSACTION_CONFLICT");
		this.name = "ServiceUnavailableError";
	}
}

/**
 * Turns a Sequelize error into the Moleculer error a client should see: the status says what
 * happened, the message never carries SQL. Anything that is not a database error passes as is.
 */
export function toMoleculerError(err: Error): Error {
	// moleculer-db's own 404 has no type; give it the one our 404s have.
	if (err.name === "EntityNotFoundError" && !(err instanceof EntityNotFoundError)) {
		return new EntityNotFoundError((err as Errors.MoleculerError).data?.id);
	}
	if (err instanceof UniqueConstraintError) {
		const fields = Object.keys(err.fields ?? {});
		return new MoleculerClientError("The entity already exists.", 409, "CONFLICT", { fields });
	}
	if (err instanceof ForeignKeyConstraintError) {
		return new MoleculerClientError("The entity refers to one that does not exist.", 409, "CONFLICT");
	}
	if (err instanceof SequelizeValidationError) {
		const data = err.errors.map(e => ({ field: e.path, message: e.message, type: e.validatorKey }));
		return new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", data);
	}
	// The pool could not get a connection, or the server went away: worth retrying later.
	if (err instanceof ConnectionError || err instanceof TimeoutError) {
		return new DatabaseUnavailableError();
	}
	if (err instanceof DatabaseError) {
		const original = err.original as { code?: string; syscall?: string } | undefined;
		// A socket error (ECONNRESET, EPIPE…) carries a code of Node's, not a SQLSTATE: no SQLSTATE.
		const sqlState = original?.syscall ? "" : (original?.code ?? "");
		// Class 22 is "data exception": a value the column cannot hold.
		if (sqlState.startsWith("22")) {
			return new MoleculerClientError("A value is out of range or malformed.", 422, "INVALID_VALUE");
		}
		// 40P01 deadlock detected, 40001 serialization failure, 55P03 lock not available within
		// DB_LOCK_TIMEOUT: Postgres rolled the statement back.
		if (sqlState === "40P01" || sqlState === "40001" || sqlState === "55P03") return new TransactionConflictError();
		// No SQLSTATE: the connection broke or was reset, or no answer came within DB_QUERY_TIMEOUT.
		// Class 57: cancelled (DB_STATEMENT_TIMEOUT) or the server is shutting down; class 08: the
		// connection broke mid-query; 25P03: DB_IDLE_IN_TRANSACTION_TIMEOUT ended the session.
		if (sqlState === "" || sqlState.startsWith("57") || sqlState.startsWith("08") || sqlState === "25P03") {
			return new DatabaseUnavailableError();
		}
		return new MoleculerError("A database error occurred.", 500, "DATABASE_ERROR");
	}
	return err;
}
