import type { Middleware } from "moleculer";

/** A Moleculer error as it arrives from any node (rebuilt there: `instanceof` cannot be trusted). */
interface CallError extends Error {
	code?: number;
	data?: unknown;
}

/** The field messages of a validation error's `data`: one line each, `field: message`. */
function fieldMessages(data: unknown): string[] {
	if (!Array.isArray(data)) return [];
	return data
		.filter((item): item is { field?: string; message: string } => typeof item?.message === "string")
		.map(item => `  ${item.field ?? "(params)"}: ${item.message}`);
}

/**
 * A middleware for the REPL's broker: a call that fails with a client error (a 4xx: bad params,
 * an unknown id) shows what was wrong instead of a stack trace, which says nothing to an operator
 * who typed the call. A server error (5xx) keeps its stack.
 *
 * Relies on moleculer-repl 0.8.0: its `call` command prints a failed call as `>> ERROR:` (the
 * message it means to add is dropped by kleur, which takes one argument), then the error's
 * `stack`, then `Data:`. The stack is what this replaces: the error's name and message, and a
 * validation error's field messages. test/e2e/repl-output.spec.ts fails once that printing changes.
 */
export function ReadableReplErrors(): Middleware {
	return {
		name: "ReadableReplErrors",
		call(next: (...args: unknown[]) => Promise<unknown>) {
			return (...args: unknown[]) =>
				next(...args).catch((err: CallError) => {
					if (typeof err?.code === "number" && err.code >= 400 && err.code < 500)
						err.stack = [`${err.name}: ${err.message}`, ...fieldMessages(err.data)].join("\n");
					throw err;
				});
		},
		// Moleculer 0.15.2's typings give the `call` hook the wrapped call's return type, not the wrapper's.
	} as unknown as Middleware;
}
