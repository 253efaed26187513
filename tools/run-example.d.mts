/**
 * Runs a documentation example as a module with its package imports pointed at
 * files (package name → file) and returns what it printed with console.log, one
 * line per call.
 */
export function runExample(code: string, imports?: Record<string, string>): Promise<string[]>;
