export interface Config {
  /** Settings of the Khal Ladder Kubernetes module (@khal/plugin-ladder-backend-module-kubernetes). */
  ladderKubernetes?: {
    /**
     * Time limit of one request to a cluster through the kubernetes backend, in milliseconds.
     * A cluster that does not answer in time makes its rung `unknown`. Default 4000.
     */
    requestTimeoutMs?: number;
    /** How long a cluster reading is reused, in milliseconds (0 disables the cache). Default 5000. */
    cacheTtlMs?: number;
  };
}
