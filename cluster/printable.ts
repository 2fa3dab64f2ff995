import path from "node:path";

/** A URL with its credentials masked, for the terminal. */
export function maskCredentials(url: string): string {
	return url.replace(/\/\/[^@/,]*@/g, "//***@");
}

/** A directory as a user finds it: relative to the working directory when it lies inside. */
export function shortPath(dir: string): string {
	const relative = path.relative(process.cwd(), dir);
	return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : dir;
}
