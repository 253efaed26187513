import { crossbarProject } from '../../vitest.shared.js';

export default crossbarProject('playground');
