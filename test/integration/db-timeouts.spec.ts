import type { Sequelize } from "sequelize";
import { settingsFrom } from "../../config/settings";
import { toMoleculerError } from "../../db/errors";
import { openPool } from "../../db/pool";
import { createDatabase, dropDatabase, uniqueName } from "../support/infra";
import { TcpProxy } from "../support/tcp-proxy";

// The pool every service opens, on a real Postgres: each kind of wait ends in a retryable 503.
describe("the database pool's timeouts", () => {
	const name = uniqueName("dbtimeouts");
	let url = "";
	const pools: Sequelize[] = [];
	const open = (env: Record<string, string>, at = url) => {
		const pool = openPool(at, "db-timeouts-test", settingsFrom(env).databases);
		pools.push(pool);
		return pool;
	};
	const failure = (work: Promise<unknown>) =>
		work.then(
			() => Promise.reject(new Error("expected an error")),
			(err: Error) => toMoleculerError(err),
		);

	beforeAll(async () => {
		url = await createDatabase(name);
	});
	afterAll(async () => {
		await Promise.all(pools.map(pool => pool.close()));
		await dropDatabase(name);
	});

	it("a statement over DB_STATEMENT_TIMEOUT is cancelled as a retryable 503", async () => {
		const pool = open({ DB_STATEMENT_TIMEOUT: "200" });
		const started = Date.now();
		const err = await failure(pool.query("SELECT pg_sleep(5)"));
		expect(err).toMatchObject({ code: 503, retryable: true });
		expect(Date.now() - started).toBeLessThan(2000);
		// The connection is fine afterwards.
		await expect(pool.query("SELECT 1 AS one", { plain: true })).resolves.toEqual({ one: 1 });
	});

	it("a lock held past DB_LOCK_TIMEOUT is a retryable 503 TRANSACTION_CONFLICT", async () => {
		const pool = open({ DB_LOCK_TIMEOUT: "200" });
		await pool.query("CREATE TABLE locked (id int)");
		const holder = await pool.transaction();
		await pool.query("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE", { transaction: holder });
		const err = await failure(pool.query("SELECT * FROM locked"));
		await holder.rollback();
		expect(err).toMatchObject({ code: 503, type: "TRANSACTION_CONFLICT", retryable: true });
	});

	it("a transaction left idle past DB_IDLE_IN_TRANSACTION_TIMEOUT is ended by Postgres", async () => {
		const pool = open({ DB_IDLE_IN_TRANSACTION_TIMEOUT: "200" });
		const idle = await pool.transaction();
		await pool.query("SELECT 1", { transaction: idle });
		await new Promise(resolve => setTimeout(resolve, 600));
		const err = await failure(pool.query("SELECT 1", { transaction: idle }));
		expect(err).toMatchObject({ code: 503, retryable: true });
		await expect(pool.query("SELECT 1 AS one", { plain: true })).resolves.toEqual({ one: 1 });
	});

	it("a connection gone silent (a black hole) fails after DB_QUERY_TIMEOUT, and the pool recovers on new connections", async () => {
		const target = new URL(url);
		const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
		await proxy.start();
		try {
			const throughProxy = url.replace(/@[^/]+\//, `@127.0.0.1:${proxy.port}/`);
			const pool = open({ DB_QUERY_TIMEOUT: "500", DB_STATEMENT_TIMEOUT: "0" }, throughProxy);
			await pool.query("SELECT 1");
			proxy.blackHole();
			const started = Date.now();
			const err = await failure(pool.query("SELECT 2"));
			const waited = Date.now() - started;
			expect(err).toMatchObject({ code: 503, retryable: true });
			expect(waited).toBeLessThan(2000);
			expect(proxy.heldBytes).toBeGreaterThan(0);
			proxy.release();
			// The silent connection was dropped: the next query opens a new one and succeeds.
			const before = proxy.connections;
			await expect(pool.query("SELECT 3 AS three", { plain: true })).resolves.toEqual({ three: 3 });
			expect(proxy.connections).toBeGreaterThan(before);
		} finally {
			await proxy.stop();
		}
	});
});
