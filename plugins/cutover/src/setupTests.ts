import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI runs the suite twice, the second time under faketime (+400 days), which slows every timer and
// syscall; on a 2-core runner a first render that fetches, checks permissions and lays out a table can
// take more than testing-library's default of one second to show. Waiting longer changes no assertion:
// findBy*/waitFor still fail when the thing never appears, they only stop racing the machine's load.
configure({ asyncUtilTimeout: 5000 });
jest.setTimeout(30_000);

// jsdom has no layout engine and no ResizeObserver; recharts' ResponsiveContainer needs one.
class NoLayoutResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
(globalThis as any).ResizeObserver ??= NoLayoutResizeObserver;
