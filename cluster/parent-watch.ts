import { existsSync, readFileSync } from "node:fs";

/** Shells npm runs a script through (`sh -c "node dist/cluster/start.js"`), which stay between it and the launcher. */
const SHELLS = new Set(["sh", "dash", "bash", "zsh"]);

/** A process's parent pid and command name, from /proc (Linux); undefined elsewhere or once it has gone. */
function procInfo(pid: number): { ppid: number; name: string } | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
		const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
		return { ppid, name };
	} catch {
		return undefined;
	}
}

/**
 * Calls `onOrphaned` once the process that started this one has gone. `npm start` runs the
 * launcher under npm (through `sh -c`), and npm killed does not stop it: on SIGTERM npm ends the
 * shell only, on SIGKILL nothing at all, and the launcher would keep the whole cluster running
 * with no one to stop it. Node gives no event for that, so the parent's pid is polled, and where
 * the parent is such a shell (seen in /proc), the shell's own parent too.
 */
export function watchParent(onOrphaned: () => void, intervalMs = 500): () => void {
	const parent = process.ppid;
	const shell = existsSync("/proc") ? procInfo(parent) : undefined;
	const grandparent = shell && SHELLS.has(shell.name) ? shell.ppid : undefined;
	const timer = setInterval(() => {
		const orphaned = process.ppid !== parent || (grandparent !== undefined && procInfo(parent)?.ppid !== grandparent);
		if (!orphaned) return;
		clearInterval(timer);
		onOrphaned();
	}, intervalMs);
	// The launcher's other work keeps it alive; this alone must not.
	timer.unref();
	return () => clearInterval(timer);
}
