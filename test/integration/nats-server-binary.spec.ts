import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { settings } from "../../config/settings";
import { NatsServer, findNatsServer } from "../../cluster/nats-server";
import { freePort } from "../../node/ports";
import { connect } from "nats";

// Which nats-server `npm start` and the tests run: NATS_SERVER_BIN, else PATH, else the sbin
// folder beside a bin folder of PATH, where Debian's package puts it (/usr/sbin, off an ordinary
// user's PATH).
describe("finding nats-server", () => {
	const root = mkdtempSync(path.join(tmpdir(), "find-nats-"));
	const saved = { PATH: process.env.PATH, NATS_SERVER_BIN: process.env.NATS_SERVER_BIN };
	afterEach(() => {
		for (const [name, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	});
	afterAll(() => rmSync(root, { recursive: true, force: true }));

	/** A layout of folders as under /usr: bin/, sbin/, and an executable nats-server where asked. */
	function layout(name: string, withNats: ("bin" | "sbin")[]): string {
		const prefix = path.join(root, name);
		for (const dir of ["bin", "sbin"]) mkdirSync(path.join(prefix, dir), { recursive: true });
		for (const dir of withNats) {
			writeFileSync(path.join(prefix, dir, "nats-server"), "#!/bin/sh\n");
			chmodSync(path.join(prefix, dir, "nats-server"), 0o755);
		}
		return prefix;
	}
	const find = (searchPath: string[], natsServerBin?: string) => findNatsServer({ ...settings.local, searchPath, natsServerBin });

	it("looks in the sbin folder beside each bin folder of PATH, after PATH itself", () => {
		const debian = layout("debian", ["sbin"]);
		const other = layout("other", []);
		expect(find([path.join(other, "bin"), path.join(debian, "bin")])).toBe(path.join(debian, "sbin", "nats-server"));
		// On PATH, it wins over one in an sbin folder.
		const local = layout("local", ["bin"]);
		expect(find([path.join(debian, "bin"), path.join(local, "bin")])).toBe(path.join(local, "bin", "nats-server"));
		expect(find([path.join(other, "bin")])).toBeUndefined();
	});

	it("skips a nats-server that is not executable, and takes NATS_SERVER_BIN as given", () => {
		const plain = layout("plain", ["sbin"]);
		chmodSync(path.join(plain, "sbin", "nats-server"), 0o644);
		expect(find([path.join(plain, "bin")])).toBeUndefined();
		expect(find([path.join(plain, "bin")], "/opt/nats/nats-server")).toBe("/opt/nats/nats-server");
	});

	it("runs NATS_SERVER_BIN when PATH has no nats-server: the tests' own servers (global setup) honour it", async () => {
		const installed = findNatsServer();
		if (!installed) throw new Error("These tests need nats-server: on PATH, in /usr/sbin, or NATS_SERVER_BIN (see README).");
		const elsewhere = path.join(root, "elsewhere");
		mkdirSync(elsewhere);
		symlinkSync(path.resolve(installed), path.join(elsewhere, "my-nats"));
		process.env.PATH = path.dirname(process.execPath);
		process.env.NATS_SERVER_BIN = path.join(elsewhere, "my-nats");
		const nats = new NatsServer(await freePort());
		await nats.start();
		try {
			const nc = await connect({ servers: nats.url, reconnect: false });
			expect(nc.info?.server_name).toBeTruthy();
			await nc.close();
		} finally {
			await nats.stop();
		}
		// And it is that binary that runs: another name fails, naming it.
		process.env.NATS_SERVER_BIN = path.join(elsewhere, "missing");
		await expect(new NatsServer(await freePort()).start()).rejects.toThrow(
			`${path.join(elsewhere, "missing")} does not run as nats-server`,
		);
	});
});
