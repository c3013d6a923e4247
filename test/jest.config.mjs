import { jestConfig } from '../jest.preset.mjs';
export default jestConfig({ testTimeout: 120000 });
