import { jestConfig } from '../../jest.preset.mjs';
export default jestConfig({ testTimeout: 60000 });
