import {
  MetricSample,
  metricSampleSchema,
  describeZodError,
} from '@switchyard/plugin-cutover-common';

/** Options of `cutover report` that make one sample. */
export interface SampleFlags {
  dataset?: string;
  at?: string;
  total?: string;
  imported?: string;
  failed?: string;
  skipped?: string;
  completeness?: string;
  validity?: string;
  consistency?: string;
  accuracy?: string;
  critical?: string;
  high?: string;
  medium?: string;
  low?: string;
  bytes?: string;
  cpuSeconds?: string;
  memoryPeak?: string;
  cost?: string;
  /** `TYPE=N`, repeatable. */
  errorType?: string[];
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new Error(`--${flag} must be a number, got "${value}"`);
  return n;
}

/** Builds a sample from command-line flags, validated like the API validates it. */
export function sampleFromFlags(flags: SampleFlags): MetricSample {
  if (!flags.dataset)
    throw new Error('--dataset is required (or pipe JSON lines with --stdin)');
  const errors = {
    critical: num(flags.critical, 'critical'),
    high: num(flags.high, 'high'),
    medium: num(flags.medium, 'medium'),
    low: num(flags.low, 'low'),
  };
  const sample: MetricSample = {
    dataset: flags.dataset,
    at: flags.at,
    totalRecords: num(flags.total, 'total'),
    importedRecords: num(flags.imported, 'imported'),
    failedRecords: num(flags.failed, 'failed'),
    skippedRecords: num(flags.skipped, 'skipped'),
    completeness: num(flags.completeness, 'completeness'),
    validity: num(flags.validity, 'validity'),
    consistency: num(flags.consistency, 'consistency'),
    accuracy: num(flags.accuracy, 'accuracy'),
    errors: Object.values(errors).some(v => v !== undefined)
      ? errors
      : undefined,
    bytesMoved: num(flags.bytes, 'bytes'),
    cpuSeconds: num(flags.cpuSeconds, 'cpu-seconds'),
    memoryPeakBytes: num(flags.memoryPeak, 'memory-peak'),
    cost: num(flags.cost, 'cost'),
    errorsByType: flags.errorType?.length
      ? Object.fromEntries(
          flags.errorType.map(pair => {
            const match = /^([^=]+)=(.+)$/.exec(pair);
            if (!match)
              throw new Error(
                `--error-type must be TYPE=COUNT, got "${pair}"`,
              );
            return [match[1], num(match[2], 'error-type') as number];
          }),
        )
      : undefined,
  };
  return validate(JSON.parse(JSON.stringify(sample)), 'sample');
}

/** Parses one JSON line of `cutover report --stdin`. */
export function sampleFromJsonLine(
  line: string,
  lineNumber: number,
): MetricSample {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new Error(`line ${lineNumber}: not JSON (${(e as Error).message})`);
  }
  return validate(value, `line ${lineNumber}`);
}

function validate(value: unknown, what: string): MetricSample {
  const parsed = metricSampleSchema.safeParse(value);
  if (!parsed.success) throw new Error(describeZodError(parsed.error, what));
  return value as MetricSample;
}
