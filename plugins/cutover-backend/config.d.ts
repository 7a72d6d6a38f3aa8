export interface Config {
  /** Settings of the Switchyard cutover plugins. */
  cutover?: {
    metrics?: {
      /** Window over which the import rate is measured (e.g. `{ minutes: 15 }` or `15m`). Default 15 minutes. */
      rateWindow?: { [unit: string]: number } | string;
      /** A started dataset with no sample for this long shows as stalled. Default 10 minutes. */
      stallAfter?: { [unit: string]: number } | string;
      /** Samples older than this are thinned to one per dataset and `downsampleBucket`. Default 24 hours. */
      downsampleAfter?: { [unit: string]: number } | string;
      /** Bucket of the first downsampling. Default 5 minutes. */
      downsampleBucket?: { [unit: string]: number } | string;
      /** Samples older than this are thinned to one per dataset and hour. Default 7 days. */
      downsampleCoarseAfter?: { [unit: string]: number } | string;
    };
    cost?: {
      /**
       * ISO 4217 code of the costs jobs report in samples (`cost`), shown beside cost to date and
       * projected cost. Default USD.
       */
      currency?: string;
    };
    readiness?: {
      /** Overall quality score (0-100) at or above which readiness recommends GO. Default 85. */
      qualityThreshold?: number;
      /** Quality at or above this (below the GO threshold) recommends GO_WITH_CAUTION. Default 75. */
      cautionThreshold?: number;
    };
    approvals?: {
      /** Approvals needed (from distinct approvers) to approve a cutover. Default 1. */
      required?: number;
      /** Whether the requester of an approval may decide on it. Default false. */
      allowSelfApproval?: boolean;
      /** How long an approval stays valid, e.g. `{ days: 7 }` (the default). */
      expiresAfter?: { [unit: string]: number } | string;
      /** Whether a NO_GO migration may be approved, with a mandatory override reason. Default false. */
      allowNoGoOverride?: boolean;
      /** Whether switching reads to DUAL needs a current approval, as CUTOVER and NEW always do. Default false. */
      gateDualReads?: boolean;
    };
    alerts?: {
      /** SLA deadline by severity, e.g. `{ CRITICAL: { hours: 1 } }`. */
      sla?: { [severity: string]: { [unit: string]: number } | string };
      /** Entity ref notified on the second escalation; default the migration's approvers. */
      escalationGroup?: string;
      rules?: {
        qualityBelow?: number;
        errorRateAbove?: number;
        rateDropBelow?: number;
        behindPlanPoints?: number;
      };
    };
    checklist?: {
      /** Custom checklist templates by name, for plans' `checklist.template`. */
      templates?: {
        [name: string]: Array<{
          id: string;
          category: string;
          title: string;
          description?: string;
          required?: boolean;
        }>;
      };
    };
    reports?: {
      /** How long reports delivered by schedules are kept (e.g. `{ days: 30 }`, the default). */
      retention?: { [unit: string]: number } | string;
    };
    snapshots?: {
      /** How long snapshots are kept unless a request says otherwise. Default 14 days. */
      retention?: { [unit: string]: number } | string;
      /** The longest retention a request may ask for. Default 90 days. */
      maxRetention?: { [unit: string]: number } | string;
      /** What one migration may keep (snapshots taken for rollbacks excepted). */
      quota?: {
        /** Snapshots. Default 20. */
        count?: number;
        /** Bytes of copies. Default 100 GiB. */
        bytes?: number;
      };
      /** How often a running snapshot or rollback job refreshes its heartbeat. Default 5 seconds. */
      heartbeat?: { [unit: string]: number } | string;
      /** A job whose heartbeat is older than this is failed as abandoned. Default 60 seconds. */
      staleAfter?: { [unit: string]: number } | string;
    };
    freeze?: {
      /** Read-source switches (other than back to LEGACY) only inside an active freeze window. Default false. */
      requireWindowForSwitch?: boolean;
      /** Mark samples reported for a dataset while a freeze window is active on it. Default true. */
      markSamples?: boolean;
    };
    reconciliation?: {
      /** Drift ratios (0-1); a plan's `driftThresholds` overrides them for its migration. */
      thresholds?: {
        /** HIGH alert at or above. Default 0.0005 (0.05%). */
        warning?: number;
        /** CRITICAL alert at or above. Default 0.001 (0.1%). */
        critical?: number;
        /** Automatic rollback of a dataset in CUTOVER or COMPLETED at or above. Default 0.005 (0.5%). */
        rollback?: number;
      };
      /** How often datasets in CUTOVER or COMPLETED are reconciled on schedule. Default 30 minutes. */
      interval?: { [unit: string]: number } | string;
      /** Switch reads back to LEGACY past the rollback threshold. Default true. */
      autoRollback?: boolean;
      /** A run whose heartbeat is older than this is failed as abandoned. Default 60 seconds. */
      staleAfter?: { [unit: string]: number } | string;
      /**
       * Hash SQLite rows with the native extension built at install (native/build.mjs), where it
       * loads. Default true; false keeps the JavaScript functions (same results, slower).
       */
      nativeSqliteHashing?: boolean;
    };
    /** Foreign-key checks and golden queries run with each reconciliation. */
    integrity?: {
      /** Statement timeout of each foreign-key check on the destination. Default 5 minutes. */
      statementTimeout?: { [unit: string]: number } | string;
      /** Timed executions of a golden query per side (the fastest counts). Default 3. */
      goldenQueryRepeats?: number;
    };
    /** Automatic rollbacks besides drift; a plan's `safetyTriggers` overrides them. */
    safetyTriggers?: {
      /** Off: the triggers only alert. Default true. */
      enabled?: boolean;
      /** Failed share (0-1) of the records processed since the switch. Default 0.05. */
      errorRate?: number;
      /** Slowdown of a golden query on the new side (0.2 = 20%). Default 0.2. */
      goldenQuerySlowdown?: number;
      /** Slowdowns smaller than this many milliseconds are ignored. Default 50. */
      minSlowdownMs?: number;
    };
    /**
     * Databases that snapshot providers and reconcilers reach, by name; plans refer to them in
     * `source.connection` and `destination.connection`.
     */
    /**
     * Databases plans may name in `source` / `destination`, and who may name them. An entry
     * without `client` only declares the governance of a connection a backend module serves.
     */
    connections?: {
      [name: string]: {
        /** Knex client: `pg` or `better-sqlite3`. */
        client?: string;
        /**
         * Knex connection: a string or an object.
         * @visibility secret
         */
        connection?: string | { [key: string]: unknown };
        /**
         * Catalog refs (groups or users) whose migrations may name this connection in a plan. A
         * connection without owners can be named by no plan.
         */
        owners?: string[];
        /** Table patterns plans may name (`schema.table`, with `*` and `?`). Default: every table. */
        tables?: string[];
        /** Schema patterns plans may name tables in. */
        schemas?: string[];
        /** Only ever read (a source): no snapshot, restore or destination may use it. Default false. */
        readOnly?: boolean;
        /** Longest a statement may run on it (e.g. `{ minutes: 30 }`, the default). */
        statementTimeout?: { [unit: string]: number } | string;
        /** Longest a statement waits for a lock (e.g. `{ seconds: 15 }`, the default). */
        lockTimeout?: { [unit: string]: number } | string;
      };
    };
    jobs?: {
      /** Long jobs (snapshots, rollbacks, reconciliations) one backend runs at once. Default 2. */
      maxConcurrent?: number;
    };
    http?: {
      /** Largest body each kind of route accepts, in bytes or as `256kb` / `20mb`. */
      bodyLimits?: {
        /** `POST /migrations/:id/metrics`. Default 20mb. */
        metrics?: number | string;
        /** `POST /migrations` and `PUT /migrations/:id` (plans). Default 5mb. */
        plan?: number | string;
        /** Every PATCH. Default 64kb. */
        patch?: number | string;
        /** Everything else. Default 1mb. */
        other?: number | string;
      };
    };
  };
}
