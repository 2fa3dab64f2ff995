import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { Client } from "pg";
import { startEmbeddedPostgresProcess, type EmbeddedDatabase as Started } from "../../cluster/embedded-postgres-child";
import { postgresUser } from "../../cluster/postgres-access";
import { postgresHome } from "../../cluster/postgres-home";

/** The embedded PostgreSQL as `npm start` runs it, with DATA_DIR given. */
async function startEmbeddedPostgres(dataDir: string, databases: string[]): Promise<Started> {
	return startEmbeddedPostgresProcess(postgresHome(dataDir, { given: true }), databases, () => undefined);
}

/** The mode bits of every directory from `dir` up to /. */
function modesUpFrom(dir: string): Record<string, number> {
	const modes: Record<string, number> = {};
	for (let d = path.resolve(dir); ; d = path.dirname(d)) {
		modes[d] = statSync(d).mode & 0o7777;
		if (d === path.dirname(d)) return modes;
	}
}

async function connects(connectionString: string): Promise<true | string> {
	const client = new Client({ connectionString, connectionTimeoutMillis: 5000 });
	try {
		await client.connect();
		await client.query("SELECT 1");
		return true;
	} catch (err) {
		return (err as Error).message;
	} finally {
		await client.end().catch(() => undefined);
	}
}

// The embedded PostgreSQL of `npm start` keeps to DATA_DIR: it changes no permission above it,
// and over TCP, which any user of the machine can reach, it asks for the password kept there.
describe("the embedded PostgreSQL's access", () => {
	const root = mkdtempSync(path.join(tmpdir(), "pg-access-"));
	// The test's own directory (mkdtemp makes it 0700), open to the server's user.
	chmodSync(root, 0o755);
	const asRoot = userInfo().uid === 0;
	let server: Started | undefined;
	afterAll(async () => {
		await server?.stop();
		rmSync(root, { recursive: true, force: true });
	});

	it("a parent of DATA_DIR at 0700 keeps its mode: as root, the start is refused naming it; as its owner, it starts", async () => {
		const closed = path.join(root, "closed");
		mkdirSync(closed, { mode: 0o700 });
		chmodSync(closed, 0o700);
		const dataDir = path.join(closed, "data");
		const before = modesUpFrom(closed);
		const starting = startEmbeddedPostgres(dataDir, []);
		if (asRoot) await expect(starting).rejects.toThrow(`which cannot enter ${closed} `);
		else await (await starting).stop();
		expect(modesUpFrom(closed)).toEqual(before);
		expect(before[closed]).toBe(0o700);
	});

	it("changes no permission above DATA_DIR, and keeps its password (0600) and socket (0700) inside", async () => {
		// Only search permission, for the server's user, on the parent of DATA_DIR.
		const parent = path.join(root, "search-only");
		mkdirSync(parent, { mode: 0o711 });
		chmodSync(parent, 0o711);
		const dataDir = path.join(parent, "data");
		const before = { ...modesUpFrom(parent), ...modesUpFrom(require.resolve("embedded-postgres")) };
		server = await startEmbeddedPostgres(dataDir, ["access"]);
		expect({ ...modesUpFrom(parent), ...modesUpFrom(require.resolve("embedded-postgres")) }).toEqual(before);

		const passwordFile = path.join(dataDir, "postgres-password");
		const password = readFileSync(passwordFile, "utf8").trim();
		expect(password.length).toBeGreaterThanOrEqual(32);
		expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
		expect(statSync(passwordFile).uid).toBe(asRoot ? postgresUser().uid : userInfo().uid);
		expect(statSync(server.socketDir).mode & 0o777).toBe(0o700);

		const tcp = new URL(server.url("access"));
		expect(decodeURIComponent(tcp.password)).toBe(password);
		expect(await connects(tcp.toString())).toBe(true);
		const withoutPassword = Object.assign(new URL(tcp), { password: "" }).toString();
		const wrongPassword = Object.assign(new URL(tcp), { password: "guess" }).toString();
		expect(await connects(withoutPassword)).toMatch(/password/i);
		expect(await connects(wrongPassword)).toMatch(/password authentication failed/);
		expect(await connects(server.socketUrl!("access"))).toBe(true);
	});

	it("puts a data directory that trusted TCP clients (an earlier version's) on the password", async () => {
		const dataDir = path.join(root, "search-only", "data");
		const databaseDir = path.join(dataDir, "postgres");
		// As an earlier version left it: no password, TCP trusted, no password file.
		const admin = new Client({ connectionString: server!.url("postgres") });
		await admin.connect();
		await admin.query("ALTER ROLE postgres PASSWORD NULL");
		await admin.end();
		await server!.stop();
		server = undefined;
		const hba = path.join(databaseDir, "pg_hba.conf");
		writeFileSync(hba, readFileSync(hba, "utf8").replace(/scram-sha-256/g, "trust"));
		rmSync(path.join(dataDir, "postgres-password"));

		server = await startEmbeddedPostgres(dataDir, ["access"]);
		expect(readFileSync(hba, "utf8")).not.toMatch(/^\s*host.*\btrust\s*$/m);
		const tcp = new URL(server.url("access"));
		expect(await connects(tcp.toString())).toBe(true);
		expect(await connects(Object.assign(new URL(tcp), { password: "" }).toString())).toMatch(/password/i);
		expect(statSync(path.join(dataDir, "postgres-password")).mode & 0o777).toBe(0o600);
	});
});
