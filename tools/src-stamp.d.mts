/** The file in dist/ that holds the stamp. */
export const STAMP_FILE: string;
/** sha256 over the relative paths and contents of every file under `packageDir`/src. */
export function srcStamp(packageDir: string): string;
/** Why `packageDir`/dist was not built from its src (missing stamp, other sources), or undefined. */
export function stampProblem(packageDir: string): string | undefined;
