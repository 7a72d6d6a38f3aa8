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
    readiness?: {
      /** Overall quality score (0-100) below which a cutover is blocked. Default 85. */
      qualityThreshold?: number;
    };
    /**
     * Databases that snapshot providers and reconcilers reach, by name; plans refer to them in
     * `source.connection` and `destination.connection`.
     */
    connections?: {
      [name: string]: {
        /** Knex client: `pg` or `better-sqlite3`. */
        client: string;
        /**
         * Knex connection: a string or an object.
         * @visibility secret
         */
        connection: string | { [key: string]: unknown };
      };
    };
  };
}
