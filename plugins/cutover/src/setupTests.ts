import '@testing-library/jest-dom';

// jsdom has no layout engine and no ResizeObserver; recharts' ResponsiveContainer needs one.
class NoLayoutResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
(globalThis as any).ResizeObserver ??= NoLayoutResizeObserver;
