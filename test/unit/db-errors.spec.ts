import { DataTypes, Sequelize } from "sequelize";
import { EntityNotFoundError, toMoleculerError } from "../../db/errors";
import { POSTGRES_URL, createDatabase, databaseUrl, dropDatabase, query, uniqueName, waitFor } from "../support/infra";
import { TcpProxy } from "../support/tcp-proxy";

// Real errors from a real Postgres, turned into what a client sees.
describe("toMoleculerError", () => {
	const name = uniqueName("dberrors");
	let sequelize: Sequelize;
	const Thing = () => sequelize.models.thing;

	beforeAll(async () => {
		sequelize = new Sequelize(await createDatabase(name), { dialect: "postgres", logging: false });
		sequelize.define("thing", { code: { type: DataTypes.STRING, unique: true }, size: DataTypes.INTEGER }, { tableName: "things" });
		await sequelize.sync();
	});
	afterAll(async () => {
		await sequelize?.close();
		await dropDatabase(name);
	});

	const failure = (work: () => Promise<unknown>) =>
		work().then(
			() => {
				throw new Error("expected an error");
			},
			(err: Error) => toMoleculerError(err),
		);

	it("a unique violation is 409 CONFLICT naming the field", async () => {
		await Thing().create({ code: "a" });
		const err = await failure(() => Thing().create({ code: "a" }));
		expect(err).toMatchObject({ code: 409, type: "CONFLICT", data: { fields: ["code"] } });
	});

	it("a value the column cannot hold is 422, without SQL in the message", async () => {
		const err = await failure(() => sequelize.query("SELECT 'abc'::integer"));
		expect(err).toMatchObject({ code: 422, type: "INVALID_VALUE" });
		expect(err.message).not.toMatch(/SELECT|integer/);
	});

	it("a database that cannot be reached is 503", async () => {
		const unreachable = new Sequelize("postgres://postgres@127.0.0.1:1/none", { dialect: "postgres", logging: false });
		const err = await failure(() => unreachable.authenticate());
		await unreachable.close();
		expect(err).toMatchObject({ name: "ServiceUnavailableError", code: 503, type: "DATABASE_UNAVAILABLE", retryable: true });
	});

	it("a connection lost mid-query is 503", async () => {
		const err = await failure(() =>
			sequelize.transaction(async transaction => {
				const [[{ pid: own }]] = (await sequelize.query("SELECT pg_backend_pid() AS pid", { transaction })) as [{ pid: number }[], unknown];
				// Another connection ends this one, as a server restart or a network cut would.
				await sequelize.query("SELECT pg_terminate_backend(:own)", { replacements: { own } });
				await sequelize.query("SELECT 1", { transaction });
			}),
		);
		expect(err).toMatchObject({ code: 503, type: "DATABASE_UNAVAILABLE" });
	});

	it("a connection reset by the network mid-query (ECONNRESET, no SQLSTATE) is 503", async () => {
		const postgres = new URL(POSTGRES_URL);
		const proxy = new TcpProxy(postgres.hostname, Number(postgres.port || 5432));
		const url = new URL(databaseUrl(name));
		url.host = `127.0.0.1:${await proxy.start()}`;
		const throughProxy = new Sequelize(url.toString(), { dialect: "postgres", logging: false });
		try {
			const sleeping = throughProxy.query("SELECT pg_sleep(2)");
			// Reset once the query runs, however long connecting took.
			await waitFor(
				"the query to run",
				async () =>
					(
						await query(
							POSTGRES_URL,
							"SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query = 'SELECT pg_sleep(2)' AND state = 'active'",
							[name],
						)
					).length > 0,
			);
			proxy.reset();
			const raw = await sleeping.then(
				() => new Error("expected an error"),
				(err: Error) => err,
			);
			expect(raw).toMatchObject({ name: "SequelizeDatabaseError", original: { code: "ECONNRESET" } });
			expect(toMoleculerError(raw)).toMatchObject({ code: 503, type: "DATABASE_UNAVAILABLE" });
		} finally {
			await throughProxy.close();
			await proxy.stop();
		}
	});

	it("a deadlock is a retryable 503, not a 500", async () => {
		const [a, b] = [await Thing().create({ code: "lock-a" }), await Thing().create({ code: "lock-b" })];
		const lockBoth = (first: unknown, second: unknown) =>
			sequelize.transaction(async transaction => {
				await Thing().update({ size: 1 }, { where: { id: first }, transaction });
				await new Promise(resolve => setTimeout(resolve, 200));
				await Thing().update({ size: 2 }, { where: { id: second }, transaction });
			});
		// Two transactions lock the same rows in opposite order: Postgres aborts one of them.
		const outcomes = await Promise.allSettled([lockBoth(a.get("id"), b.get("id")), lockBoth(b.get("id"), a.get("id"))]);
		const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
		expect(failed).toHaveLength(1);
		expect(toMoleculerError(failed[0].reason)).toMatchObject({ code: 503, type: "TRANSACTION_CONFLICT", retryable: true });
	});

	it("a serialization failure is a retryable 503", async () => {
		const err = await failure(() => sequelize.query("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$"));
		expect(err).toMatchObject({ code: 503, type: "TRANSACTION_CONFLICT", retryable: true });
	});

	it("moleculer-db's 404 gets the NOT_FOUND type; other errors pass unchanged", () => {
		const dbNotFound = Object.assign(new Error("Entity not found"), { name: "EntityNotFoundError", code: 404, data: { id: 7 } });
		expect(toMoleculerError(dbNotFound)).toBeInstanceOf(EntityNotFoundError);
		expect(toMoleculerError(dbNotFound)).toMatchObject({ code: 404, type: "NOT_FOUND", data: { id: 7 } });
		const other = new TypeError("boom");
		expect(toMoleculerError(other)).toBe(other);
	});
});
