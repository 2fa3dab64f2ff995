import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync } from "node:fs";
import path from "node:path";

/**
 * The Unix socket of the embedded PostgreSQL, in a directory inside DATA_DIR: only processes
 * that can reach DATA_DIR can connect, and each statement costs the nodes less than over TCP
 * loopback.
 */

/** The kernel's limit on a socket's path: sun_path holds 108 bytes, the last one a NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

export function socketDirectory(dataDir: string): string {
	return path.resolve(dataDir, "postgres-socket");
}

/** Whether the socket Postgres makes in `dir` for `port` (`.s.PGSQL.<port>`) has a path short enough. */
export function socketPathFits(dir: string, port: number): boolean {
	return Buffer.byteLength(path.join(dir, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH_BYTES;
}

/**
 * URL of one database over the socket in `dir`: `pg` and Sequelize take the `host` parameter as
 * the socket's directory, and the port as the number in the socket's name.
 */
export function socketUrl(dir: string, port: number, database: string): string {
	return `postgres://postgres@localhost:${port}/${database}?host=${encodeURIComponent(dir).replace(/%2F/g, "/")}`;
}

/**
 * The value of Postgres's `unix_socket_directories` for one directory: a list setting, so the
 * directory is quoted in case its path holds a comma.
 */
export function socketDirectoriesSetting(dir: string): string {
	return `"${dir.replace(/"/g, '""')}"`;
}

/**
 * Creates the socket's directory, open to the user Postgres runs as and no one else (0700).
 * Run as root, that is the "postgres" user (the nodes, as root, connect all the same).
 */
export function prepareSocketDirectory(dir: string, asRoot: boolean): void {
	mkdirSync(dir, { recursive: true, mode: 0o700 });
	chmodSync(dir, 0o700); // mkdir leaves an existing directory as it was
	if (asRoot) chownSync(dir, postgresId("-u"), postgresId("-g"));
}

function postgresId(which: "-u" | "-g"): number {
	return Number(execFileSync("id", [which, "postgres"], { encoding: "utf8" }).trim());
}
