export interface Config {
  cutover?: {
    /**
     * How often the tabs refetch when live updates (signals) are unavailable, in seconds.
     * @visibility frontend
     */
    pollIntervalSeconds?: number;
    readiness?: {
      /**
       * Overall quality score (0-100) below which a cutover is blocked; shown beside the score.
       * @visibility frontend
       */
      qualityThreshold?: number;
    };
  };
}
