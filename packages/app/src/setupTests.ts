import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// See plugins/cutover/src/setupTests.ts: the faketime rerun in CI slows first renders past one second.
configure({ asyncUtilTimeout: 5000 });
jest.setTimeout(30_000);
