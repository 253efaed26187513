import { crossbarProject } from '../vitest.shared.js';

// The repository's own checks: packed packages (publint, attw, manifests) and
// the outsider test (the tarballs installed with npm into a project outside
// the workspace). Both pack every package; one file at a time on small machines.
export default crossbarProject('tools', { testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false });
