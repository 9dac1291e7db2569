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
    /**
     * How often the workload objects (Deployments, ReplicaSets, Pods labelled
     * `backstage.io/kubernetes-id`) of each cluster the ladders use are listed in the background,
     * in milliseconds, so that entity reads for display need not wait for the clusters (they
     * accept a picture up to `ladder.clusterStateMaxAgeMs` old). 0 turns it off. Default 2000.
     */
    snapshotRefreshMs?: number;
  };
}
