import { jestConfig } from '../../jest.preset.mjs';
// Unit tests of the dashboard's plain TypeScript (request building, error mapping, series); the pages are tested in a real browser (test/src/dashboard.e2e.test.ts).
export default jestConfig();
