import { Client } from "pg";
import { Sequelize } from "sequelize";
import { MAX_SOCKET_PATH_BYTES, socketPathFits, socketUrl } from "../../cluster/postgres-socket";

describe("the embedded PostgreSQL's Unix socket", () => {
	// An awkward directory: a space, a comma, a quote and a non-ASCII letter.
	const dir = '/tmp/a dir, "quoted"/données/postgres-socket';

	it("has a URL that pg and Sequelize both read as that socket's directory, port and database", () => {
		const url = socketUrl(dir, 54321, "buildings");
		const client = new Client({ connectionString: url });
		expect({ host: client.host, port: client.port, database: client.database, user: client.user }).toEqual({
			host: dir,
			port: 54321,
			database: "buildings",
			user: "postgres",
		});
		const sequelize = new Sequelize(url, { dialect: "postgres", logging: false });
		const { host, port, database, username } = sequelize.config;
		expect({ host, port: Number(port), database, username }).toEqual({
			host: dir,
			port: 54321,
			database: "buildings",
			username: "postgres",
		});
	});

	it("fits while its path, in bytes, is at most the kernel's limit", () => {
		const name = ".s.PGSQL.54321";
		const dirOfLength = (bytes: number) => `/${"x".repeat(bytes - 1)}`;
		expect(socketPathFits(dirOfLength(MAX_SOCKET_PATH_BYTES - name.length - 1), 54321)).toBe(true);
		expect(socketPathFits(dirOfLength(MAX_SOCKET_PATH_BYTES - name.length), 54321)).toBe(false);
		// Counted in bytes: "é" takes two.
		expect(socketPathFits(`${dirOfLength(MAX_SOCKET_PATH_BYTES - name.length - 2)}é`, 54321)).toBe(false);
	});
});
