import { existsSync } from "node:fs";

/** Loads `.env` from the working directory, if there is one; variables already set win. */
export function loadDotEnv(): void {
	if (existsSync(".env")) process.loadEnvFile(".env");
}

/** Reads a non-negative integer setting from the environment; empty or unset gives `fallback`. */
export function integerFromEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === "") return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
	return value;
}
