export interface Config {
  cutover?: {
    actions?: {
      /**
       * Registers the write actions (pause and resume a migration's jobs) besides the read actions.
       * Off by default: an assistant reads what its user may read and changes nothing unless a
       * platform team turns this on. Each write still runs with the caller's permissions.
       * @visibility backend
       */
      allowWrites?: boolean;
    };
  };
}
